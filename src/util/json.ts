import type { z } from 'zod';

/**
 * `JSON.parse` that answers `undefined` for text that is not JSON. No JSON text parses to
 * `undefined`, so callers can tell "not JSON" apart, or let their schema refuse it.
 */
export function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The first problem zod found, as the field's dotted path (`(body)` at the root) and zod's message. */
export function firstIssue(error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0];
  return { field: issue?.path.join('.') || '(body)', message: issue?.message ?? 'invalid' };
}
