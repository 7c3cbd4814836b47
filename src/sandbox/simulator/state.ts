import { randomUUID } from 'node:crypto';

/**
 * The simulator's playbook instances and how their status moves on, the way SecMaster does it:
 * RETRY → RETRYING → RUNNING → FINISHED or FAILED; TERMINATE → TERMINATING → TERMINATED; a RUNNING
 * instance finishes on its own. Timings are scaled by `stepMs` so tests run in milliseconds.
 */

export interface SimInstance {
  id: string;
  name: string;
  project_id: string;
  workspace_id: string;
  playbook: { id: string; version_id: string; name: string; version: string };
  dataclass: { id: string; name: string };
  dataobject: { id: string; name: string; [k: string]: unknown };
  status: string;
  trigger_type: 'TIMER' | 'EVENT';
  start_time: string;
  end_time: string;
  /** How the next run ends: FINISHED or FAILED. Not part of the API answer. */
  next_outcome: 'FINISHED' | 'FAILED';
  /** Whether a RUNNING instance moves on by itself. Not part of the API answer. */
  auto_advance: boolean;
  /** Why the last run failed, for the action log. Not part of the API answer. */
  failure_reason?: string;
  /**
   * How long a run started by RETRY stays RUNNING, in steps of `stepMs` (default 1). Not part of the
   * API answer. Real playbooks run for a while: long enough to be terminated after an approval.
   */
  run_steps?: number;
  /** The playbook's actions, for the action log (default: a generic four-step playbook). Not part of the API answer. */
  steps?: SimStep[];
  /** Which of `steps` a FAILED run failed at (default: the third, or the last of fewer). Not part of the API answer. */
  failing_step?: number;
}

export interface SimStep {
  name: string;
  /** The action's output as SecMaster shows it: a JSON text. */
  output: string;
}

export interface SimulatorTiming {
  /** Time each intermediate status lasts (RETRYING, RUNNING after a retry, TERMINATING). */
  stepMs: number;
  /** How long an instance that is RUNNING on its own keeps running (0 = forever). */
  runningMs: number;
}

export type Operation = 'RETRY' | 'TERMINATE';

/**
 * Which status takes which operation. Huawei documents no such table (OperatePlaybookInstance's page
 * names the two operations only, shared/seeds/secmaster-operate-playbook-instance.txt); the user
 * manual says an instance cannot be retried until its current run has ended. The simulator applies
 * the rule of the interface spec (shared/spec/interface.md §4: "RETRY needs FAILED or TERMINATED;
 * TERMINATE needs RUNNING or RETRYING") on its own, so the bot's copy of that rule is checked, not
 * borrowed.
 */
const ACCEPTS: Readonly<Record<Operation, readonly string[]>> = {
  RETRY: ['FAILED', 'TERMINATED'],
  TERMINATE: ['RUNNING', 'RETRYING'],
};

export type OperateResult =
  | { ok: true; instance: SimInstance }
  | { ok: false; reason: 'not_found' | 'not_allowed'; status?: string };

const API_FIELDS = ['id', 'name', 'project_id', 'playbook', 'dataclass', 'dataobject', 'status', 'trigger_type', 'start_time', 'end_time'] as const;

/** The instance as the API shows it (no simulator bookkeeping). */
export function publicView(i: SimInstance): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of API_FIELDS) out[k] = i[k];
  return out;
}

export class SimulatorState {
  private readonly instances = new Map<string, SimInstance>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly workspaces = new Set<string>();
  /** Bumped on every change, so a timer scheduled for an older status does nothing. */
  private readonly generation = new WeakMap<SimInstance, number>();
  /** Every status change, for tests and the sandbox panel. */
  readonly history: Array<{ workspace_id: string; id: string; from: string; to: string; at: number }> = [];
  private listeners: Array<(i: SimInstance) => void> = [];

  constructor(
    readonly projectId: string,
    public timing: SimulatorTiming,
    private readonly now: () => number = Date.now,
  ) {}

  private key(workspaceId: string, id: string) {
    return `${workspaceId}/${id}`;
  }

