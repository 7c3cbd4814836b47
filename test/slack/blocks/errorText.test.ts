import { describeSecMasterError } from '../../../src/slack/blocks/errorText';
import { message, section } from '../../../src/slack/blocks/kit';
import { HUGE_NAME } from '../blockKitLimits';
import { expectSafe, hostileError, hugeError, secMasterError } from '../fixtures';

describe('describeSecMasterError', () => {
  it('gives HTTP status, code, message and request ID', () => {
    expect(describeSecMasterError(secMasterError())).toBe(
      '`HTTP 400 · SecMaster.20048001` The playbook instance cannot be retried in its current status. (request ID `req-err-9`)',
    );
  });

  it('leaves out what it does not have', () => {
    expect(describeSecMasterError(secMasterError({ kind: 'network', status: undefined, code: undefined, requestId: undefined, message: 'socket hang up' }))).toBe('socket hang up');
    expect(describeSecMasterError(secMasterError({ code: undefined, requestId: undefined, message: 'm' }))).toBe('`HTTP 400` m');
  });

  it('says when to try again after a 429', () => {
    expect(describeSecMasterError(secMasterError({ status: 429, code: 'APIG.0308', retryAfterMs: 2_500, message: 'throttled' }))).toBe(
      '`HTTP 429 · APIG.0308` throttled (request ID `req-err-9`) Try again in 3 s.',
    );
  });

  it('says a policy denial carries an encoded authorization message, without showing it', () => {
    const encoded = 'HY0L8G1lOe3rcfgxfKVP+AK+S33eYp/rHQ4I0kJed9rwaYmLp+pt/ICBwk==';
    const text = describeSecMasterError(secMasterError({ status: 403, code: 'SecMaster.20010002', message: 'denied', encodedAuthorizationMessage: encoded }));
    expect(text).toContain('encoded authorization message');
    expect(text).toContain('DecodeAuthorizationMessage');
    expect(text).not.toContain(encoded);
    expect(describeSecMasterError(secMasterError({ status: 403 }))).not.toContain('encoded authorization message');
  });

  it('does not mention a retry-after on other statuses', () => {
    expect(describeSecMasterError(secMasterError({ status: 503, retryAfterMs: 2_000 }))).not.toMatch(/Try again/);
  });

  it('escapes a message, code and request ID with mentions and links', () => {
    const text = describeSecMasterError(hostileError());
    expect(text).toContain('Instance &lt;!channel&gt; not found for &lt;@U123&gt;; see &lt;https://evil.example/reset|the docs&gt; &amp; retry');
    expectSafe(message(text, [section(text)]));
  });

  it('cuts a 10 000-character message (600 code points) and code / request ID', () => {
    const text = describeSecMasterError(hugeError());
    expect(Array.from(text).length).toBeLessThan(1000);
    expectSafe(message(text, [section(text)]));
    expect(text).not.toContain(HUGE_NAME.slice(0, 700));
  });
});
