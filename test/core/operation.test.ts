import { FINAL_STATUSES, INSTANCE_STATUSES, isFinalStatus, OPERATION_NAMES, OPERATIONS, operationNamed, statusAllows, type Operation } from '../../src/core';
import { SimulatorState } from '../../src/sandbox/simulator/state';

/**
 * The one table of what each operation needs and means, checked against what nobody here derived
 * from it: the interface spec's words, and the SecMaster simulator, which applies the spec's rule
 * with its own table (src/sandbox/simulator/state.ts `ACCEPTS`) and moves statuses on the way the
 * service does.
 */

const WS = 'ws-1';
const UNKNOWN = 'PAUSED';

function simulator(): SimulatorState {
  let t = Date.parse('2026-01-01T00:00:00.000Z');
  // Long steps: nothing moves on by itself while a test looks.
  return new SimulatorState('proj-1', { stepMs: 3_600_000, runningMs: 0 }, () => (t += 1000));
}

describe('the statuses', () => {
  it('are the six the spec lists (section 3), and the final ones are FINISHED, FAILED and TERMINATED', () => {
    expect([...INSTANCE_STATUSES].sort()).toEqual(['FAILED', 'FINISHED', 'RETRYING', 'RUNNING', 'TERMINATED', 'TERMINATING']);
    expect([...FINAL_STATUSES].sort()).toEqual(['FAILED', 'FINISHED', 'TERMINATED']);
    expect(INSTANCE_STATUSES.filter(isFinalStatus).sort()).toEqual(['FAILED', 'FINISHED', 'TERMINATED']);
    expect(isFinalStatus(UNKNOWN)).toBe(false);
    expect(isFinalStatus('constructor')).toBe(false);
  });
});

describe('OPERATIONS: which status takes which operation', () => {
  // Spec section 4: "RETRY needs FAILED or TERMINATED; TERMINATE needs RUNNING or RETRYING".
  const SPEC: Record<Operation, string[]> = { RETRY: ['FAILED', 'TERMINATED'], TERMINATE: ['RUNNING', 'RETRYING'] };

  it.each(OPERATION_NAMES)('%s is allowed from exactly the statuses the spec names', (op) => {
    expect([...INSTANCE_STATUSES, UNKNOWN].filter((s) => statusAllows(s, op)).sort()).toEqual([...SPEC[op]].sort());
  });

  it.each([...INSTANCE_STATUSES, UNKNOWN].flatMap((status) => OPERATION_NAMES.map((op) => [status, op] as const)))('%s + %s: the bot refuses exactly what the simulator refuses', (status, op) => {
    const sim = simulator();
    const i = sim.add(WS, { status });
    expect(sim.operate(WS, i.id, op).ok).toBe(statusAllows(status, op));
  });
});

describe('OPERATIONS: what an accepted operation looks like afterwards', () => {
  it.each(OPERATION_NAMES.flatMap((op) => OPERATIONS[op].allowedFrom.map((from) => [op, from] as const)))('%s from %s: the simulator shows the in-progress status, which reads as taking effect', (op, from) => {
    const sim = simulator();
    const i = sim.add(WS, { status: from });
    const before = { status: i.status, start_time: i.start_time };
    expect(sim.operate(WS, i.id, op).ok).toBe(true);
    const after = sim.get(WS, i.id)!;
    expect(after.status).toBe(OPERATIONS[op].inProgress);
    expect(OPERATIONS[op].tookEffect(before, after)).toBe(true);
  });

  it.each(OPERATION_NAMES.flatMap((op) => OPERATIONS[op].allowedFrom.map((from) => [op, from] as const)))('%s from %s: a read that finds the instance unchanged says it did not take effect', (op, from) => {
    const sim = simulator();
    const i = sim.add(WS, { status: from });
    const unchanged = { status: i.status, start_time: i.start_time };
    expect(OPERATIONS[op].tookEffect(unchanged, sim.get(WS, i.id)!)).toBe(false);
  });

  it('a retry that already ran to an end again still reads as taken effect: its start time is new', () => {
    const sim = simulator();
    const i = sim.add(WS, { status: 'FAILED' });
    const before = { status: i.status, start_time: i.start_time };
    sim.operate(WS, i.id, 'RETRY');
    for (const later of ['RUNNING', 'FAILED', 'FINISHED']) {
      sim.setStatus(WS, i.id, later);
      expect(OPERATIONS.RETRY.tookEffect(before, sim.get(WS, i.id)!)).toBe(true);
    }
  });

  it('a termination shows as TERMINATING, then TERMINATED: both are taken effect, and both say a terminate is already under way', () => {
    const sim = simulator();
    const i = sim.add(WS, { status: 'RUNNING' });
    const before = { status: i.status, start_time: i.start_time };
    sim.operate(WS, i.id, 'TERMINATE');
    for (const later of ['TERMINATING', 'TERMINATED']) {
      sim.setStatus(WS, i.id, later);
      expect(OPERATIONS.TERMINATE.tookEffect(before, sim.get(WS, i.id)!)).toBe(true);
      expect(OPERATIONS.TERMINATE.alreadyUnderWay).toContain(later);
    }
  });

  it.each(OPERATION_NAMES)('%s: the statuses that say it is under way are ones it cannot be asked from again', (op) => {
    for (const s of OPERATIONS[op].alreadyUnderWay) expect(statusAllows(s, op)).toBe(false);
    expect(OPERATIONS[op].alreadyUnderWay).toContain(OPERATIONS[op].inProgress);
    expect(isFinalStatus(OPERATIONS[op].inProgress)).toBe(false);
  });
});

describe('OPERATIONS: the words', () => {
  it('the command words are the spec’s (`/playbook retry`, `/playbook terminate`) and name their operation back', () => {
    expect(OPERATION_NAMES.map((op) => OPERATIONS[op].verb)).toEqual(['retry', 'terminate']);
    for (const op of OPERATION_NAMES) expect(operationNamed(OPERATIONS[op].verb)).toBe(op);
    expect(operationNamed('RETRY')).toBeUndefined();
    expect(operationNamed('constructor')).toBeUndefined();
  });

  it('titles are the verbs capitalised', () => {
    for (const op of OPERATION_NAMES) expect(OPERATIONS[op].title).toBe(OPERATIONS[op].verb[0]!.toUpperCase() + OPERATIONS[op].verb.slice(1));
  });
});
