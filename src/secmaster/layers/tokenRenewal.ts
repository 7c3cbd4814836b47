import type { Authenticator } from '../auth/types';
import { isAuthRejection } from '../send';
import type { Layer } from './types';

/**
 * A token refused by API Gateway (401 `APIGW.0301` / `APIG.0301`) was refused before the backend saw
 * the call, so repeating it is safe, the operation POST included: one renewal, one repeat, within
 * the same deadline. A second refusal is the answer. The authenticator decides whether renewing can
 * help (an IAM login can; a ready token or an AK/SK signature cannot, and is never repeated).
 */
export function withTokenRenewal(auth: Authenticator): Layer {
  return (inner) => async (req) => {
    const first = await inner(req);
    if (!isAuthRejection(first.response)) return first;
    if (!(await auth.renew(first.sentHeaders))) return first;
    return inner(req);
  };
}
