import type { Transport } from '../transport';
import type { CallTransport } from './types';

/** The innermost layer: the call as one HTTP request (transport.ts, 10 s at most), and the headers it went with. */
export function overHttp(transport: Transport): CallTransport {
  return async (req) => {
    const response = await transport({ method: req.method, url: req.url, headers: req.headers, body: req.body, signal: req.signal });
    return { response, sentHeaders: req.headers };
  };
}
