import { fromTransportError } from './errors';
import { TransportError } from './transport';

/**
 * The one deadline of a SecMaster call (`RetryPolicy.deadlineMs`, 20 s): getting its credential,
 * every attempt, every pause and the repeat after a token renewal all end by it. Kept on the clock
 * of the retry policy that set it, so tests can move time.
 */
export interface Deadline {
  /** When the call must be over, on `now`'s clock. */
  readonly at: number;
  /** What is left of it (negative once it has passed). */
  leftMs(): number;
}

export function deadlineIn(ms: number, now: () => number): Deadline {
  const at = now() + ms;
  return { at, leftMs: () => at - now() };
}

/** `work` (getting a credential: an IAM login, say), or a not-sent failure once the call's deadline passes. */
export async function beforeDeadline<T>(work: Promise<T>, deadline: Deadline, call: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(fromTransportError(new TransportError('its deadline passed before the request could be sent', 'DEADLINE', false), call)), Math.max(0, deadline.leftMs()));
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
