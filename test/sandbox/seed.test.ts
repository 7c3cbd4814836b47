import { SANDBOX_TIMING } from '../../src/sandbox/demo';
import { auditLogsFor } from '../../src/sandbox/simulator/actionLog';
import { resetDemoInstances, seedDemoInstances } from '../../src/sandbox/simulator/seed';
import { SimulatorState } from '../../src/sandbox/simulator/state';

/**
 * The sandbox's demo instances over time, at the sandbox's own pace (fake timers): its headline
 * flows (terminate a RUNNING instance after a lead's approval; retry one, then terminate the retried
 * run) must work at any time, not only in the sandbox's first minute.
 */
const WS = 'sandbox-workspace';
const ID = {
  bruteForce: '3f2b8c1e-5d4a-4e8b-9c71-0a6f2d9e4b13',
  cryptoMiner: 'c47e2a90-6b1f-4d38-a5c2-7e9b0f1d3a64',
  portScan: '1b9f3d62-8e4c-47a1-9d0b-5c2e7a4f8b36',
  malware: '2d6a9f08-b4e3-4f1c-8d7a-c9e5b2f0a6d1',
};
const MINUTE = 60_000;

let state: SimulatorState;
beforeEach(() => {
  jest.useFakeTimers();
  state = new SimulatorState('sandbox-project', { ...SANDBOX_TIMING }, () => Date.now());
  seedDemoInstances(state, WS);
});
afterEach(() => {
  state.stop();
  jest.useRealTimers();
});

const statusOf = (id: string) => state.get(WS, id)?.status;
const seeded = () => state.list(WS).map((i) => [i.id, i.status]);

describe('what stays RUNNING', () => {
  it('the instances a person would terminate are still RUNNING an hour later, until someone acts', () => {
    jest.advanceTimersByTime(60 * MINUTE);
    expect(statusOf(ID.cryptoMiner)).toBe('RUNNING');
    expect(statusOf(ID.portScan)).toBe('RUNNING');
    expect(state.operate(WS, ID.cryptoMiner, 'TERMINATE')).toMatchObject({ ok: true });
    jest.advanceTimersByTime(SANDBOX_TIMING.stepMs);
    expect(statusOf(ID.cryptoMiner)).toBe('TERMINATED');
  });

  it('the one that ends by itself runs for minutes, then ends', () => {
    jest.advanceTimersByTime(5 * MINUTE);
    expect(statusOf(ID.malware)).toBe('RUNNING');
    jest.advanceTimersByTime(10 * MINUTE);
    expect(['FINISHED', 'FAILED']).toContain(statusOf(ID.malware));
  });

  it('RUNNING seeds exist at all, and the RETRYING and TERMINATING seeds move on as SecMaster would', () => {
    expect(state.list(WS, { status: 'RUNNING' }).length).toBeGreaterThanOrEqual(3);
    const moving = state.list(WS).filter((i) => i.status === 'RETRYING' || i.status === 'TERMINATING');
    expect(moving.length).toBeGreaterThanOrEqual(2);
    jest.advanceTimersByTime(5 * MINUTE);
    for (const i of moving) expect(['FINISHED', 'FAILED', 'TERMINATED']).toContain(statusOf(i.id));
  });
});

describe('a retried run', () => {
  it.each(['FAILED', 'TERMINATED'])('of each %s seed is still RETRYING or RUNNING 15 s later (a terminate approved then is not void), and ends within three minutes', (from) => {
    const ids = state.list(WS, { status: from }).map((i) => i.id);
    expect(ids.length).toBeGreaterThanOrEqual(2);
    for (const id of ids) expect(state.operate(WS, id, 'RETRY')).toMatchObject({ ok: true });
    jest.advanceTimersByTime(15_000);
    for (const id of ids) expect([id, statusOf(id)]).toEqual([id, expect.stringMatching(/^(RETRYING|RUNNING)$/)]);
    jest.advanceTimersByTime(3 * MINUTE);
    for (const id of ids) expect([id, statusOf(id)]).toEqual([id, expect.stringMatching(/^(FINISHED|FAILED)$/)]);
  });

  it('can be terminated: the headline approval flow a few seconds after a retry', () => {
    state.operate(WS, ID.bruteForce, 'RETRY');
    jest.advanceTimersByTime(12_000);
    expect(state.operate(WS, ID.bruteForce, 'TERMINATE')).toMatchObject({ ok: true });
    jest.advanceTimersByTime(SANDBOX_TIMING.stepMs);
    expect(statusOf(ID.bruteForce)).toBe('TERMINATED');
  });
});

describe('varied data', () => {
  it('each instance has its own data object, with fields of its own beyond id and name', () => {
    const all = state.list(WS);
    expect(all).toHaveLength(12);
    expect(new Set(all.map((i) => i.dataobject.name)).size).toBe(12);
    expect(new Set(all.map((i) => i.dataobject.id)).size).toBe(12);
    for (const i of all) expect(Object.keys(i.dataobject).length).toBeGreaterThan(2);
    expect(new Set(all.map((i) => i.dataclass.name)).size).toBeGreaterThanOrEqual(3);
    // No data object is named after its instance: they are the alerts the playbooks ran on.
    expect(all.filter((i) => i.dataobject.name === i.name)).toEqual([]);
  });

  it('action logs differ by playbook, and each failure fails at its own step with its own error', () => {
    const all = state.list(WS);
    const actionNames = new Set(all.flatMap((i) => auditLogsFor(i).filter((r) => r.instance_type === 'AOP_WORKFLOW').map((r) => r.action_name)));
    expect(actionNames.size).toBeGreaterThan(12);
    const failed = state.list(WS, { status: 'FAILED' });
    const failures = failed.map((i) => auditLogsFor(i).find((r) => r.status === 'FAILED' && r.instance_type === 'AOP_WORKFLOW')!);
    expect(failures.every(Boolean)).toBe(true);
    expect(new Set(failures.map((f) => f.error_msg)).size).toBe(failed.length);
    // The error names the step that failed.
    for (const f of failures) expect(String(f.error_msg)).toContain(`"${String(f.action_name)}"`);
  });
});

describe('resetDemoInstances', () => {
  it('restores the seeds: statuses as seeded, added instances gone, and no status change of before lands after it', () => {
    const before = seeded();
    state.operate(WS, ID.cryptoMiner, 'TERMINATE');
    state.operate(WS, ID.bruteForce, 'RETRY');
    state.add(WS, { name: 'added by a test', status: 'FAILED' });
    jest.advanceTimersByTime(1000);
    expect(seeded()).not.toEqual(before);

    resetDemoInstances(state, WS);
    expect(seeded()).toEqual(before);
    // The terminate and the retry were in flight: their timers must not move the fresh seeds.
    jest.advanceTimersByTime(5 * MINUTE);
    expect(statusOf(ID.cryptoMiner)).toBe('RUNNING');
    expect(statusOf(ID.bruteForce)).toBe('FAILED');
  });

  it('leaves other workspaces alone', () => {
    const other = state.add('other-workspace', { name: 'elsewhere', status: 'FAILED' });
    resetDemoInstances(state, WS);
    expect(state.get('other-workspace', other.id)?.name).toBe('elsewhere');
  });
});
