/**
 * manifest.yml against Slack's manifest schema, and against the code, so the two cannot drift:
 * the slash command and request URLs, the listeners `registerListeners` attaches, and the bot
 * scopes the code's Web API calls need (found by scanning src/).
 */
import Ajv from 'ajv';
import type { App } from '@slack/bolt';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { parsePlaybookCommand } from '../src/domain/command';
import { describeUsageProblem } from '../src/slack/blocks/usage';
import type { ListenerDeps } from '../src/slack/listeners/context';
import { ACTION_IDS, BOT_EVENTS, SLACK_EVENTS_PATH, SLASH_COMMAND } from '../src/slack/ids';
import { registerListeners } from '../src/slack/register';
import { renderStepResult } from '../src/slack/blocks/workflowStepResult';
import { WORKFLOW_STEP_FUNCTIONS, WORKFLOW_STEP_INPUTS, WORKFLOW_STEP_OUTPUTS, WORKFLOW_STEP_REQUIRED_INPUTS } from '../src/core';

const ROOT = path.resolve(__dirname, '..');
const MANIFEST_FILE = path.join(ROOT, 'manifest.yml');
const SCHEMA_FILE = '/work/shared/reference/slack-manifest.schema.json';

interface Manifest {
  features: {
    app_home?: { home_tab_enabled?: boolean };
    slash_commands?: Array<{ command: string; url?: string; description: string; usage_hint?: string }>;
  };
  oauth_config: { scopes: { bot?: string[] } };
  settings: {
    event_subscriptions?: { request_url?: string; bot_events?: string[] };
    interactivity?: { is_enabled: boolean; request_url?: string };
    socket_mode_enabled?: boolean;
    function_runtime?: string;
  };
  functions?: Record<string, { title: string; description: string; input_parameters: Record<string, Parameter>; output_parameters: Record<string, Parameter> }>;
}

interface Parameter {
  type: string;
  title?: string;
  description?: string;
  is_required?: boolean;
}

const manifestText = readFileSync(MANIFEST_FILE, 'utf8');
const manifest = parse(manifestText) as Manifest;
const botScopes = manifest.oauth_config.scopes.bot ?? [];

/* ---------- 1. Slack's schema ---------- */

describe('manifest.yml: Slack’s schema', () => {
  const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object;
  const ajv = new Ajv({ strict: false, allErrors: true });
  // The one format the schema uses; ajv-formats is not installed, and ignoring it would only warn.
  ajv.addFormat('uri', (s: string) => URL.canParse(s) && /^[a-z][a-z0-9+.-]*:/i.test(s));
  const validate = ajv.compile(schema);

  it('is valid', () => {
    const ok = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema check can fail: an unknown key, a missing name or a bad $schema URI is refused', () => {
    expect(validate({ ...manifest, not_a_manifest_key: true })).toBe(false);
    expect(validate({ ...manifest, $schema: 'not a uri' })).toBe(false);
    expect(validate({ ...manifest, $schema: 'https://json-schema.org/draft-07/schema' })).toBe(true);
    const noName = parse(manifestText) as { display_information: Record<string, unknown> };
    delete noName.display_information.name;
    expect(validate(noName)).toBe(false);
  });
});

/* ---------- 2. the slash command and request URLs ---------- */

describe('manifest.yml: command and URLs match the code', () => {
  const commands = manifest.features.slash_commands ?? [];

  it(`has exactly the slash command ${SLASH_COMMAND}, with a usage hint`, () => {
    expect(commands.map((c) => c.command)).toEqual([SLASH_COMMAND]);
    expect(commands[0]!.usage_hint?.trim()).toBeTruthy();
  });

  it('every subcommand named in the usage hint is one the parser knows', () => {
    const SUBCOMMANDS = ['can', 'help', 'list', 'log', 'retry', 'status', 'terminate'];
    const hint = commands[0]!.usage_hint ?? '';
    const named = [...new Set(hint.match(/\b[a-z]+\b/g) ?? [])].filter((w) => SUBCOMMANDS.includes(w));
    expect(named.sort()).toEqual(SUBCOMMANDS);
    for (const sub of named) {
      const parsed = parsePlaybookCommand(sub);
      expect(parsed.kind === 'usage' ? describeUsageProblem(parsed.problem) : '').not.toMatch(/unknown subcommand/);
    }
  });

  it.each([
    ['the slash command URL', () => commands[0]?.url],
    ['the interactivity request URL', () => manifest.settings.interactivity?.request_url],
    ['the event subscriptions request URL', () => manifest.settings.event_subscriptions?.request_url],
  ])(`%s ends with ${SLACK_EVENTS_PATH}`, (_label, get) => {
    const url = get();
    expect(url).toBeDefined();
    expect(url!.endsWith(SLACK_EVENTS_PATH)).toBe(true);
    expect(new URL(url!).pathname).toBe(SLACK_EVENTS_PATH);
    expect(new URL(url!).protocol).toBe('https:');
  });

  it('runs in HTTP mode (Socket Mode off) with interactivity on', () => {
    expect(manifest.settings.socket_mode_enabled).toBe(false);
    expect(manifest.settings.interactivity?.is_enabled).toBe(true);
  });
});

