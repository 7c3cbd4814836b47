import type { RetryPolicy } from '../retry';
import type { Transport } from '../transport';
import { createAkSkAuthenticator } from './akskAuth';
import { createIamPasswordAuthenticator } from './iamPasswordAuth';
import { createTokenAuthenticator } from './tokenAuth';
import type { Authenticator, CloudCredential } from './types';

export type { Authenticator } from './types';

/** Builds the authenticator for the configured credential kind (the simulator hands out a token). */
export function createAuthenticator(
  credential: CloudCredential,
  deps: { transport: Transport; projectId: string; retry?: RetryPolicy; onLogin?: () => void; onToken?: (token: string) => void },
): Authenticator {
  switch (credential.kind) {
    case 'aksk':
      return createAkSkAuthenticator(credential.accessKey, credential.secretKey, deps.projectId);
    case 'password':
      return createIamPasswordAuthenticator({
        transport: deps.transport,
        iamEndpoint: credential.iamEndpoint,
        domain: credential.domain,
        user: credential.user,
        password: credential.password,
        projectId: deps.projectId,
        retry: deps.retry,
        onLogin: deps.onLogin,
        onToken: deps.onToken,
      });
    case 'token':
      return createTokenAuthenticator(credential.token);
  }
}
