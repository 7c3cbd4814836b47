import type { Authenticator } from '../auth/types';
import { beforeDeadline } from '../deadline';
import type { Layer } from './types';

/**
 * Adds the credential to every attempt, afresh each time (an AK/SK signature carries its own
 * date; an IAM token may have been renewed meanwhile). Getting it (an IAM login, say) is bounded
 * by the call's deadline: past it, the call fails as not sent.
 */
export function withCredential(auth: Authenticator): Layer {
  return (inner) => async (req) => {
    const headers = await beforeDeadline(auth.authorize({ method: req.method, url: req.url, headers: req.headers, body: req.body }), req.deadline, req.call);
    return inner({ ...req, headers });
  };
}
