import type { Route } from './server';
import { sendJson } from './json';
import { withTimeout } from '../util/withTimeout';

/** `/healthz`: the process is alive. `/readyz`: 200 only while the store answers and the policy is loaded. */
export function healthRoutes(deps: { ping: () => Promise<void>; policyLoaded: () => boolean; timeoutMs?: number }): Route[] {
  return [
    { method: 'GET', path: '/healthz', handler: (_req, res) => sendJson(res, 200, { status: 'ok' }) },
    {
      method: 'GET',
      path: '/readyz',
      handler: async (_req, res) => {
        const checks: Record<string, string> = {};
        let ready = true;
        try {
          await withTimeout(deps.ping(), deps.timeoutMs ?? 2000);
          checks.store = 'ok';
        } catch {
          checks.store = 'unreachable';
          ready = false;
        }
        checks.policy = deps.policyLoaded() ? 'ok' : 'not_loaded';
        if (checks.policy !== 'ok') ready = false;
        sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not_ready', checks });
      },
    },
  ];
}
