import type { IncomingHttpHeaders } from 'node:http';
import type { AlertPublisher } from '../alerts/publish';
import type { AuditTrail } from '../audit/trail';
import type { Logger } from '../log';
import type { SmnStore } from '../store/types';
import { firstIssue, parseJsonOrUndefined } from '../util/json';
import { handleNotification } from './notify';
import type { HttpsGet } from './httpsGet';
import { headerDisagreement, SMN_MESSAGE_TYPES, smnHeadersOf, smnHeadersSchema, smnMessageSchema, type SmnMessage } from './message';
import { checkTrustedUrl } from './trustedUrl';
import type { SmnVerifier, VerifyStep } from './verify';

/**
 * `POST /smn` without the HTTP: one delivery in, one answer out. Everything that can refuse a
 * message runs before anything changes (header and body shapes, their agreement, the topic, the
 * host rule of `subscribe_url`, the signature); a refused message gets 403, one warning line that
 * names the step, and nothing else: no fetch from an untrusted host, no store row, no post. A
 * verified message is claimed by its `message_id` in the store (SMN delivers at least once, to any
 * replica), handled once, and answered 200; a failure releases the claim and answers 502 so SMN's
 * next delivery (it retries six times, SMN FAQ "Does SMN Ensure That Messages Are Received…")
 * tries again.
 */
export type RefusalStep = 'headers' | 'body' | 'headers_disagree' | 'topic' | 'subscribe_url' | VerifyStep;

