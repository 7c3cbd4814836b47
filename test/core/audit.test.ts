import { APPROVAL_STATES, AUDIT_OUTCOMES, DENY_REASONS, INSTANCE_STATUSES, isAuditOutcome, OUTCOME_CODES, type AuditRecord } from '../../src/core';

describe('AuditOutcome: a closed list', () => {
  it('holds every reason code, denial reason, approval state and instance status, each once', () => {
    for (const s of [...OUTCOME_CODES, ...DENY_REASONS, ...APPROVAL_STATES, ...INSTANCE_STATUSES, 'vote', 'revoked', 'self_approval', 'not_approver', 'interrupted', 'card_not_posted', 'confirmed', 'confirm_failed', 'unsubscribed']) {
      expect(isAuditOutcome(s)).toBe(true);
    }
    expect(new Set(AUDIT_OUTCOMES).size).toBe(AUDIT_OUTCOMES.length);
  });

  it('refuses what is not on it, at run time and at compile time', () => {
    expect(isAuditOutcome('ok')).toBe(false);
    expect(isAuditOutcome('constructor')).toBe(false);
    const record: AuditRecord = {
      event: 'operation',
      user: 'U1',
      // @ts-expect-error an ad-hoc outcome does not compile
      outcome: 'ok',
      at: '2026-01-01T00:00:00.000Z',
    };
    expect(record.outcome).toBe('ok');
  });
});