  /** Calls `listener` after every status change; returns how to stop. */
  onChange(listener: (i: SimInstance) => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  add(workspaceId: string, partial: Partial<SimInstance> & { status: string }): SimInstance {
    const id = partial.id ?? randomUUID();
    const iso = new Date(this.now()).toISOString();
    const instance: SimInstance = {
      id,
      name: partial.name ?? `instance-${id.slice(0, 8)}`,
      project_id: this.projectId,
      workspace_id: workspaceId,
      playbook: partial.playbook ?? { id: randomUUID(), version_id: randomUUID(), name: 'Block malicious IP', version: 'v1.2' },
      dataclass: partial.dataclass ?? { id: randomUUID(), name: 'Alert' },
      dataobject: partial.dataobject ?? { id: randomUUID(), name: 'Brute force on ecs-prod-01' },
      status: partial.status,
      trigger_type: partial.trigger_type ?? 'EVENT',
      start_time: partial.start_time ?? iso,
      end_time: partial.end_time ?? iso,
      next_outcome: partial.next_outcome ?? 'FINISHED',
      auto_advance: partial.auto_advance ?? false,
      failure_reason: partial.failure_reason,
      run_steps: partial.run_steps,
      steps: partial.steps,
      failing_step: partial.failing_step,
    };
    this.instances.set(this.key(workspaceId, id), instance);
    this.workspaces.add(workspaceId);
    for (const l of this.listeners) l(instance);
    if (instance.auto_advance) this.scheduleProgress(instance, false);
    else if (instance.status === 'RETRYING' || instance.status === 'TERMINATING') this.scheduleProgress(instance, true);
    return instance;
  }

  get(workspaceId: string, id: string): SimInstance | undefined {
    return this.instances.get(this.key(workspaceId, id));
  }

  addWorkspace(workspaceId: string): void {
    this.workspaces.add(workspaceId);
  }

  hasWorkspace(workspaceId: string): boolean {
    return this.workspaces.has(workspaceId);
  }

  list(workspaceId: string, filter: { status?: string; name?: string; playbook_name?: string } = {}): SimInstance[] {
    return [...this.instances.values()]
      .filter((i) => i.workspace_id === workspaceId)
      .filter((i) => !filter.status || i.status === filter.status)
      .filter((i) => !filter.name || i.name.includes(filter.name))
      .filter((i) => !filter.playbook_name || i.playbook.name.includes(filter.playbook_name))
      .sort((a, b) => (a.start_time < b.start_time ? 1 : a.start_time > b.start_time ? -1 : 0));
  }

  all(): SimInstance[] {
    return [...this.instances.values()];
  }

  /**
   * Removes every instance of a workspace (the sandbox's reset, before it seeds again). Their
   * pending status changes are void: a timer finds its instance's generation moved on.
   */
  clearWorkspace(workspaceId: string): void {
    for (const [key, i] of this.instances) {
      if (i.workspace_id !== workspaceId) continue;
      this.generation.set(i, (this.generation.get(i) ?? 0) + 1);
      this.instances.delete(key);
    }
  }

  /** Sets a status directly (tests, the sandbox panel). */
  setStatus(workspaceId: string, id: string, status: string): SimInstance | undefined {
    const i = this.get(workspaceId, id);
    if (i) this.transition(i, status);
    return i;
  }

  operate(workspaceId: string, id: string, operation: Operation): OperateResult {
    const i = this.get(workspaceId, id);
    if (!i) return { ok: false, reason: 'not_found' };
    if (!ACCEPTS[operation].includes(i.status)) return { ok: false, reason: 'not_allowed', status: i.status };
    if (operation === 'RETRY') i.start_time = new Date(this.now()).toISOString();
    this.transition(i, operation === 'RETRY' ? 'RETRYING' : 'TERMINATING', true);
    return { ok: true, instance: i };
  }

  /**
   * Schedules the next status of an instance in motion. A run started by an operation always moves
   * on; a RUNNING instance that was simply there moves on only when `auto_advance` is set.
   */
  private scheduleProgress(i: SimInstance, operated: boolean): void {
    const status = i.status;
    const generation = this.generation.get(i) ?? 0;
    const later = (ms: number, to: () => string) =>
      this.schedule(ms, () => {
        // Something else (an operation, a test) moved it first: that change scheduled its own future.
        if ((this.generation.get(i) ?? 0) === generation) this.transition(i, to(), true);
      });
    if (status === 'RETRYING') later(this.timing.stepMs, () => 'RUNNING');
    else if (status === 'TERMINATING') later(this.timing.stepMs, () => 'TERMINATED');
    else if (status === 'RUNNING' && operated) later(this.timing.stepMs * (i.run_steps ?? 1), () => i.next_outcome);
    else if (status === 'RUNNING' && i.auto_advance && this.timing.runningMs > 0) later(this.timing.runningMs, () => i.next_outcome);
    else if (status === 'FAILED') i.failure_reason ??= 'Action "Block IP on WAF" failed: WAF.0001 policy quota exceeded';
  }

  private transition(i: SimInstance, to: string, operated = false): void {
    const from = i.status;
    this.generation.set(i, (this.generation.get(i) ?? 0) + 1);
    i.status = to;
    i.end_time = new Date(this.now()).toISOString();
    this.history.push({ workspace_id: i.workspace_id, id: i.id, from, to, at: this.now() });
    this.scheduleProgress(i, operated);
    for (const l of this.listeners) l(i);
  }

  private schedule(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
