import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { auditLogsFor, topologyFor } from './actionLog';
import { listAuditLogs } from './auditLogQuery';
import { SimulatorAuth, type SimulatorCredentials } from './auth';
import { FaultInjector, type FaultRule } from './faults';
import { publicView, SimulatorState, type SimulatorTiming } from './state';

/**
 * A SecMaster stand-in over real HTTP: the documented paths, answer shapes and error formats
 * (SecMaster's `{code,message}`, API Gateway's `{error_code,error_msg,request_id}`), an IAM token
 * endpoint, all three credential kinds checked, and fault injection. The bot cannot tell it from the
 * cloud. It imports nothing of the bot: every rule it applies comes from Huawei's documents, cited
 * where it is applied.
 */

export interface RecordedCall {
  at: number;
  method: string;
  path: string;
  query: Record<string, string>;
  /** How the request was authenticated (never the secret itself). */
  auth?: { kind: string; principal?: string; signedHeaders?: string };
  body?: unknown;
  status: number;
  /** The error code answered (`APIGW.0301`, `SecMaster.20030005`…), when the answer was an error. */
  code?: string;
  /** The client's `User-Agent`. */
  userAgent?: string;
  requestId: string;
  faults: string[];
}

export interface SimulatorOptions {
  port?: number;
  host?: string;
  projectId?: string;
  timing?: Partial<SimulatorTiming>;
  credentials?: Partial<SimulatorCredentials>;
  /** Serve `/_sim/*` control endpoints (tests, the sandbox panel, `npm run simulator`). */
  control?: boolean;
  now?: () => number;
  /**
   * How API Gateway spells its codes: `APIGW.` as the public gateway does (default), or `APIG.` as
   * dedicated gateways and older pages do (src/secmaster/gatewayCodes.ts cites both).
   */
  gatewayCodePrefix?: 'APIGW.' | 'APIG.';
}

export interface Simulator {
  url: string;
  projectId: string;
  state: SimulatorState;
  auth: SimulatorAuth;
  faults: FaultInjector;
  calls: RecordedCall[];
  close(): Promise<void>;
}

