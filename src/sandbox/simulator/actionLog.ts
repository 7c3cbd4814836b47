import type { SimInstance, SimStep } from './state';

/**
 * Realistic action logs for the simulator's `auditlogs` and `topology` calls: a playbook's steps,
 * each with a status and times; a FAILED instance has one failing step with its error message and
 * the steps after it never ran.
 */
const STEPS: SimStep[] = [
  { name: 'Enrich alert with threat intelligence', output: '{"ip":"203.0.113.7","reputation":"malicious","score":92}' },
  { name: 'Query asset owner from CMDB', output: '{"asset":"ecs-prod-01","owner":"payments-team"}' },
  { name: 'Block IP on WAF', output: '{"rule_id":"waf-rule-1842","action":"block"}' },
  { name: 'Notify SOC channel', output: '{"notified":true}' },
];

export interface SimAction {
  id: string;
  name: string;
  status: string;
  start_time: string;
  end_time: string;
  output: string;
  error_msg?: string;
}

export function actionsFor(i: SimInstance): SimAction[] {
  const start = Date.parse(i.start_time) || Date.now();
  const steps = i.steps && i.steps.length > 0 ? i.steps : STEPS;
  const failAt = i.status === 'FAILED' ? Math.min(i.failing_step ?? 2, steps.length - 1) : -1;
  const done = i.status === 'FINISHED' ? steps.length : i.status === 'FAILED' ? failAt + 1 : i.status === 'RUNNING' || i.status === 'RETRYING' ? 1 : Math.min(2, steps.length);
  return steps.slice(0, Math.max(1, done)).map((step, n) => {
    const failed = n === failAt;
    const running = n === done - 1 && (i.status === 'RUNNING' || i.status === 'RETRYING');
    const terminated = n === done - 1 && (i.status === 'TERMINATED' || i.status === 'TERMINATING');
    return {
      id: `${i.id.slice(0, 8)}-action-${n + 1}`,
      name: step.name,
      status: failed ? 'FAILED' : running ? 'RUNNING' : terminated ? 'TERMINATED' : 'FINISHED',
      start_time: new Date(start + n * 4000).toISOString(),
      end_time: new Date(start + n * 4000 + 3000).toISOString(),
      output: failed ? '' : step.output,
      error_msg: failed ? (i.failure_reason ?? 'step failed') : undefined,
    };
  });
}

/**
 * A time the way SecMaster documents its playbook times: `YYYY-MM-DDTHH:mm:ss…+timezone`, "for
 * example 2021-01-30T23:00:00Z+0800", the clock of the zone the instance ran in (huaweicloud-sdk-python-v3
 * `…/secmaster/v1/model/show_playbook_monitors_request.py`). The simulator's instances run in UTC+8.
 */
export function documentedTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return `${new Date(ms + 8 * 3600_000).toISOString().slice(0, 19)}Z+0800`;
}

/**
 * The ListPlaybookAuditLogs rows of one playbook instance, shaped like `AuditLogInfo`: one
 * PLAYBOOK row for the instance itself (no parent) and one AOP_WORKFLOW row per action, whose
 * `parent_instance_id` is the playbook instance and whose `instance_id` is the action's own run.
 */
export function auditLogsFor(i: SimInstance): Array<Record<string, unknown>> {
  const playbookEntry = {
    instance_type: 'PLAYBOOK',
    action_id: i.playbook.id,
    action_name: i.playbook.name,
    instance_id: i.id,
    parent_instance_id: '',
    log_level: i.status === 'FAILED' ? 'ERROR' : 'INFO',
    input: JSON.stringify({ dataobject_id: i.dataobject.id }),
    output: '',
    error_msg: i.status === 'FAILED' ? (i.failure_reason ?? 'playbook failed') : '',
    start_time: documentedTime(i.start_time),
    end_time: documentedTime(i.end_time),
    status: i.status,
    trigger_type: i.trigger_type,
  };
  return [
    playbookEntry,
    ...actionsFor(i).map((a) => ({
      instance_type: 'AOP_WORKFLOW',
      action_id: a.id,
      action_name: a.name,
      instance_id: `${i.id}-${a.id}`,
      parent_instance_id: i.id,
      log_level: a.status === 'FAILED' ? 'ERROR' : 'INFO',
      input: '',
      output: a.output,
      error_msg: a.error_msg ?? '',
      start_time: documentedTime(a.start_time),
      end_time: documentedTime(a.end_time),
      status: a.status,
      trigger_type: i.trigger_type,
    })),
  ];
}

export function topologyFor(i: SimInstance): Record<string, unknown> {
  const actions = actionsFor(i);
  return {
    count: actions.length,
    action_instances: actions.map((a) => ({
      action: { id: a.id, name: a.name, action_type: 'AOP_WORKFLOW' },
      instance_log: { status: a.status, start_time: a.start_time, end_time: a.end_time, error_msg: a.error_msg ?? '' },
    })),
  };
}
