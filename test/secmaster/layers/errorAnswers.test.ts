import { REDACTED } from '../../../src/log';
import { SecMasterError } from '../../../src/secmaster/errors';
import { withErrorAnswers } from '../../../src/secmaster/layers';
import { INSTANCE, READ_CALL, readRequest, rejection, scriptedInner } from './fakes';

/**
 * A final 4xx/5xx becomes the call's error: SecMaster's code and message (or API Gateway's), the
 * `X-request-id`, and never the credential the refused request carried, even when the answer quotes it.
 */
describe('withErrorAnswers', () => {
  it('an answer below 400 passes through untouched, and nobody is told of an error', async () => {
    const told: SecMasterError[] = [];
    const { inner } = scriptedInner([INSTANCE]);
    const exchange = await withErrorAnswers((e) => told.push(e))(inner)(readRequest());
    expect(exchange.response).toEqual({ status: 200, headers: INSTANCE.headers, body: INSTANCE.body });
    expect(told).toEqual([]);
  });

  it("SecMaster's own refusal: an http error with its code, message and request ID, told once before it is thrown", async () => {
    const told: SecMasterError[] = [];
    const { inner } = scriptedInner([{ status: 400, headers: { 'x-request-id': 'sm-req-400' }, body: '{"code":"SecMaster.20030005","message":"The playbook instance does not exist"}' }]);
    const err = (await rejection(withErrorAnswers((e) => told.push(e))(inner)(readRequest()))) as SecMasterError;
    expect(err).toBeInstanceOf(SecMasterError);
    expect(err).toMatchObject({ kind: 'http', call: READ_CALL, status: 400, code: 'SecMaster.20030005', message: 'The playbook instance does not exist', requestId: 'sm-req-400' });
    expect(err.isNotFound).toBe(true);
    expect(told).toEqual([err]);
  });

  it("API Gateway's throttling: its code, and when to come back", async () => {
    const { inner } = scriptedInner([{ status: 429, headers: { 'retry-after': '3' }, body: '{"error_code":"APIGW.0308","error_msg":"The throttling threshold has been reached","request_id":"gw-429"}' }]);
    const err = (await rejection(withErrorAnswers()(inner)(readRequest()))) as SecMasterError;
    expect(err).toMatchObject({ status: 429, code: 'APIGW.0308', requestId: 'gw-429', retryAfterMs: 3_000 });
  });

  it('an answer that quotes the token its request carried has it taken out', async () => {
    const token = 'MIIZkQYJKoZIhvcNAQcCoIIZgjCCGX4CAQExDTALBglghkgBZQMEAgEw';
    const { inner } = scriptedInner([{ status: 401, body: `{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: token ${token} is expired"}` }]);
    const err = (await rejection(withErrorAnswers()(inner)(readRequest({ headers: { 'content-type': 'application/json;charset=UTF-8', 'X-Auth-Token': token } })))) as SecMasterError;
    expect(err.message).toBe(`Incorrect IAM authentication information: token ${REDACTED} is expired`);
    expect(JSON.stringify(err)).not.toContain(token);
  });

  it("an answer that quotes an AK/SK request's signature or access key has them taken out", async () => {
    const signature = '3c4e9d0b51f8b4c0d1a9e2f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7';
    const accessKey = 'HPUAEXAMPLEACCESSKEY';
    const authorization = `SDK-HMAC-SHA256 Access=${accessKey}, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=${signature}`;
    const { inner } = scriptedInner([{ status: 401, body: `{"error_code":"APIGW.0301","error_msg":"Verify aksk signature fail, signature: ${signature}, access key: ${accessKey}"}` }]);
    const err = (await rejection(withErrorAnswers()(inner)(readRequest({ headers: { Authorization: authorization } })))) as SecMasterError;
    expect(err.message).not.toContain(signature);
    expect(err.message).not.toContain(accessKey);
    expect(err.code).toBe('APIGW.0301');
  });
});