const INSTANCES_PATH = /^\/v1\/([^/]+)\/workspaces\/([^/]+)\/soc\/playbooks\/instances(?:\/([^/]+))?(?:\/([^/]+))?\/?$/;
const MAX_BODY = 1024 * 1024;

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const now = opts.now ?? Date.now;
  const projectId = opts.projectId ?? 'sim-project';
  const state = new SimulatorState(projectId, { stepMs: 1500, runningMs: 0, ...opts.timing }, now);
  const auth = new SimulatorAuth(
    { accessKeys: {}, users: [], staticTokens: [], tokenTtlMs: 24 * 3600_000, ...opts.credentials },
    now,
  );
  const faults = new FaultInjector();
  const calls: RecordedCall[] = [];
  const gatewayPrefix = opts.gatewayCodePrefix ?? 'APIGW.';

  function apig(status: number, number: string, message: string) {
    return { status, body: { error_code: `${gatewayPrefix}${number}`, error_msg: message, request_id: randomUUID().replace(/-/g, '') } };
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, { code: 'SecMaster.00000500', message: 'simulator error' }, 'sim');
      else res.destroy();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator.local');
    const body = await readBody(req);
    const requestId = `${randomUUID()}-${now()}-simulator`;
    const method = req.method ?? 'GET';

    if (opts.control && url.pathname.startsWith('/_sim/')) return control(url, method, body, res);

    const userAgent = typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : undefined;
    const record: RecordedCall = { at: now(), method, path: url.pathname, query: Object.fromEntries(url.searchParams), status: 0, userAgent, requestId, faults: [] };
    calls.push(record);
    if (body.length > 0) record.body = parseJson(body) ?? body.toString('utf8').slice(0, 200);
    // The password is not kept in the call log.
    if (url.pathname === '/v3/auth/tokens') record.body = '[login request]';

    const active = faults.take(method, url.pathname);
    record.faults = active.map((f) => `${f.fault.kind}${f.fault.kind === 'status' ? ':' + f.fault.status : ''}@${f.when}`);
    for (const f of active.filter((r) => r.when === 'before')) {
      if (f.fault.kind === 'latency') await sleep(f.fault.ms);
      else return applyFault(f, res, record);
    }
    const after = active.filter((r) => r.when === 'after');

    const answer = route(method, url, body, req, record);
    for (const f of after) {
      if (f.fault.kind === 'latency') await sleep(f.fault.ms);
      else return applyFault(f, res, record);
    }
    record.status = answer.status;
    if (answer.status >= 400) record.code = errorCodeOf(answer.body);
    send(res, answer.status, answer.body, requestId, answer.headers);
  }

  function route(method: string, url: URL, body: Buffer, req: http.IncomingMessage, record: RecordedCall): { status: number; body: unknown; headers?: Record<string, string> } {
    if (url.pathname === '/v3/auth/tokens' && method === 'POST') {
      const result = auth.login(parseJson(body));
      if (!result.ok) return { status: result.status, body: { error: { code: result.status, message: result.message, title: result.status === 401 ? 'Unauthorized' : 'Bad Request' } } };
      record.auth = { kind: 'password', principal: result.user };
      return {
        status: 201,
        headers: { 'X-Subject-Token': result.token },
        body: {
          token: {
            expires_at: new Date(result.expiresAt).toISOString(),
            issued_at: new Date(now()).toISOString(),
            methods: ['password'],
            project: { id: result.projectId, name: 'sim-region' },
            user: { name: result.user, domain: { name: 'sim-domain' } },
          },
        },
      };
    }

    const m = INSTANCES_PATH.exec(url.pathname);
    if (!m) return apig(404, '0101', 'The API does not exist or has not been published in the environment');
    const [, project, workspace, idOrAction, sub] = m.map((p) => (p === undefined ? undefined : decodeURIComponent(p)));

    const check = auth.check({ method, rawPath: req.url ?? '/', headers: req.headers, body }, project!);
    const authz = req.headers['authorization'];
    const signed = typeof authz === 'string' ? /SignedHeaders=([^,\s]+)/.exec(authz)?.[1] : undefined;
    record.auth = check.ok ? { kind: check.kind, principal: check.principal, signedHeaders: signed } : { kind: 'rejected' };
    if (!check.ok) return apig(check.status, check.gatewayCode, check.message);
    if (project !== projectId) return apig(403, '0302', 'The project is not accessible with this credential');
    if (!state.hasWorkspace(workspace!)) return secmaster(403, 'SecMaster.20010001', 'The workspace does not exist or you have no permission on it');

    if (idOrAction === undefined && method === 'GET') return list(workspace!, url);
    if (idOrAction === 'auditlogs' && sub === undefined && method === 'POST') {
      // An unreadable body is refused, not read as "no filter".
      const filter = body.length === 0 ? undefined : (parseJson(body) ?? null);
      const answer = listAuditLogs(state.list(workspace!).flatMap(auditLogsFor), url.searchParams, filter);
      return answer.ok ? { status: 200, body: answer.body } : secmaster(400, answer.code, answer.message);
    }
    if (idOrAction !== undefined && sub === undefined && method === 'GET') {
      const i = state.get(workspace!, idOrAction);
      return i ? { status: 200, body: publicView(i) } : notFound();
    }
    if (idOrAction !== undefined && sub === 'topology' && method === 'GET') {
      const i = state.get(workspace!, idOrAction);
      return i ? { status: 200, body: topologyFor(i) } : notFound();
    }
    if (idOrAction !== undefined && sub === 'operation' && method === 'POST') {
      const parsed = parseJson(body) as { operation?: unknown } | undefined;
      const op = parsed?.operation;
      if (op !== 'RETRY' && op !== 'TERMINATE') return secmaster(400, 'SecMaster.20010002', 'The operation must be RETRY or TERMINATE');
      const result = state.operate(workspace!, idOrAction, op);
      if (!result.ok) {
        return result.reason === 'not_found'
          ? notFound()
          : secmaster(400, 'SecMaster.20048004', `The playbook instance is ${result.status} and cannot be ${op === 'RETRY' ? 'retried' : 'terminated'}`);
      }
      return { status: 200, body: publicView(result.instance) };
    }
    return apig(404, '0101', 'The API does not exist or has not been published in the environment');
  }

  /**
   * ListPlaybookInstances: `offset` and `limit` mandatory, `limit` from 1 (the API page,
   * https://support.huaweicloud.com/intl/en-us/api-secmaster/ListPlaybookInstances.html), their sum
   * below 10000 (shared/reference/secmaster-api.md, from the SDK model).
   */
  function list(workspace: string, url: URL) {
    const offset = Number(url.searchParams.get('offset'));
    const limit = Number(url.searchParams.get('limit'));
    if (!url.searchParams.has('offset') || !url.searchParams.has('limit') || !Number.isInteger(offset) || !Number.isInteger(limit) || offset < 0 || limit < 1 || offset + limit >= 10000) {
      return secmaster(400, 'SecMaster.20010003', 'offset and limit are required, and offset + limit must be below 10000');
    }
    const all = state.list(workspace, {
      status: url.searchParams.get('status') ?? undefined,
      name: url.searchParams.get('name') ?? undefined,
      playbook_name: url.searchParams.get('playbook_name') ?? undefined,
    });
    return { status: 200, body: { count: all.length, instances: all.slice(offset, offset + limit).map(publicView) } };
  }

  function control(url: URL, method: string, body: Buffer, res: http.ServerResponse): void {
    const json = parseJson(body) as Record<string, unknown> | undefined;
    const path = url.pathname;
    if (path === '/_sim/calls' && method === 'GET') return send(res, 200, calls, 'sim');
    if (path === '/_sim/calls' && method === 'DELETE') {
      calls.length = 0;
      return send(res, 200, { ok: true }, 'sim');
    }
    if (path === '/_sim/faults' && method === 'POST' && json) {
      faults.add(json as unknown as FaultRule);
      return send(res, 200, { ok: true }, 'sim');
    }
    if (path === '/_sim/faults' && method === 'DELETE') {
      faults.clear();
      return send(res, 200, { ok: true }, 'sim');
    }
    if (path === '/_sim/instances' && method === 'GET') return send(res, 200, state.all(), 'sim');
    if (path === '/_sim/instances' && method === 'POST' && json && typeof json.workspace_id === 'string' && typeof json.status === 'string') {
      return send(res, 200, state.add(json.workspace_id, json as never), 'sim');
    }
    const m = /^\/_sim\/instances\/([^/]+)\/([^/]+)$/.exec(path);
    if (m && method === 'PATCH' && json && typeof json.status === 'string') {
      const i = state.setStatus(decodeURIComponent(m[1]!), decodeURIComponent(m[2]!), json.status);
      return i ? send(res, 200, i, 'sim') : send(res, 404, { ok: false }, 'sim');
    }
    send(res, 404, { ok: false, error: 'unknown control call' }, 'sim');
  }

  function applyFault(rule: FaultRule, res: http.ServerResponse, record: RecordedCall): void {
    const f = rule.fault;
    if (f.kind === 'drop') {
      record.status = -1;
      res.socket?.destroy();
      return;
    }
    if (f.kind === 'status') {
      record.status = f.status;
      const headers: Record<string, string> = {};
      if (f.retryAfterS !== undefined) headers['Retry-After'] = String(f.retryAfterS);
      if (f.body !== undefined) {
        record.code = errorCodeOf(parseJson(Buffer.from(f.body)));
        return sendText(res, f.status, f.body, record.requestId, headers);
      }
      const body =
        f.status === 429
          ? { error_code: f.code ?? `${gatewayPrefix}0308`, error_msg: f.message ?? 'The throttling threshold has been reached', request_id: record.requestId }
          : { code: f.code ?? 'SecMaster.00000500', message: f.message ?? 'Internal server error' };
      record.code = errorCodeOf(body);
      send(res, f.status, body, record.requestId, headers);
    }
  }

  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    projectId,
    state,
    auth,
    faults,
    calls,
    close: async () => {
      state.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function secmaster(status: number, code: string, message: string) {
  return { status, body: { code, message } };
}

function notFound() {
  // SecMaster says "not found" with a 400 and a service code, not a 404.
  return secmaster(400, 'SecMaster.20030005', 'The playbook instance does not exist');
}

function send(res: http.ServerResponse, status: number, body: unknown, requestId: string, headers: Record<string, string> = {}): void {
  sendText(res, status, JSON.stringify(body), requestId, { 'content-type': 'application/json;charset=UTF-8', ...headers });
}

function sendText(res: http.ServerResponse, status: number, text: string, requestId: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/html', 'X-request-id': requestId, 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** The code of an error answer, for the call log. */
function errorCodeOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as { error_code?: unknown; code?: unknown; error?: { code?: unknown } };
  const code = b.error_code ?? b.code ?? b.error?.code;
  return typeof code === 'string' || typeof code === 'number' ? String(code) : undefined;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
