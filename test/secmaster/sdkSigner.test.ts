import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core';
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator';
import { createAkSkAuthenticator } from '../../src/secmaster/auth/akskAuth';
import { createSecMasterClient, type SecMasterClient } from '../../src/secmaster/client';
import { createSecMasterTransport } from '../../src/secmaster/layers';
import type { HttpRequest, Transport } from '../../src/secmaster/transport';

/**
 * Huawei's own signer is the oracle: `@huaweicloud/huaweicloud-sdk-core` (a test-only dev
 * dependency) re-signs every request the bot's client sends and must reach the same
 * `Authorization`; and requests the SDK signs must pass the simulator's verifier, which shares no
 * code with the bot's signer.
 */

// ---------------------------------------------------------------------------------------------
// Production-shaped requests, from a seeded generator so every run checks the same set.

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = prng(0x5ec0a57e);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const chars = (alphabet: string, n: number) => Array.from({ length: n }, () => pick([...alphabet])).join('');
const HEX = '0123456789abcdef';
const uuid = () => `${chars(HEX, 8)}-${chars(HEX, 4)}-4${chars(HEX, 3)}-${pick(['8', '9', 'a', 'b'])}${chars(HEX, 3)}-${chars(HEX, 12)}`;

/** Regions from the SDKs' SecMaster table; a local endpoint with a port, as tests and proxies use. */
const ENDPOINTS = [
  'https://secmaster.ap-southeast-1.myhuaweicloud.com',
  'https://secmaster.cn-north-4.myhuaweicloud.com',
  'https://secmaster.eu-west-101.myhuaweicloud.com',
  'https://secmaster.la-south-2.myhuaweicloud.com',
  'https://secmaster.me-east-1.myhuaweicloud.com',
  'http://127.0.0.1:18443',
  'https://secmaster-proxy.internal.example:8443/',
];
const STATUSES = ['RUNNING', 'FINISHED', 'FAILED', 'RETRYING', 'TERMINATING', 'TERMINATED'];
/** What people put in instance and playbook names: spaces, CJK, reserved and sub-delim characters. */
const NAMES = [
  'Brute force on ecs-prod-01',
  'Block malicious IP',
  '钓鱼邮件 财务部',
  'SQL injection on shop-api (v2)',
  "O'Brien's laptop: malware!",
  'a b&c=d?e/f+g%h#i*~',
  'Crypto-miner on ecs-batch-07 — 2nd run',
  'naïve café 🚨 alert',
];

interface Case {
  name: string;
  ak: string;
  sk: string;
  projectId: string;
  at: Date;
  run: (c: SecMasterClient) => Promise<unknown>;
}

function generateCase(n: number): Case {
  const projectId = chars(HEX, 32);
  const workspaceId = rand() < 0.5 ? uuid() : chars(HEX, 32);
  const ref = { workspaceId, instanceId: uuid() };
  const kinds: Array<[string, (c: SecMasterClient) => Promise<unknown>]> = [
    ['get', (c) => c.getInstance(ref)],
    ['operate', (c) => c.operateInstance(ref, pick(['RETRY', 'TERMINATE'] as const))],
    [
      'list',
      (c) =>
        c.listInstances(workspaceId, {
          offset: int(0, 9) * 10,
          limit: pick([10, 20, 50, 100]),
          status: rand() < 0.6 ? pick(STATUSES) : undefined,
          name: rand() < 0.4 ? pick(NAMES) : undefined,
          playbook_name: rand() < 0.3 ? pick(NAMES) : undefined,
        }),
    ],
    ['audit_logs', (c) => c.listAuditLogs(workspaceId, { parent_instance_id: ref.instanceId }, { offset: int(0, 3) * 50, limit: 50 })],
    ['topology', (c) => c.getTopology(ref)],
  ];
  const [kind, run] = kinds[n % kinds.length]!;
  return {
    name: `${n}:${kind}`,
    ak: chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 20),
    sk: chars('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 40),
    projectId,
    at: new Date(Date.UTC(2020, 0, 1) + Math.floor(rand() * 10 * 365 * 86_400_000)),
    run,
  };
}

/** The answer each call parses, so the client completes and nothing is sent twice. */
function answerFor(req: HttpRequest): string {
  const p = req.url.pathname;
  if (p.endsWith('/auditlogs')) return '{"count":0,"audit_logs":[]}';
  if (p.endsWith('/topology')) return '{"count":0,"action_instances":[]}';
  if (p.endsWith('/instances')) return '{"count":0,"instances":[]}';
  return '{"id":"x","status":"RUNNING"}';
}

