import { computeSignature, encodeQuery, signRequest, canonicalUri, EMPTY_BODY_SHA256 } from '../../src/secmaster/auth/akskSigner';

const AK = 'AccessKey';
const SK = 'SecretKey';
const P = '/v1/0123456789abcdef0123456789abcdef/workspaces/fedcba9876543210fedcba9876543210/soc/playbooks/instances';
const SECMASTER_HOST = 'secmaster.cn-north-4.myhuaweicloud.com';

describe('SDK-HMAC-SHA256 signer (reference vectors)', () => {
  it.each([
    {
      name: 'GET with query, empty body',
      method: 'GET',
      url: 'https://service.endpoint.myhuaweicloud.com/resources?size=1',
      headers: {} as Record<string, string>,
      body: '',
      date: '20200608T023900Z',
      signed: ['host', 'x-sdk-date'],
      signature: 'cfb4171acec81de07d50e53d57eb77edd537414d66ddb1d7d780f128e12cd842',
    },
    {
      name: 'POST with JSON body',
      method: 'POST',
      url: 'https://service.endpoint.myhuaweicloud.com/resources?size=1',
      headers: {},
      body: '{"name":"test","id":1}',
      date: '20200608T023900Z',
      signed: ['host', 'x-sdk-date'],
      signature: '436b1ac0a1ae03705934bb70ef2f2e09f7bfed2117d731a38235053199323a1f',
    },
    {
      name: 'SecMaster operation POST',
      method: 'POST',
      url: `https://${SECMASTER_HOST}${P}/11111111-2222-3333-4444-555555555555/operation`,
      headers: { 'content-type': 'application/json', 'x-project-id': '0123456789abcdef0123456789abcdef' },
      body: '{"operation":"RETRY"}',
      date: '20250101T000000Z',
      signed: ['content-type', 'host', 'x-project-id', 'x-sdk-date'],
      signature: 'f3b1df5d5b21c97a4181ed34735d15f86ae831e9b9c48688e3e1822df0c88e57',
    },
    {
      name: 'SecMaster list GET with filters',
      method: 'GET',
      url: `https://${SECMASTER_HOST}${P}?limit=10&offset=0&status=FAILED`,
      headers: { 'content-type': 'application/json', 'x-project-id': '0123456789abcdef0123456789abcdef' },
      body: '',
      date: '20250101T000000Z',
      signed: ['content-type', 'host', 'x-project-id', 'x-sdk-date'],
      signature: '0733b14446e23a3a4eaed634ac5845303b8b1571212fd5700fa34760792ad6ea',
    },
  ])('$name', ({ method, url, headers, body, date, signed, signature }) => {
    const parts = computeSignature(
      { method, url: new URL(url), headers, body },
      { accessKey: AK, secretKey: SK, sdkDate: date, signedHeaders: signed },
    );
    expect(parts.signature).toBe(signature);
    expect(parts.authorization).toBe(`SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=${signed.join(';')}, Signature=${signature}`);
  });

  it('signRequest picks the recommended header set and reproduces the operation vector', () => {
    const headers = signRequest(
      {
        method: 'POST',
        url: new URL(`https://${SECMASTER_HOST}${P}/11111111-2222-3333-4444-555555555555/operation`),
        headers: { 'content-type': 'application/json', 'x-project-id': '0123456789abcdef0123456789abcdef' },
        body: Buffer.from('{"operation":"RETRY"}'),
      },
      { accessKey: AK, secretKey: SK, sdkDate: '20250101T000000Z' },
    );
    expect(headers['X-Sdk-Date']).toBe('20250101T000000Z');
    expect(headers['Authorization']).toBe(
      'SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=f3b1df5d5b21c97a4181ed34735d15f86ae831e9b9c48688e3e1822df0c88e57',
    );
  });

  it('encodes queries as the reference check says (sorted, RFC 3986, repeated keys)', () => {
    expect(encodeQuery({ limit: 1, enable: true, test: '一 (&=?!#%.*)', path: '/tmp/123', multi: [1, 2, 3] })).toBe(
      'enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123&test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29',
    );
  });

  it('adds the trailing slash to the canonical URI only', () => {
    expect(canonicalUri('/v1/a b/c')).toBe('/v1/a%20b/c/');
    expect(canonicalUri('/')).toBe('/');
  });

  it('hashes an empty body to the documented constant', () => {
    const parts = computeSignature(
      { method: 'GET', url: new URL('https://h/x'), headers: {} },
      { accessKey: AK, secretKey: SK, sdkDate: '20200608T023900Z', signedHeaders: ['host', 'x-sdk-date'] },
    );
    expect(parts.canonicalRequest.endsWith(EMPTY_BODY_SHA256)).toBe(true);
  });

  it('changes the signature when one body byte changes', () => {
    const sign = (body: string) =>
      computeSignature({ method: 'POST', url: new URL('https://h/x'), headers: {}, body }, { accessKey: AK, secretKey: SK, sdkDate: '20200608T023900Z' }).signature;
    expect(sign('{"operation":"RETRY"}')).not.toBe(sign('{"operation":"RETRY" }'));
  });
});
