import { z } from 'zod';
import { isInstanceId, SLACK_CHANNEL_ID_HINT, SLACK_CHANNEL_ID_PATTERN } from '../core';

/**
 * The fields an alert carries, checked the same way wherever it comes from: the `POST /alerts` body
 * (spec section 6) and an SMN notification's JSON `message` (spec section 9, where `channel` and
 * `instance_id` are optional: the topic names the channel, and a message may name no instance).
 */
export const alertFields = {
  channel: z.string({ error: 'required: a Slack channel ID like "C0INCIDENT"' }).regex(SLACK_CHANNEL_ID_PATTERN, SLACK_CHANNEL_ID_HINT),
  instance_id: z.string({ error: 'required: the playbook instance ID' }).refine(isInstanceId, 'must be 1–64 letters, digits, - or _'),
  workspace_id: z.string().refine(isInstanceId, 'must be 1–64 letters, digits, - or _').optional(),
  title: z.string().max(200, 'must be at most 200 characters').optional(),
  severity: z.string().max(40, 'must be at most 40 characters').optional(),
};

/** Slack errors that mean "this channel cannot take the card" (the sender's problem, not Slack's). */
export const CHANNEL_ERRORS: ReadonlySet<string> = new Set(['not_in_channel', 'channel_not_found', 'is_archived']);
