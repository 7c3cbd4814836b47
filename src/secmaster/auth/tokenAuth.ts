import type { Authenticator } from './types';

/** A ready token sent as `X-Auth-Token` as is; nothing to renew when it is refused. */
export function createTokenAuthenticator(token: string): Authenticator {
  return {
    async authorize(req) {
      return { ...req.headers, 'X-Auth-Token': token };
    },
    async renew() {
      return false;
    },
  };
}
