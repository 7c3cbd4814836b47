import type { Authenticator } from '../../../src/secmaster/auth/types';
import { SecMasterError } from '../../../src/secmaster/errors';
import { withCredential } from '../../../src/secmaster/layers';
import { INSTANCE, readRequest, READ_CALL, rejection, scriptedInner } from './fakes';

/**
 * Each attempt gets its credential afresh (an AK/SK signature carries its own date), and getting it
 * is bounded by the call's deadline: past it, nothing is sent and the call fails as not sent.
 */
function counting(): Authenticator & { calls: number } {
  const auth = {
    calls: 0,
    async authorize(req: { headers: Record<string, string> }) {
      auth.calls++;
      return { ...req.headers, 'X-Auth-Token': `token-${auth.calls}` };
    },
    renew: async () => false,
  };
  return auth;
}

describe('withCredential', () => {
  it('adds the credential to the request, keeping the headers it had', async () => {
    const auth = counting();
    const { inner, seen } = scriptedInner([INSTANCE]);
    const exchange = await withCredential(auth)(inner)(readRequest());
    expect(seen[0]!.headers).toEqual({ 'content-type': 'application/json;charset=UTF-8', 'X-Auth-Token': 'token-1' });
    expect(exchange.sentHeaders).toEqual(seen[0]!.headers);
  });

  it('authorizes every attempt afresh', async () => {
    const auth = counting();
    const { inner, seen } = scriptedInner([INSTANCE]);
    const layer = withCredential(auth)(inner);
    await layer(readRequest());
    await layer(readRequest());
    expect(seen.map((r) => r.headers['X-Auth-Token'])).toEqual(['token-1', 'token-2']);
  });

  it('signs what is sent: method, URL and body reach the authenticator', async () => {
    const given: Array<{ method: string; url: string; body?: string }> = [];
    const auth: Authenticator = {
      authorize: async (req) => {
        given.push({ method: req.method, url: req.url.href, body: req.body });
        return req.headers;
      },
      renew: async () => false,
    };
    const { inner } = scriptedInner([INSTANCE]);
    const req = readRequest({ method: 'POST', body: '{"operation":"TERMINATE"}' });
    await withCredential(auth)(inner)(req);
    expect(given).toEqual([{ method: 'POST', url: req.url.href, body: '{"operation":"TERMINATE"}' }]);
  });

  it('a credential that takes longer than the deadline: nothing sent, a connect error (outcome known)', async () => {
    const slow: Authenticator = { authorize: () => new Promise(() => undefined), renew: async () => false };
    const { inner, seen } = scriptedInner([INSTANCE]);
    const err = (await rejection(withCredential(slow)(inner)(readRequest({ deadline: { at: Date.now() + 20, leftMs: () => 20 } })))) as SecMasterError;
    expect(err).toBeInstanceOf(SecMasterError);
    expect(err).toMatchObject({ kind: 'connect', code: 'DEADLINE', call: READ_CALL });
    expect(err.outcomeUnknown).toBe(false);
    expect(seen).toHaveLength(0);
  });

  it('a login that is refused fails the call with IAM\'s answer; nothing is sent to SecMaster', async () => {
    const refused = new SecMasterError({ kind: 'http', call: 'POST /v3/auth/tokens', status: 401, code: '401', message: 'The request you have made requires authentication.' });
    const auth: Authenticator = { authorize: async () => Promise.reject(refused), renew: async () => false };
    const { inner, seen } = scriptedInner([INSTANCE]);
    expect(await rejection(withCredential(auth)(inner)(readRequest()))).toBe(refused);
    expect(seen).toHaveLength(0);
  });
});
