import client from 'prom-client';
import type { Store } from './store/types';

/**
 * Prometheus figures of a running bot (`GET /metrics`): Slack requests by kind and outcome, ack
 * latency, SecMaster calls by call and status with latency, operations by outcome, approvals
 * pending, watches active, Slack Web API errors and 429s, IAM logins, status reads.
 */
export interface Metrics {
  registry: client.Registry;
  slackRequests: client.Counter<'kind' | 'outcome'>;
  ackSeconds: client.Histogram<'path'>;
  secmasterCalls: client.Counter<'call' | 'status'>;
  secmasterSeconds: client.Histogram<'call'>;
  operations: client.Counter<'operation' | 'outcome' | 'event'>;
  slackApiCalls: client.Counter<'method' | 'outcome'>;
  slackApiErrors: client.Counter<'method' | 'error'>;
  iamLogins: client.Counter;
  statusReads: client.Counter;
  breakerState: client.Gauge;
  smnMessages: client.Counter<'type' | 'outcome'>;
}

export function createMetrics(store: Pick<Store, 'countApprovals' | 'countWatches'>): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'playbook_bot_' });
  const m: Metrics = {
    registry,
    slackRequests: new client.Counter({ name: 'slack_requests_total', help: 'Slack requests handled, by kind (command, action, event) and outcome', labelNames: ['kind', 'outcome'], registers: [registry] }),
    ackSeconds: new client.Histogram({
      name: 'slack_ack_duration_seconds',
      help: 'Time from a Slack request arriving to its HTTP answer (the acknowledgement)',
      labelNames: ['path'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    secmasterCalls: new client.Counter({ name: 'secmaster_calls_total', help: 'SecMaster HTTP attempts by call and HTTP status (error = no answer)', labelNames: ['call', 'status'], registers: [registry] }),
    secmasterSeconds: new client.Histogram({
      name: 'secmaster_call_duration_seconds',
      help: 'SecMaster HTTP attempt latency by call',
      labelNames: ['call'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16],
      registers: [registry],
    }),
    operations: new client.Counter({ name: 'operations_total', help: 'Operation requests by operation, audit event and outcome code', labelNames: ['operation', 'outcome', 'event'], registers: [registry] }),
    slackApiCalls: new client.Counter({ name: 'slack_api_calls_total', help: 'Slack Web API calls by method and outcome (ok, error, rate_limited)', labelNames: ['method', 'outcome'], registers: [registry] }),
    slackApiErrors: new client.Counter({ name: 'slack_api_errors_total', help: 'Slack Web API errors by method and error code', labelNames: ['method', 'error'], registers: [registry] }),
    iamLogins: new client.Counter({ name: 'iam_logins_total', help: 'IAM password logins (token issued)', registers: [registry] }),
    statusReads: new client.Counter({ name: 'status_reads_total', help: 'Status reads made by the watcher', registers: [registry] }),
    breakerState: new client.Gauge({ name: 'secmaster_circuit_open', help: '1 while the SecMaster circuit breaker refuses calls', registers: [registry] }),
    smnMessages: new client.Counter({
      name: 'smn_messages_total',
      help: 'SMN deliveries to POST /smn by message type and outcome (handled, duplicate, busy, failed, refused_<step>)',
      labelNames: ['type', 'outcome'],
      registers: [registry],
    }),
  };
  new client.Gauge({
    name: 'approvals_pending',
    help: 'Approval requests waiting for a decision',
    registers: [registry],
    async collect() {
      this.set(await store.countApprovals('pending').catch(() => 0));
    },
  });
  new client.Gauge({
    name: 'watches_active',
    help: 'Cards whose instance is being followed to a final status',
    registers: [registry],
    async collect() {
      this.set(await store.countWatches().catch(() => 0));
    },
  });
  return m;
}