/* ---------- 3. the listeners the code registers ---------- */

interface Registered {
  commands: string[];
  actions: string[];
  events: string[];
  functions: string[];
  errorHandlers: number;
}

/** Records what `registerListeners` attaches; the listeners are built, never run. */
function recordRegistrations(): Registered {
  const r: Registered = { commands: [], actions: [], events: [], functions: [], errorHandlers: 0 };
  const name = (x: unknown) => (typeof x === 'string' ? x : x instanceof RegExp ? `/${x.source}/` : String((x as { action_id?: unknown })?.action_id ?? x));
  const fakeApp = {
    command: (n: unknown, ...listeners: unknown[]) => {
      expect(listeners.every((l) => typeof l === 'function')).toBe(true);
      r.commands.push(name(n));
    },
    action: (id: unknown, ...listeners: unknown[]) => {
      expect(listeners.every((l) => typeof l === 'function')).toBe(true);
      r.actions.push(name(id));
    },
    event: (e: unknown, ...listeners: unknown[]) => {
      expect(listeners.every((l) => typeof l === 'function')).toBe(true);
      r.events.push(name(e));
    },
    function: (callbackId: unknown, ...listeners: unknown[]) => {
      expect(listeners.every((l) => typeof l === 'function')).toBe(true);
      r.functions.push(name(callbackId));
      // Bolt's app.function subscribes to function_executed for the step.
      if (!r.events.includes('function_executed')) r.events.push('function_executed');
    },
    error: (handler: unknown) => {
      expect(typeof handler).toBe('function');
      r.errorHandlers++;
    },
  };
  registerListeners(fakeApp as unknown as App, {} as unknown as ListenerDeps);
  return r;
}

describe('manifest.yml: listeners registered by the code', () => {
  const registered = recordRegistrations();
  const botEvents = manifest.settings.event_subscriptions?.bot_events ?? [];

  it('registers exactly the manifest’s slash command', () => {
    expect(registered.commands).toEqual((manifest.features.slash_commands ?? []).map((c) => c.command));
  });

  it('registers every ACTION_IDS value, once each', () => {
    expect([...registered.actions].sort()).toEqual(Object.values(ACTION_IDS).sort());
  });

  it.each(['playbook_retry', 'playbook_terminate', 'playbook_approve', 'playbook_reject'])('registers the spec’s action ID %s', (id) => {
    expect(registered.actions).toContain(id);
  });

  it('every registered event is a manifest bot event, and every bot event has a listener', () => {
    expect([...registered.events].sort()).toEqual([...botEvents].sort());
    expect([...BOT_EVENTS].sort()).toEqual([...botEvents].sort());
  });

  it('the Home tab is enabled because app_home_opened is listened to', () => {
    expect(registered.events).toContain('app_home_opened');
    expect(manifest.features.app_home?.home_tab_enabled).toBe(true);
  });

  it('attaches an error handler', () => {
    expect(registered.errorHandlers).toBe(1);
  });
});

/* ---------- 4. the Workflow Builder steps ---------- */

