import type { Authenticator } from '../../../src/secmaster/auth/types';
import { SecMasterError } from '../../../src/secmaster/errors';
import { withTokenRenewal } from '../../../src/secmaster/layers';
import { INSTANCE, operateRequest, readRequest, rejection, REVOKED_TOKEN, REVOKED_TOKEN_DEDICATED, scriptedInner } from './fakes';

/**
 * A token API Gateway refuses (401 with code 0301, `APIGW.` on the public gateway, `APIG.` on a
 * dedicated one) is renewed once and the call repeated once, the operation POST included: the
 * gateway refused it before SecMaster saw it. The authenticator says whether renewing can help.
 */
function renewer(result: boolean | Error = true) {
  const renewals: Array<Record<string, string>> = [];
  const auth: Authenticator = {
    authorize: async (req) => req.headers,
    async renew(used) {
      renewals.push(used);
      if (result instanceof Error) throw result;
      return result;
    },
  };
  return { auth, renewals };
}

const REFUSED_HEADERS = { 'content-type': 'application/json;charset=UTF-8', 'X-Auth-Token': 'revoked-token-0001' };

describe('withTokenRenewal', () => {
  it.each([
    ['the public gateway (APIGW.0301)', REVOKED_TOKEN],
    ['a dedicated gateway (APIG.0301)', REVOKED_TOKEN_DEDICATED],
  ])('%s: one renewal with the refused headers, one repeat, and its answer', async (_label, refusal) => {
    const { auth, renewals } = renewer();
    const { inner, seen } = scriptedInner([refusal, INSTANCE]);
    const req = readRequest({ headers: REFUSED_HEADERS });
    const exchange = await withTokenRenewal(auth)(inner)(req);
    expect(exchange.response.status).toBe(200);
    expect(renewals).toEqual([REFUSED_HEADERS]);
    expect(seen).toHaveLength(2);
    // The repeat is the same call under the same deadline.
    expect(seen[1]).toBe(req);
  });

  it('repeats even the operation POST: the gateway refused it before SecMaster saw it', async () => {
    const { auth } = renewer();
    const { inner, seen } = scriptedInner([REVOKED_TOKEN, INSTANCE]);
    await withTokenRenewal(auth)(inner)(operateRequest());
    expect(seen.map((r) => r.method)).toEqual(['POST', 'POST']);
  });

  it('a second refusal is the answer: no loop', async () => {
    const { auth, renewals } = renewer();
    const { inner, seen } = scriptedInner([REVOKED_TOKEN, REVOKED_TOKEN, INSTANCE]);
    const exchange = await withTokenRenewal(auth)(inner)(readRequest());
    expect(exchange.response.status).toBe(401);
    expect(renewals).toHaveLength(1);
    expect(seen).toHaveLength(2);
  });

  it('nothing to renew (a ready token, an AK/SK signature): the refusal is the answer, never repeated', async () => {
    const { auth, renewals } = renewer(false);
    const { inner, seen } = scriptedInner([REVOKED_TOKEN, INSTANCE]);
    const exchange = await withTokenRenewal(auth)(inner)(readRequest());
    expect(exchange.response.status).toBe(401);
    expect(renewals).toHaveLength(1);
    expect(seen).toHaveLength(1);
  });

  it.each([
    ['a signature date out of range (401 APIGW.0303)', { status: 401, body: '{"error_code":"APIGW.0303","error_msg":"Incorrect app authentication information: signature expired"}' }],
    ['a forbidden call (403 APIGW.0302)', { status: 403, body: '{"error_code":"APIGW.0302","error_msg":"The IAM user is forbidden"}' }],
    ['0301 on a 403', { status: 403, body: '{"error_code":"APIGW.0301","error_msg":"x"}' }],
    ["SecMaster's own 0301", { status: 401, body: '{"code":"SecMaster.0301","message":"x"}' }],
    ['a plain 401', { status: 401, body: 'Unauthorized' }],
  ])('%s: no renewal', async (_label, answer) => {
    const { auth, renewals } = renewer();
    const { inner, seen } = scriptedInner([answer, INSTANCE]);
    const exchange = await withTokenRenewal(auth)(inner)(readRequest());
    expect(exchange.response.status).toBe(answer.status);
    expect(renewals).toEqual([]);
    expect(seen).toHaveLength(1);
  });

  it('a renewal that fails (IAM unreachable) is the call failing: nothing repeated', async () => {
    const down = new SecMasterError({ kind: 'connect', call: 'POST /v3/auth/tokens', code: 'ECONNREFUSED', message: 'could not reach SecMaster (connect ECONNREFUSED)' });
    const { auth } = renewer(down);
    const { inner, seen } = scriptedInner([REVOKED_TOKEN, INSTANCE]);
    expect(await rejection(withTokenRenewal(auth)(inner)(readRequest()))).toBe(down);
    expect(seen).toHaveLength(1);
  });
});