/** What the bot sent, captured at the transport: the exact URL, headers and bytes. */
async function sentBy(c: Case): Promise<HttpRequest> {
  const sent: HttpRequest[] = [];
  const transport: Transport = async (req) => {
    sent.push(req);
    return { status: 200, headers: { 'x-request-id': 'r' }, body: answerFor(req) };
  };
  const client = createSecMasterClient({
    endpoint: pick(ENDPOINTS),
    projectId: c.projectId,
    transport: createSecMasterTransport({ http: transport, auth: createAkSkAuthenticator(c.ak, c.sk, c.projectId, () => c.at) }),
  });
  await c.run(client);
  expect(sent).toHaveLength(1);
  return sent[0]!;
}

/**
 * The SDK core's signature for the request as it went on the wire. The query is read back the way
 * a server reads it (URLSearchParams: `+` is a space); the SDK hashes `JSON.stringify(data)`, so
 * the body is handed over parsed, after checking that this gives back the very bytes sent.
 */
function sdkAuthorization(req: HttpRequest, ak: string, sk: string): string {
  const signed = /SignedHeaders=([^,\s]+)/.exec(req.headers['Authorization'] ?? '')?.[1]?.split(';') ?? [];
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (signed.includes(name.toLowerCase()) && name.toLowerCase() !== 'host') headers[name] = value;
  }
  const queryParams: Record<string, string | string[]> = {};
  for (const [k, v] of req.url.searchParams) {
    const had = queryParams[k];
    queryParams[k] = had === undefined ? v : [...(Array.isArray(had) ? had : [had]), v];
  }
  let data: unknown;
  if (req.body !== undefined && req.body.length > 0) {
    data = JSON.parse(req.body);
    expect(JSON.stringify(data)).toBe(req.body);
  }
  const out = AKSKSigner.sign(
    { endpoint: `${req.url.origin}${req.url.pathname}`, method: req.method, headers, queryParams, data },
    new BasicCredentials().withAk(ak).withSk(sk),
  ) as Record<string, string>;
  return out['Authorization']!;
}

const CASES = Array.from({ length: 300 }, (_, n) => generateCase(n));

