import { signRequest } from './akskSigner';
import type { Authenticator } from './types';

/** Signs every attempt (a fresh `X-Sdk-Date` each time); a refused signature is not retried. */
export function createAkSkAuthenticator(accessKey: string, secretKey: string, projectId: string, now: () => Date = () => new Date()): Authenticator {
  return {
    async authorize(req) {
      const headers = { ...req.headers, 'X-Project-Id': projectId };
      return signRequest({ method: req.method, url: req.url, headers, body: req.body }, { accessKey, secretKey, now: now() });
    },
    async renew() {
      // Five bad signatures in a row lock the AK for five minutes: never repeat one.
      return false;
    },
  };
}
