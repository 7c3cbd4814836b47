import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { USUAL_CHROMIUM_PATHS } from './browser/findChromium';

/**
 * What a newcomer needs from the README for the first hour (issue 17): the tests' prerequisites,
 * a first try over Socket Mode, a real install in an order that works, the SecMaster credential's
 * permissions and IDs, and Heroku's specifics. Read as text; where the README states a fact another
 * file owns (the Node versions, the test database's default URL, the browser paths), it is compared
 * with that file.
 */
const ROOT = path.join(__dirname, '..');
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** The text from a heading to the next heading of the same or a higher level. */
function section(heading: string): string {
  const start = README.indexOf(`\n${heading}\n`);
  if (start === -1) throw new Error(`README has no heading "${heading}"`);
  const level = /^#+/.exec(heading)![0].length;
  const rest = README.slice(start + heading.length + 2);
  const next = new RegExp(`\\n#{1,${level}} `).exec(rest);
  return next ? rest.slice(0, next.index) : rest;
}

/** Fails naming the first phrase missing, or the first two out of order. */
function expectInOrder(text: string, phrases: string[]): void {
  let at = -1;
  for (const phrase of phrases) {
    const found = text.indexOf(phrase, at + 1);
    expect([phrase, found > at ? 'in order' : found === -1 && !text.includes(phrase) ? 'missing' : 'out of order']).toEqual([phrase, 'in order']);
    at = found;
  }
}

describe('running the tests', () => {
  const tests = section('### Running the tests');

  it('the test line at the top points at the prerequisites', () => {
    expect(README).toMatch(/npm ci && npm test .*needs PostgreSQL and Chromium, see "Running the tests"/);
  });

  it('names TEST_DATABASE_URL with the default the test suites really use, says they fail without it, and how to get one', () => {
    const source = readFileSync(path.join(ROOT, 'test', 'store', 'databases.ts'), 'utf8');
    const fallback = /process\.env\.TEST_DATABASE_URL \?\? '([^']+)'/.exec(source)?.[1];
    expect(fallback).toBeDefined();
    expect(tests).toContain('`TEST_DATABASE_URL`');
    expect(tests).toContain(`\`${fallback!}\``);
    expect(tests).toMatch(/fail,\s+they do not skip/);
    expect(tests).toContain('docker run');
    expect(tests).toContain('apt-get install postgresql');
  });

  it('names Chromium, where it is looked for (as findChromium looks), how to get it, and CI=true', () => {
    expect(tests).toContain('`CHROMIUM_PATH`');
    for (const p of USUAL_CHROMIUM_PATHS.slice(0, 3)) expect(tests).toContain(`\`${p}\``);
    expect(tests).toContain('apt-get install chromium');
    expect(tests).toContain('npx playwright-core install chromium');
    expect(tests).toMatch(/says so in one line and is skipped/);
    expect(tests).toContain('`CI=true`');
  });
});

describe('installing the Slack app', () => {
  const install = section('## Installing the Slack app');

  it('recommends Socket Mode as the first try, before the real install, with what it needs', () => {
    expectInOrder(install, ['### First try: Socket Mode', '(recommended)', 'no public URL', 'connections:write', 'SLACK_APP_TOKEN', '### A real install']);
  });

  it('orders a real install: create the app from manifest.yml, deploy, then set the request URLs', () => {
    const real = section('### A real install over HTTPS, in this order');
    expectInOrder(real, ['**Create the app** from `manifest.yml`', '**Install to Workspace**', '**Deploy**', '**Set the request URLs**']);
    expect(existsSync(path.join(ROOT, 'manifest.yml'))).toBe(true);
  });

  it("says what Slack's URL check needs", () => {
    const real = section('### A real install over HTTPS, in this order');
    expect(real).toContain('`url_verification`');
    expect(real).toContain('`challenge`');
    expect(real).toMatch(/bot running at that URL/);
    expect(real).toMatch(/HTTPS with a certificate from a public CA/);
    expect(real).toMatch(/`SLACK_SIGNING_SECRET` set to\s+this app's signing secret/);
    expect(real).toMatch(/within 3 seconds/);
    expect(existsSync(path.join(ROOT, 'test', 'e2e', 'urlVerification.test.ts'))).toBe(true);
  });
});

describe('SecMaster access', () => {
  const access = section('## SecMaster access');

  it("names the IAM policies Huawei defines for SecMaster, and what read-only access can't do", () => {
    expect(access).toContain('**SecMaster FullAccess**');
    expect(access).toContain('**SecMaster ReadOnlyAccess**');
    expect(access).toContain('"secmaster:*:*"');
    expect(access).toMatch(/project-level service/);
    expect(access).toMatch(/refuses its retries and terminations/);
  });

  it('says where the project ID and the workspace ID are', () => {
    expect(access).toMatch(/`SECMASTER_PROJECT_ID`: .*\*My Credentials\* →\s+\*API Credentials\*/s);
    expect(access).toMatch(/`SECMASTER_WORKSPACE_ID`: SecMaster console → \*Workspaces → Management\*/);
  });
});

describe('deployment', () => {
  const deployment = section('## Deployment');

  it("names the Node versions package.json's engines allows", () => {
    const engines = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    // The lower bound may name a minor release (undici 7 needs 20.18.1); the README names whole majors.
    const [, from, below] = /^>=(\d+)(?:\.\d+\.\d+)? <(\d+)$/.exec(engines) ?? [];
    expect(from).toBeDefined();
    const majors = Array.from({ length: Number(below) - Number(from) }, (_, i) => Number(from) + i);
    expect(deployment).toContain(`"engines": {"node": "${engines}"}`);
    expect(deployment).toContain(`Node.js ${majors.slice(0, -1).join(', ')} or ${majors.at(-1)}`);
  });

  it("overrides Heroku's DATABASE_URL for sslmode=no-verify in ways that survive Heroku's rotation", () => {
    expect(deployment).toContain('sslmode=no-verify');
    expect(deployment).toContain('heroku config:set PGSSLMODE=no-verify');
    expect(deployment).toContain('web: DATABASE_URL="$DATABASE_URL?sslmode=no-verify"');
    expect(deployment).toMatch(/Cannot overwrite attachment values/);
  });

  it('says how to put the policy on Heroku: commit it, or PLAYBOOK_POLICY holding the YAML', () => {
    expectInOrder(deployment, ['*The policy on Heroku.*', 'commit your policy file', '`PLAYBOOK_POLICY`', 'heroku config:set PLAYBOOK_POLICY="$(cat policy.yml)"']);
  });
});

describe('the policy file', () => {
  it('points at policy.example.yml, which exists', () => {
    expect(section('## The policy file')).toContain('[`policy.example.yml`](policy.example.yml)');
    expect(existsSync(path.join(ROOT, 'policy.example.yml'))).toBe(true);
  });
});
