/**
 * Fault injection for tests and the fault suite: latency, error answers (5xx, 429 with
 * `Retry-After`), and dropped connections, each before the request is handled or after it (the
 * request took effect but its answer is lost or replaced: what makes an operation's outcome unknown).
 */
export type Fault =
  | { kind: 'latency'; ms: number }
  /** An error answer; `body`, when given, is sent as it is (any shape: camelCase keys, an HTML page…). */
  | { kind: 'status'; status: number; code?: string; message?: string; retryAfterS?: number; body?: string }
  | { kind: 'drop' };

export interface FaultRule {
  fault: Fault;
  /** `before`: the request is not handled; `after`: it is handled, then the answer is replaced. */
  when: 'before' | 'after';
  method?: string;
  /** Matches when the path contains this text. */
  pathIncludes?: string;
  /** How many matching requests it affects (default: every one). */
  times?: number;
}

export class FaultInjector {
  private rules: Array<FaultRule & { left: number }> = [];
  /** How many requests each fault kind touched. */
  readonly injected: Record<string, number> = {};

  add(rule: FaultRule): void {
    this.rules.push({ ...rule, left: rule.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.rules = [];
  }

  /** The faults that apply to this request now, consuming one use of each. */
  take(method: string, path: string): FaultRule[] {
    const hits: FaultRule[] = [];
    for (const r of this.rules) {
      if (r.left <= 0) continue;
      if (r.method && r.method.toUpperCase() !== method.toUpperCase()) continue;
      if (r.pathIncludes && !path.includes(r.pathIncludes)) continue;
      r.left--;
      hits.push(r);
      const label = r.fault.kind === 'status' ? `status_${r.fault.status}_${r.when}` : `${r.fault.kind}_${r.when}`;
      this.injected[label] = (this.injected[label] ?? 0) + 1;
    }
    this.rules = this.rules.filter((r) => r.left > 0);
    return hits;
  }
}
