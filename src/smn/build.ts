import type { AlertPublisher } from '../alerts/publish';
import type { AuditTrail } from '../audit/trail';
import type { SmnConfig } from '../config';
import type { Logger } from '../log';
import type { Store } from '../store/types';
import { createCertificateSource } from './certificates';
import { createHttpsGetter } from './httpsGet';
import { createSmnReceiver, type SmnReceiver } from './receiver';
import { createSmnVerifier } from './verify';

/** Builds the SMN receiver from its configuration (called by the composition root only). */
export interface SmnParts {
  receiver: SmnReceiver;
  close(): Promise<void>;
}

export function buildSmnReceiver(
  config: SmnConfig,
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
