import type { AlertPublisher } from '../alerts/publish';
import type { AuditTrail } from '../audit/trail';
import type { Logger } from '../log';
import type { Store } from '../store/types';
import { createCertificateSource } from './certificates';
import { createHttpsGetter } from './httpsGet';
import { createSmnReceiver, type SmnReceiver } from './receiver';
import { createSmnVerifier } from './verify';

/** What the receiver is configured with (`SMN_TOPICS`, `SMN_TRUSTED_HOSTS`), as `config.ts` reads it. */
export interface SmnSettings {
  /** Which topics are accepted, and the channel each one's alerts go to. */
  topics: Array<{ topicUrn: string; channel: string }>;
  /** `host:port` keys of the hosts `signing_cert_url` and `subscribe_url` may point to. */
  trustedHosts: string[];
}

/** Builds the SMN receiver from its configuration (called by the composition root only). */
export interface SmnParts {
  receiver: SmnReceiver;
  close(): Promise<void>;
}

export function buildSmnReceiver(
  config: SmnSettings,
  deps: { store: Store; audit: AuditTrail; alerts: AlertPublisher; logger: Logger; now?: () => number; ca?: string; observe?: (type: string, outcome: string) => void },
): SmnParts {
  const trustedHosts = new Set(config.trustedHosts);
  const https = createHttpsGetter({ ca: deps.ca });
  const certificates = createCertificateSource({ get: https.get, now: deps.now });
  const receiver = createSmnReceiver({
    topics: new Map(config.topics.map((t) => [t.topicUrn, t.channel])),
    trustedHosts,
    verifier: createSmnVerifier({ trustedHosts, certificates, now: deps.now }),
    get: https.get,
    store: deps.store,
    audit: deps.audit,
    alerts: deps.alerts,
    logger: deps.logger,
    now: deps.now,
    observe: deps.observe,
  });
  return { receiver, close: () => https.close() };
}
