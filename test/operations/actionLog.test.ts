import { MAX_AUDIT_LOG_PAGES, readActionLog } from '../../src/operations/actionLog';
import type { AuditLogFilter, SecMasterClient } from '../../src/secmaster/client';
import { SecMasterError } from '../../src/secmaster/errors';
import type { AuditLog, Topology } from '../../src/secmaster/schemas';

/**
 * How the action log is asked for: by `parent_instance_id`, in pages of 50 (ListPlaybookAuditLogs
 * takes `limit` 10–50), topology only when the audit log has nothing, a refusal named and logged.
 * The client here is a stand-in that answers from a list of rows and refuses a limit outside the
 * documented bounds, as the API page says the service does.
 */
const TARGET = { workspaceId: 'ws-1', instanceId: '3f2b8c1e-5d4a-4e8b-9c71-0a6f2d9e4b13' };
const TOPOLOGY: Topology = { count: 1, action_instances: [{ action: { id: 'a1', name: 'Enrich', action_type: undefined }, instance_log: { status: 'FAILED', start_time: undefined, end_time: undefined, error_msg: 'boom' } }] };

function row(n: number): AuditLog {
  return { instance_id: `run-${n}`, instance_type: 'AOP_WORKFLOW', action_id: `a${n}`, action_name: `step ${n}`, status: 'FINISHED', start_time: undefined, end_time: undefined, error_msg: undefined };
}

function standIn(opts: { rows?: AuditLog[]; auditError?: SecMasterError; topologyError?: SecMasterError }) {
  const pages: Array<{ filter: AuditLogFilter; offset: number; limit: number }> = [];
  let topologyReads = 0;
  const client = {
    async listAuditLogs(_ws: string, filter: AuditLogFilter, page: { offset: number; limit: number }) {
      pages.push({ filter, ...page });
      if (opts.auditError) throw opts.auditError;
      if (page.limit < 10 || page.limit > 50) throw new SecMasterError({ kind: 'http', call: 'POST auditlogs', status: 400, code: 'SecMaster.20010003', message: 'limit out of range' });
      const all = opts.rows ?? [];
      return { data: { count: all.length, logs: all.slice(page.offset, page.offset + page.limit) }, requestId: `rid-${page.offset}` };
    },
    async getTopology() {
      topologyReads++;
      if (opts.topologyError) throw opts.topologyError;
      return { data: TOPOLOGY, requestId: 'rid-topology' };
    },
  } as unknown as SecMasterClient;
  const warnings: Array<{ message: string; meta: Record<string, unknown> }> = [];
  const logger = { warn: (message: string, meta: Record<string, unknown>) => warnings.push({ message, meta }) } as never;
  return { client, pages, warnings, logger, topologyReads: () => topologyReads };
}

describe('readActionLog', () => {
  it('asks for the rows whose parent is the instance, 50 at a time, until count is reached', async () => {
    const s = standIn({ rows: Array.from({ length: 120 }, (_, n) => row(n)) });
    const read = await readActionLog(s.client, TARGET, s.logger);
    expect(s.pages).toEqual([
      { filter: { parent_instance_id: TARGET.instanceId }, offset: 0, limit: 50 },
      { filter: { parent_instance_id: TARGET.instanceId }, offset: 50, limit: 50 },
      { filter: { parent_instance_id: TARGET.instanceId }, offset: 100, limit: 50 },
    ]);
    expect(read.logs).toHaveLength(120);
    expect(read.requestId).toBe('rid-0');
    expect(read.topology).toBeUndefined();
    expect(s.topologyReads()).toBe(0);
    expect(read.unavailable).toBeUndefined();
  });

  it('reads one page when it is not full, and never more than the page cap', async () => {
    const few = standIn({ rows: [row(1), row(2)] });
    await readActionLog(few.client, TARGET, few.logger);
    expect(few.pages).toHaveLength(1);
    const many = standIn({ rows: Array.from({ length: 1000 }, (_, n) => row(n)) });
    const read = await readActionLog(many.client, TARGET, many.logger);
    expect(many.pages).toHaveLength(MAX_AUDIT_LOG_PAGES);
    expect(read.logs).toHaveLength(MAX_AUDIT_LOG_PAGES * 50);
  });

  it('falls back to the topology when the audit log has no row', async () => {
    const s = standIn({ rows: [] });
    const read = await readActionLog(s.client, TARGET, s.logger);
    expect(s.topologyReads()).toBe(1);
    expect(read).toMatchObject({ logs: [], topology: TOPOLOGY, requestId: 'rid-topology' });
    expect(read.unavailable).toBeUndefined();
    expect(s.warnings).toEqual([]);
  });

  it('a refused audit log is logged with its code and request ID and handed on; the topology is shown instead', async () => {
    const refusal = new SecMasterError({ kind: 'http', call: 'POST auditlogs', status: 403, code: 'SecMaster.20010001', message: 'no permission', requestId: 'rid-refused' });
    const s = standIn({ auditError: refusal });
    const read = await readActionLog(s.client, TARGET, s.logger);
    expect(read.unavailable).toBe(refusal);
    expect(read.topology).toBe(TOPOLOGY);
    expect(s.warnings).toHaveLength(1);
    expect(s.warnings[0]!.message).toMatch(/audit log could not be read/);
    expect(s.warnings[0]!.meta).toMatchObject({ code: 'SecMaster.20010001', request_id: 'rid-refused', status: 403, instance_id: TARGET.instanceId });
  });

  it('when both fail, the audit log\'s refusal is the one named, and both are logged', async () => {
    const auditError = new SecMasterError({ kind: 'http', call: 'a', status: 400, code: 'SecMaster.A', message: 'a' });
    const topologyError = new SecMasterError({ kind: 'network', call: 't', message: 'reset' });
    const s = standIn({ auditError, topologyError });
    const read = await readActionLog(s.client, TARGET, s.logger);
    expect(read.unavailable).toBe(auditError);
    expect(s.warnings.map((w) => w.message)).toEqual([expect.stringMatching(/audit log/), expect.stringMatching(/topology/)]);
  });
});
