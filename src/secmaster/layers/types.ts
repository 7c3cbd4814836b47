import type { Deadline } from '../deadline';
import type { HttpResponse } from '../transport';

/**
 * One SecMaster call on its way through the transport layers (`index.ts` composes them). The
 * client builds it; each layer adds what it owns (the deadline, the credential, an attempt's
 * signal) and hands it on, and the innermost sends it over HTTP.
 */

/** The calls the client makes, as metrics name them. */
export type CallName = 'get_instance' | 'list_instances' | 'operate' | 'audit_logs' | 'topology';

/** A call as the client builds it: what to send, and whether sending it twice is harmless. */
export interface SecMasterCall {
  name: CallName;
  /** `METHOD /path`, used in errors and logs instead of the URL. */
  call: string;
  method: 'GET' | 'POST';
  url: URL;
  headers: Record<string, string>;
  body?: string;
  /** False for the operation POST: never repeated once it may have reached SecMaster. */
  idempotent: boolean;
}

/** A call inside the layers: bounded by its whole deadline and, while one attempt runs, that attempt's signal. */
export interface CallRequest extends SecMasterCall {
  deadline: Deadline;
  signal?: AbortSignal;
}

/** An answer and the headers its request was sent with (so a layer can tell which credential it refused). */
export interface Exchange {
  response: HttpResponse;
  sentHeaders: Record<string, string>;
}

export type CallTransport = (req: CallRequest) => Promise<Exchange>;

/** A layer wraps the transport beneath it and is a transport itself. */
export type Layer = (inner: CallTransport) => CallTransport;

/** The composed transport the client calls: an answer below 400, or a thrown SecMasterError (or a bug, thrown as it is). */
export type SecMasterTransport = (call: SecMasterCall) => Promise<HttpResponse>;
