/**
 * API Gateway error codes, matched by number whatever the prefix. Huawei's public gateway answers
 * `APIGW.NNNN` (the IAM API reference's error-code page: "If an error code starting with APIGW is
 * returned…", https://support.huaweicloud.com/intl/en-us/api-iam/iam_02_0006.html; the API signing
 * guide's FAQ shows `APIGW.0303`, https://support.huaweicloud.com/intl/en-us/devg-apisign/api-sign-0003.html),
 * while dedicated gateways and older pages write `APIG.NNNN` (the APIG FAQ "Common Errors Related to
 * IAM Authentication Information" shows `APIG.0301`). Matching one spelling only is what left a
 * revoked token unrenewed for a day.
 */

/** The numbers the bot acts on (shared/reference/secmaster-api.md, "Errors"). */
export const GATEWAY_CODES = {
  /** 404: no such API (a wrong endpoint, not a missing instance). */
  noSuchApi: '0101',
  /** 401: bad or expired token, or a bad AK/SK signature. */
  authRejected: '0301',
  /** 403: the credential may not call this API or project. */
  forbidden: '0302',
  /** 401: the signature's date is more than 15 minutes off. */
  signatureExpired: '0303',
  /** 429: throttled. */
  throttled: '0308',
} as const;

const GATEWAY_CODE = /^APIGW?\.(\d{4})$/;

/** `0301` for `APIG.0301` or `APIGW.0301`; undefined for anything that is not a gateway code. */
export function gatewayCodeNumber(code: string | undefined): string | undefined {
  return code === undefined ? undefined : GATEWAY_CODE.exec(code)?.[1];
}

/** True when `code` is the gateway code with this number, in either spelling. */
export function isGatewayCode(code: string | undefined, number: string): boolean {
  return gatewayCodeNumber(code) === number;
}