describe("the bot's signer against Huawei's SDK core", () => {
  const sent: Array<{ c: Case; req: HttpRequest }> = [];

  beforeAll(async () => {
    for (const c of CASES) sent.push({ c, req: await sentBy(c) });
  });

  it(`the SDK core signs all ${CASES.length} generated requests exactly as the bot did`, () => {
    const disagreements: string[] = [];
    const kinds = new Map<string, number>();
    for (const { c, req } of sent) {
      const ours = req.headers['Authorization'];
      const theirs = sdkAuthorization(req, c.ak, c.sk);
      if (ours !== theirs) disagreements.push(`${c.name} ${req.method} ${req.url.href}\n  bot: ${ours}\n  sdk: ${theirs}`);
      const kind = c.name.split(':')[1]!;
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    // The figure the issue asks for: agreement N of N.
    console.info(`SDK core signer agreement: ${sent.length - disagreements.length} of ${sent.length} requests (${[...kinds].map(([k, v]) => `${v} ${k}`).join(', ')})`);
    expect(sent).toHaveLength(CASES.length);
    expect(disagreements).toEqual([]);
  });

  it('the generated set covers queries with spaces, CJK and reserved characters, bodies, ports and every call', () => {
    const search = sent.map(({ req }) => req.url.search);
    expect(search.some((q) => q.includes('+'))).toBe(true);
    expect(search.some((q) => q.includes('%E9%92%93'))).toBe(true);
    expect(search.some((q) => /%26|%3D|%2F|%27|%21/.test(q))).toBe(true);
    expect(sent.some(({ req }) => req.url.port !== '')).toBe(true);
    expect(new Set(sent.map(({ req }) => `${req.method} ${req.url.pathname.split('/').slice(-1)[0]!.length === 36 ? 'instance' : req.url.pathname.split('/').pop()}`)).size).toBe(5);
    expect(sent.filter(({ req }) => req.body !== undefined).length).toBeGreaterThan(100);
  });

  it('a different SK gives a different SDK signature (the comparison can fail)', () => {
    const { c, req } = sent[1]!;
    expect(sdkAuthorization(req, c.ak, `${c.sk.slice(0, -1)}x`)).not.toBe(req.headers['Authorization']);
  });
});

// ---------------------------------------------------------------------------------------------
// The simulator's AK/SK check, with requests Huawei's SDK core signed.

const AK = 'AKSDKCORETEST0000001';
const SK = 'sk0sdk0core0test0secret0key00000000000001';
const PROJECT = '0123456789abcdef0123456789abcdef';
const WS = 'fedcba9876543210fedcba9876543210';

describe("the simulator's signature check against requests the SDK core signed", () => {
  let sim: Simulator;

  beforeAll(async () => {
    sim = await startSimulator({ projectId: PROJECT, credentials: { accessKeys: { [AK]: SK } }, timing: { stepMs: 60_000, runningMs: 0 } });
    sim.state.addWorkspace(WS);
  });

  afterAll(async () => {
    await sim.close();
  });

  /** Signs with the SDK core and sends with fetch; `tamper` changes what goes out after signing. */
  async function sdkSigned(
    req: { method: 'GET' | 'POST'; path: string; query?: Record<string, string>; body?: Record<string, unknown> },
    opts: { sk?: string; at?: Date; tamper?: (out: { url: URL; headers: Record<string, string>; body?: string }) => void } = {},
  ): Promise<{ status: number; code?: string }> {
    const base = new URL(sim.url);
    const sdkDate = (opts.at ?? new Date()).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    const headers = { 'content-type': 'application/json;charset=UTF-8', 'X-Project-Id': PROJECT, 'X-Sdk-Date': sdkDate };
    const signed = AKSKSigner.sign(
      { endpoint: `${base.origin}${req.path}`, method: req.method, headers, queryParams: req.query ?? {}, data: req.body },
      new BasicCredentials().withAk(AK).withSk(opts.sk ?? SK),
    ) as Record<string, string>;
    const url = new URL(req.path, base);
    for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.append(k, v);
    const out = { url, headers: { ...headers, Authorization: signed['Authorization']! }, body: req.body === undefined ? undefined : JSON.stringify(req.body) };
    opts.tamper?.(out);
    const res = await fetch(out.url, { method: req.method, headers: out.headers, body: out.body });
    const json = (await res.json()) as { error_code?: string; code?: string };
    return { status: res.status, code: json.error_code ?? json.code };
  }

  const P = `/v1/${PROJECT}/workspaces/${WS}/soc/playbooks/instances`;

  it('accepts SDK-signed reads, lists with awkward queries, the audit-log POST and the operation', async () => {
    const id = sim.state.add(WS, { status: 'FAILED' }).id;
    expect(await sdkSigned({ method: 'GET', path: `${P}/${id}` })).toEqual({ status: 200, code: undefined });
    for (const name of NAMES) {
      expect(await sdkSigned({ method: 'GET', path: P, query: { offset: '0', limit: '10', name, status: 'FAILED' } })).toMatchObject({ status: 200 });
    }
    expect(await sdkSigned({ method: 'POST', path: `${P}/auditlogs`, query: { offset: '0', limit: '50', sort_key: 'start_time', sort_dir: 'asc' }, body: { parent_instance_id: id } })).toMatchObject({
      status: 200,
    });
    expect(await sdkSigned({ method: 'POST', path: `${P}/${id}/operation`, body: { operation: 'RETRY' } })).toMatchObject({ status: 200 });
  });

  it.each([
    ['a changed query value', (o: { url: URL }) => o.url.searchParams.set('limit', '11')],
    ['an added query parameter', (o: { url: URL }) => o.url.searchParams.append('status', 'FAILED')],
    ['a changed body', (o: { body?: string }) => (o.body = '{"parent_instance_id":"someone-else"}')],
    ['a changed signed header', (o: { headers: Record<string, string> }) => (o.headers['X-Project-Id'] = 'ffffffffffffffffffffffffffffffff')],
    ['another path', (o: { url: URL }) => (o.url.pathname = `${P}/topology-of-another`)],
  ])('refuses %s with 401 APIGW.0301', async (_what, tamper) => {
    const res = await sdkSigned({ method: 'POST', path: `${P}/auditlogs`, query: { offset: '0', limit: '10' }, body: { parent_instance_id: 'x' } }, { tamper: tamper as never });
    expect(res).toEqual({ status: 401, code: 'APIGW.0301' });
  });

  it('refuses a wrong SK with APIGW.0301 and a date 16 minutes off with APIGW.0303', async () => {
    expect(await sdkSigned({ method: 'GET', path: P, query: { offset: '0', limit: '10' } }, { sk: `${SK}x` })).toEqual({ status: 401, code: 'APIGW.0301' });
    expect(await sdkSigned({ method: 'GET', path: P, query: { offset: '0', limit: '10' } }, { at: new Date(Date.now() - 16 * 60_000) })).toEqual({ status: 401, code: 'APIGW.0303' });
  });
});

describe('the simulator shares no code with the bot', () => {
  const dir = path.join(__dirname, '../../src/sandbox/simulator');
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));

  it.each(files)('%s imports only Node built-ins and its own modules', (file) => {
    const text = readFileSync(path.join(dir, file), 'utf8');
    const specifiers = [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
    for (const s of specifiers) expect(s).toMatch(/^(node:[a-z_/]+|\.\/[A-Za-z]+)$/);
  });
});
