import type { Policy } from './load';

/** The loaded policy, read on every decision (so a reload would take effect at once). */
export interface PolicyHolder {
  get(): Policy;
  loaded(): boolean;
  set(policy: Policy): void;
}

export function createPolicyHolder(initial: Policy): PolicyHolder {
  let current: Policy | undefined = initial;
  return {
    get: () => {
      if (!current) throw new Error('policy not loaded');
      return current;
    },
    loaded: () => current !== undefined,
    set: (p) => {
      current = p;
    },
  };
}