export interface SmnAnswer {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

export interface SmnReceiverDeps {
  /** Topic URN → Slack channel ID (`SMN_TOPICS`). */
  topics: ReadonlyMap<string, string>;
  trustedHosts: ReadonlySet<string>;
  verifier: SmnVerifier;
  /** The GET of `subscribe_url`. */
  get: HttpsGet;
  store: SmnStore;
  audit: AuditTrail;
  alerts: AlertPublisher;
  logger: Logger;
  now?: () => number;
  observe?: (type: string, outcome: string) => void;
}

export interface SmnReceiver {
  receive(headers: IncomingHttpHeaders, body: Buffer): Promise<SmnAnswer>;
}

/**
 * How long a claim holds a message. It must outlive the handling it guards: one instance read
 * (bounded by the SecMaster client's 8 s budget), one Slack post (paced about one a second per
 * channel) or one 5 s GET. A replica that dies mid-message leaves the claim to run out; SMN's
 * later deliveries then take it over.
 */
export const SMN_CLAIM_LEASE_MS = 5 * 60_000;
/** The confirmation page is not ours to parse; only its status counts, but its size is bounded too. */
const CONFIRM_MAX_BYTES = 1024 * 1024;

/** SMN's user for audit rows: the decisions are the topic's, not a person's. */
export const SMN_AUDIT_USER = 'smn';

export function createSmnReceiver(deps: SmnReceiverDeps): SmnReceiver {
  const now = deps.now ?? Date.now;
  const observe = deps.observe ?? (() => undefined);

  function refuse(step: RefusalStep, reason: string, m?: Record<string, unknown>): SmnAnswer {
    // Fields of a refused body are the sender's: logged cut short, and counted only by known type.
    const field = (name: string) => (typeof m?.[name] === 'string' ? (m[name] as string).slice(0, 300) : undefined);
    const type = field('type');
    deps.logger.warn('SMN message refused', {
      step,
      reason: reason.slice(0, 300),
      type,
      message_id: field('message_id'),
      topic_urn: field('topic_urn'),
      signing_cert_url: field('signing_cert_url'),
    });
    observe(type && (SMN_MESSAGE_TYPES as readonly string[]).includes(type) ? type : 'unknown', `refused_${step}`);
    return { status: 403, body: { ok: false, error: 'forbidden' } };
  }

  async function confirm(m: Extract<SmnMessage, { type: 'SubscriptionConfirmation' }>, url: URL, channel: string, token: string): Promise<SmnAnswer> {
    // The GET confirms the subscription at SMN: it leaves a trace before it is sent.
    deps.logger.info('SMN subscription: confirming', { topic_urn: m.topic_urn, message_id: m.message_id, subscribe_host: url.host });
    const got = await deps.get(url, { maxBytes: CONFIRM_MAX_BYTES });
    const confirmed = got.ok && got.status >= 200 && got.status < 300;
    const why = got.ok ? `HTTP ${got.status}` : got.reason;
    await deps.audit.record({
      event: 'smn_subscription',
      user: SMN_AUDIT_USER,
      channel,
      outcome: confirmed ? 'confirmed' : 'confirm_failed',
      detail: `topic_urn=${m.topic_urn} message_id=${m.message_id} subscribe_host=${url.host}${confirmed ? '' : ` error=${why}`}`,
    });
    if (!confirmed) {
      await deps.store.releaseSmnMessage(m.message_id, token);
      deps.logger.error('SMN subscription could not be confirmed', { topic_urn: m.topic_urn, message_id: m.message_id, reason: why });
      return { status: 502, body: { ok: false, error: 'confirm_failed' } };
    }
    await deps.store.finishSmnMessage(m.message_id, token, now(), 'confirmed');
    deps.logger.info('SMN subscription confirmed', { topic_urn: m.topic_urn, message_id: m.message_id, channel });
    return { status: 200, body: { ok: true, confirmed: true } };
  }

  return {
    async receive(rawHeaders, raw) {
      const headers = smnHeadersSchema.safeParse(smnHeadersOf(rawHeaders));
      if (!headers.success) return refuse('headers', firstIssue(headers.error).message);
      const json = parseJsonOrUndefined(raw.toString('utf8'));
      if (json === undefined) return refuse('body', 'the body is not JSON');
      const parsed = smnMessageSchema.safeParse(json);
      if (!parsed.success) {
        const { field, message } = firstIssue(parsed.error);
        return refuse('body', `${field}: ${message}`, typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined);
      }
      const m = parsed.data;
      const disagreement = headerDisagreement(headers.data, m);
      if (disagreement) return refuse('headers_disagree', disagreement, m);
      const channel = deps.topics.get(m.topic_urn);
      if (!channel) return refuse('topic', `topic ${m.topic_urn} is not in SMN_TOPICS`, m);
      let subscribeUrl: URL | undefined;
      if (m.type === 'SubscriptionConfirmation') {
        const checked = checkTrustedUrl(m.subscribe_url, deps.trustedHosts);
        if (!checked.ok) return refuse('subscribe_url', checked.reason, m);
        subscribeUrl = checked.url;
      }
      const verified = await deps.verifier.verify(m);
      if (!verified.ok) return refuse(verified.step, verified.reason, m);
      deps.logger.info('SMN message verified', { type: m.type, message_id: m.message_id, topic_urn: m.topic_urn, certificate: verified.cert.subject, hash: verified.cert.hash });

      const claim = await deps.store.claimSmnMessage(m.message_id, { topicUrn: m.topic_urn, type: m.type }, now(), SMN_CLAIM_LEASE_MS);
      if (claim.result === 'done') {
        deps.logger.info('SMN message already handled: nothing more to do', { type: m.type, message_id: m.message_id });
        observe(m.type, 'duplicate');
        return { status: 200, body: { ok: true, duplicate: true } };
      }
      if (claim.result === 'busy') {
        observe(m.type, 'busy');
        return { status: 503, body: { ok: false, error: 'in_progress' }, headers: { 'retry-after': '30' } };
      }
      let answer: SmnAnswer;
      if (m.type === 'SubscriptionConfirmation') {
        answer = await confirm(m, subscribeUrl!, channel, claim.token);
      } else if (m.type === 'UnsubscribeConfirmation') {
        await deps.audit.record({ event: 'smn_unsubscribe', user: SMN_AUDIT_USER, channel, outcome: 'unsubscribed', detail: `topic_urn=${m.topic_urn} message_id=${m.message_id}` });
        await deps.store.finishSmnMessage(m.message_id, claim.token, now(), 'unsubscribed');
        deps.logger.warn('SMN subscription cancelled: this topic no longer reaches the bot', { topic_urn: m.topic_urn, message_id: m.message_id, channel });
        answer = { status: 200, body: { ok: true } };
      } else {
        answer = await handleNotification({ alerts: deps.alerts, store: deps.store, logger: deps.logger, now }, m, channel, claim.token);
      }
      observe(m.type, answer.status === 200 ? 'handled' : 'failed');
      return answer;
    },
  };
}