describe('manifest.yml: Workflow Builder steps match the code (spec section 10)', () => {
  const registered = recordRegistrations();
  const functions = manifest.functions ?? {};

  it('declares exactly the steps the code registers with app.function, and runs them remotely', () => {
    expect(Object.keys(functions).sort()).toEqual(Object.keys(WORKFLOW_STEP_FUNCTIONS).sort());
    expect([...registered.functions].sort()).toEqual(Object.keys(WORKFLOW_STEP_FUNCTIONS).sort());
    expect(Object.keys(functions).sort()).toEqual(['retry_playbook_instance', 'terminate_playbook_instance']);
    expect(manifest.settings.function_runtime).toBe('remote');
    expect(manifest.settings.event_subscriptions?.bot_events).toContain('function_executed');
  });

  it.each(Object.keys(WORKFLOW_STEP_FUNCTIONS))('%s has the spec’s inputs, with their types and which are required', (id) => {
    const f = functions[id]!;
    expect(Object.keys(f.input_parameters).sort()).toEqual([...WORKFLOW_STEP_INPUTS].sort());
    expect(Object.keys(f.input_parameters).sort()).toEqual(['instance_id', 'reason', 'requested_by', 'workspace_id']);
    expect(f.input_parameters.instance_id!.type).toBe('string');
    expect(f.input_parameters.requested_by!.type).toBe('slack#/types/user_id');
    expect(f.input_parameters.reason!.type).toBe('string');
    expect(f.input_parameters.workspace_id!.type).toBe('string');
    const required = Object.entries(f.input_parameters).filter(([, p]) => p.is_required).map(([n]) => n);
    expect(required.sort()).toEqual([...WORKFLOW_STEP_REQUIRED_INPUTS].sort());
  });

  it.each(Object.keys(WORKFLOW_STEP_FUNCTIONS))('%s has the outputs the code completes it with', (id) => {
    const f = functions[id]!;
    expect(Object.keys(f.output_parameters).sort()).toEqual([...WORKFLOW_STEP_OUTPUTS].sort());
    expect(Object.keys(f.output_parameters).sort()).toEqual(['request_id', 'status']);
    for (const p of Object.values(f.output_parameters)) expect(p.type).toBe('string');
  });

  it('the outputs of a successful step are exactly the declared ones', () => {
    const outputs = renderStepResult({ kind: 'operation', operation: 'RETRY', requestedBy: 'U0AAA', outcome: { code: 'done', operation: 'RETRY', instance: { id: 'i-1', status: 'RETRYING' }, requestId: 'req-1' } });
    expect(outputs).toEqual({ kind: 'success', outputs: { status: 'RETRYING', request_id: 'req-1' } });
    expect(Object.keys(outputs.kind === 'success' ? outputs.outputs : {}).sort()).toEqual(Object.keys(functions.retry_playbook_instance!.output_parameters).sort());
  });

  it('the schema check covers the steps: a parameter without a type is refused', () => {
    const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object;
    const ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addFormat('uri', (s: string) => URL.canParse(s));
    const validate = ajv.compile(schema);
    const broken = parse(manifestText) as Manifest;
    delete (broken.functions!.retry_playbook_instance!.input_parameters.instance_id as Partial<Parameter>).type;
    expect(validate(broken)).toBe(false);
  });
});

/* ---------- 5. scopes needed by the code's Web API calls ---------- */

/**
 * Bot scopes each Web API method needs, all of them ([] = none); `{ anyOf }` when one of several
 * is enough. A method missing here fails the test, so the table is updated (and the manifest
 * checked) whenever the code starts calling something new. https://api.slack.com/methods
 */
type Needs = string[] | { anyOf: string[] };
const CONVERSATION_READ: Needs = { anyOf: ['channels:read', 'groups:read', 'im:read', 'mpim:read'] };
const CONVERSATION_HISTORY: Needs = { anyOf: ['channels:history', 'groups:history', 'im:history', 'mpim:history'] };
const SCOPES_OF_METHOD: Record<string, Needs> = {
  'chat.postMessage': ['chat:write'],
  'chat.update': ['chat:write'],
  'chat.postEphemeral': ['chat:write'],
  'chat.delete': ['chat:write'],
  'usergroups.users.list': ['usergroups:read'],
  'usergroups.list': ['usergroups:read'],
  'users.info': ['users:read'],
  'users.list': ['users:read'],
  'views.publish': [],
  'views.open': [],
  'views.update': [],
  'views.push': [],
  'auth.test': [],
  // A conversation is a public or private channel, a DM or a group DM: one kind's scope is enough.
  'conversations.info': CONVERSATION_READ,
  'conversations.members': CONVERSATION_READ,
  'conversations.list': CONVERSATION_READ,
  'conversations.join': ['channels:join'],
  'conversations.history': CONVERSATION_HISTORY,
  'conversations.replies': CONVERSATION_HISTORY,
  'reactions.add': ['reactions:write'],
  // Ending a Workflow Builder step needs no scope (https://docs.slack.dev/reference/methods/functions.completeSuccess).
  'functions.completeSuccess': [],
  'functions.completeError': [],
};

