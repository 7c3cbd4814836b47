/**
 * How a request reached the bot: a slash command, a button, or a Workflow Builder step (spec
 * sections 5 and 10). A policy rule grants only the ways it lists under `via:`; without `via` it
 * grants commands and buttons, never a workflow step, since a workflow's author chooses whom it names.
 */
export const VIAS = ['command', 'button', 'workflow'] as const;
export type Via = (typeof VIAS)[number];

/** What a rule without `via:` grants. */
export const DEFAULT_VIAS: readonly Via[] = ['command', 'button'];

export function isVia(s: string): s is Via {
  return (VIAS as readonly string[]).includes(s);
}
