import { parseJsonOrUndefined } from '../util/json';

/**
 * What an error answer says, read the way Huawei's own SDKs read it. The Python SDK's
 * `DefaultExceptionHandler` (huaweicloud-sdk-core/huaweicloudsdkcore/exceptions/exception_handler.py)
 * takes, in this order, the first complete pair of `error_code`/`error_msg`, `errorCode`/`errorMsg`
 * or `code`/`message`; failing all three it looks inside every nested object (IAM's
 * `{"error":{"code":401,"message":…}}`), a later nested match replacing an earlier one; and it keeps
 * `encoded_authorization_message`, which a 403 policy denial carries for an operator to decode with
 * IAM's DecodeAuthorizationMessage (https://support.huaweicloud.com/intl/en-us/api-iam5/DecodeAuthorizationMessage.html).
 * A body that is no JSON object keeps its text, as the SDK does: here its first line, so a proxy's
 * "502 Bad Gateway" page says that instead of nothing.
 *
 * Beyond the SDK: when no complete pair exists anywhere, a lone code or message is still kept (a
 * bare `{"code":"SecMaster.20030005"}` says more than the status alone).
 */
export interface ErrorBody {
  code?: string;
  message?: string;
  requestId?: string;
  encodedAuthorizationMessage?: string;
}

const PAIRS: ReadonlyArray<readonly [string, string]> = [
  ['error_code', 'error_msg'],
  ['errorCode', 'errorMsg'],
  ['code', 'message'],
];

/** Longest first line kept from a body that is not JSON. */
const MAX_FIRST_LINE = 300;

type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v.length > 0 ? v : undefined;
  // IAM writes its code as a number.
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

function findPair(o: Obj, depth: number): { code?: string; message?: string } | undefined {
  for (const [codeKey, messageKey] of PAIRS) {
    if (codeKey in o && messageKey in o) return { code: text(o[codeKey]), message: text(o[messageKey]) };
  }
  if (depth >= 4) return undefined;
  let found: { code?: string; message?: string } | undefined;
  for (const value of Object.values(o)) {
    if (isObject(value)) found = findPair(value, depth + 1) ?? found;
  }
  return found;
}

function findEncodedMessage(o: Obj, depth: number): string | undefined {
  const own = text(o.encoded_authorization_message);
  if (own !== undefined || depth >= 4) return own;
  for (const value of Object.values(o)) {
    const nested = isObject(value) ? findEncodedMessage(value, depth + 1) : undefined;
    if (nested !== undefined) return nested;
  }
  return undefined;
}

function findRequestId(o: Obj): string | undefined {
  const nested = Object.values(o).find((v): v is Obj => isObject(v) && typeof v.request_id === 'string');
  return text(o.request_id) ?? text(nested?.request_id);
}

/** The first line of text worth reading: tags dropped (an HTML error page), blank lines skipped. */
export function firstLine(body: string): string | undefined {
  const line = body
    .replace(/<[^>]*>/g, '\n')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l.length > 0);
  if (line === undefined) return undefined;
  return line.length > MAX_FIRST_LINE ? `${line.slice(0, MAX_FIRST_LINE - 1)}…` : line;
}

/** Reads an error answer's code, message, request ID and encoded authorization message. */
export function parseErrorBody(body: string): ErrorBody {
  const parsed = parseJsonOrUndefined(body);
  if (!isObject(parsed)) return { message: firstLine(body) };
  const pair = findPair(parsed, 0);
  return {
    code: pair?.code ?? text(parsed.error_code) ?? text(parsed.errorCode) ?? text(parsed.code),
    message: pair?.message ?? text(parsed.error_msg) ?? text(parsed.errorMsg) ?? text(parsed.message) ?? text(parsed.msg),
    requestId: findRequestId(parsed),
    encodedAuthorizationMessage: findEncodedMessage(parsed, 0),
  };
}