/** Scopes the manifest holds that no found call needs, and why they are there. */
const ALLOWED_WITHOUT_CALL: Record<string, string> = {
  commands: 'the /playbook slash command',
  'chat:write.public': 'post status and alert cards in public channels without joining them first',
  'users:read': 'reserved for display names (users.info) on cards',
  'groups:history': 'finding a card posted in a private channel by its metadata after a crash (conversations.history), as channels:history does in public ones',
};

/** Slack Web API methods called in `source`: `client.a.b(…)`, `client.a.b.c(…)`, `.apiCall('a.b'…)`. */
export function webApiCalls(source: string): string[] {
  const found = new Set<string>();
  for (const m of source.matchAll(/\bclient\s*\.\s*((?:[A-Za-z]+\s*\.\s*)+[A-Za-z]+)\s*\(/g)) found.add(m[1]!.replace(/\s+/g, ''));
  for (const m of source.matchAll(/\.apiCall\(\s*['"`]([A-Za-z]+(?:\.[A-Za-z]+)+)['"`]/g)) found.add(m[1]!);
  return [...found];
}

function tsFiles(dir: string, exclude: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return p === exclude ? [] : tsFiles(p, exclude);
    return e.isFile() && e.name.endsWith('.ts') ? [p] : [];
  });
}

describe('manifest.yml: bot scopes match the Web API calls in src/', () => {
  const files = tsFiles(path.join(ROOT, 'src'), path.join(ROOT, 'src', 'sandbox'));
  const calls = new Map<string, string[]>();
  for (const f of files) {
    for (const method of webApiCalls(readFileSync(f, 'utf8'))) calls.set(method, [...(calls.get(method) ?? []), path.relative(ROOT, f)]);
  }

  it('the scanner finds calls in every form it claims to', () => {
    expect(
      webApiCalls(`
        await client.chat.postMessage({ channel });
        await app.client.usergroups.users.list({ usergroup });
        await this.client
          .views.publish({});
        await client.apiCall('conversations.info', { channel });
        client.query('SELECT 1'); // a database client: not a Web API call
      `).sort(),
    ).toEqual(['chat.postMessage', 'conversations.info', 'usergroups.users.list', 'views.publish']);
  });

  it('finds the calls the bot is known to make (the scan is not silently empty)', () => {
    expect(files.some((f) => f.endsWith(path.join('slack', 'gateway.ts')))).toBe(true);
    expect([...calls.keys()]).toEqual(expect.arrayContaining(['chat.postMessage', 'chat.update', 'usergroups.users.list']));
  });

  it('knows the scope of every method called (add new methods to SCOPES_OF_METHOD)', () => {
    const unknown = [...calls.entries()].filter(([m]) => !(m in SCOPES_OF_METHOD)).map(([m, where]) => `${m} (${where.join(', ')})`);
    expect(unknown).toEqual([]);
  });

  it('every scope a call needs is in the manifest', () => {
    const missing = [...calls.entries()].flatMap(([m, where]) => {
      const needs = SCOPES_OF_METHOD[m] ?? [];
      const lacking = Array.isArray(needs) ? needs.filter((s) => !botScopes.includes(s)) : needs.anyOf.some((s) => botScopes.includes(s)) ? [] : [needs.anyOf.join(' or ')];
      return lacking.map((scope) => `${scope} (for ${m} in ${where.join(', ')})`);
    });
    expect(missing).toEqual([]);
  });

  it('every manifest scope is needed by a call or explained', () => {
    const needed = new Set([...calls.keys()].flatMap((m) => {
      const needs = SCOPES_OF_METHOD[m] ?? [];
      return Array.isArray(needs) ? needs : needs.anyOf;
    }));
    const unexplained = botScopes.filter((s) => !needed.has(s) && !(s in ALLOWED_WITHOUT_CALL));
    expect(unexplained).toEqual([]);
  });

  it('no explanation is stale: each explained scope is in the manifest', () => {
    expect(Object.keys(ALLOWED_WITHOUT_CALL).filter((s) => !botScopes.includes(s))).toEqual([]);
  });

  it('has the commands scope since it has a slash command', () => {
    expect(botScopes).toContain('commands');
  });

  it('lists no scope twice', () => {
    expect(new Set(botScopes).size).toBe(botScopes.length);
  });
});
