import type { SecMasterError } from '../errors';
import { withoutSentCredentials } from '../scrub';
import { errorFromResponse } from '../send';
import type { Layer } from './types';

/**
 * A 4xx/5xx answer (after retries and any renewal) becomes the call's {@link SecMasterError}, with
 * the service code and request ID, and with the credential its request carried taken out of the
 * message (scrub.ts): a gateway may quote the token or signature it refused.
 */
export function withErrorAnswers(onHttpError?: (err: SecMasterError) => void): Layer {
  return (inner) => async (req) => {
    const exchange = await inner(req);
    if (exchange.response.status < 400) return exchange;
    const err = withoutSentCredentials(errorFromResponse(exchange.response, req.call), exchange.sentHeaders);
    onHttpError?.(err);
    throw err;
  };
}
