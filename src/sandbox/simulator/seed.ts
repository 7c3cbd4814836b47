import type { SimInstance, SimStep, SimulatorState } from './state';

/**
 * A dozen demo instances in every status, named like what a SOC sees: used by the sandbox, by
 * `SECMASTER_SIMULATOR=1` and by `npm run simulator`. IDs are UUIDs, as SecMaster's are.
 *
 * They are seeded so that the sandbox's headline flows work at any time, not only in its first
 * minute: the RUNNING ones that a person would terminate stay RUNNING until someone acts on them
 * (one finishes by itself, after the simulator's `runningMs`), and a retried run stays RUNNING for
 * several steps, long enough for a terminate to be asked for and approved. Each playbook has its own
 * actions, and each failure its own step and error, so `/playbook log` shows something different
 * for each.
 */

const step = (name: string, output: Record<string, unknown>): SimStep => ({ name, output: JSON.stringify(output) });

/** Each demo playbook's actions, in order. */
const PLAYBOOK_STEPS: Record<string, SimStep[]> = {
  'Block malicious IP': [
    step('Enrich alert with threat intelligence', { ip: '203.0.113.7', reputation: 'malicious', score: 92 }),
    step('Query asset owner from CMDB', { asset: 'ecs-prod-01', owner: 'payments-team' }),
    step('Block IP on WAF', { rule_id: 'waf-rule-1842', action: 'block' }),
    step('Notify SOC channel', { notified: true }),
  ],
  'Quarantine mailbox': [
    step('Parse mail headers', { sender: 'billing@examp1e-pay.com', spf: 'fail', dkim: 'none' }),
    step('Find recipients', { recipients: 14, department: 'finance' }),
    step('Move mail to quarantine', { moved: 14 }),
    step('Reset exposed passwords', { reset: 2 }),
  ],
  'Isolate host': [
    step('Snapshot system disk', { snapshot_id: 'snap-7c21e0' }),
    step('Apply isolation security group', { security_group: 'sg-isolate', ports_open: 0 }),
    step('Collect forensic bundle', { bundle: 'obs://forensics/host-bundle.tgz', size_mb: 412 }),
    step('Open incident ticket', { ticket: 'INC-2481' }),
  ],
  'Disable access key': [
    step('Find key owner in IAM', { user: 'ci-deployer', created: '2024-03-02' }),
    step('Disable access key', { status: 'inactive' }),
    step('Rotate dependent secrets', { rotated: 3 }),
  ],
  'Force MFA reset': [
    step('Geo-check the login', { country: 'unexpected', impossible_travel: true }),
    step('Revoke sessions', { revoked: 5 }),
    step('Require MFA re-enrolment', { user: 'j.doe', mfa: 'reset' }),
  ],
  'Add WAF rule': [
    step('Extract attack payload', { parameter: 'id', pattern: "' OR 1=1 --" }),
    step('Create WAF precise-protection rule', { rule_id: 'waf-rule-2210', mode: 'block' }),
    step('Replay the request against the rule', { blocked: true }),
  ],
  'Enable anti-DDoS profile': [
    step('Measure inbound traffic', { mbps: 9200, pps: 1400000 }),
    step('Switch EIP to anti-DDoS profile', { profile: 'advanced-20g' }),
    step('Confirm traffic scrubbing', { scrubbed_mbps: 8800 }),
  ],
  'Cordon node': [
    step('Identify the escalated pod', { pod: 'payments-7f9c', namespace: 'prod' }),
    step('Cordon node', { node: 'k8s-node-4' }),
    step('Drain workloads', { evicted: 11 }),
    step('Page the platform on-call', { paged: true }),
  ],
  'Quarantine file': [
    step('Look up the hash', { sha256: 'e3b0c442…b855', verdict: 'trojan' }),
    step('Quarantine file on the endpoint', { path: 'C:\\Users\\ana\\Downloads\\invoice.pdf.exe' }),
    step('Full scan of the endpoint', { progress: '63%' }),
  ],
};

interface DemoSeed {
  name: string;
  playbook: keyof typeof PLAYBOOK_STEPS;
  status: string;
  next: SimInstance['next_outcome'];
  dataclass: string;
  /** The alert or incident the playbook ran on: `name` plus fields of its own, as SecMaster's data objects vary. */
  dataobject: { name: string; [field: string]: unknown };
  /** RUNNING: whether it ends by itself (after `runningMs`) or only when someone acts on it. */
  endsByItself?: boolean;
  /** How long a retried run lasts, in simulator steps. */
  runSteps: number;
  failure?: { step: number; reason: string };
}

const DEMO: readonly DemoSeed[] = [
  {
    name: 'Brute force on ecs-prod-01', playbook: 'Block malicious IP', status: 'FAILED', next: 'FINISHED', runSteps: 6,
    dataclass: 'Alert', dataobject: { name: '318 failed SSH logins from 203.0.113.7', severity: 'High', source_ip: '203.0.113.7', target: 'ecs-prod-01', failed_logins: 318 },
    failure: { step: 2, reason: 'Action "Block IP on WAF" failed: WAF.0001 policy quota exceeded' },
  },
  {
    name: 'Phishing mail to finance', playbook: 'Quarantine mailbox', status: 'FAILED', next: 'FAILED', runSteps: 10,
    dataclass: 'Alert', dataobject: { name: 'Credential-phishing mail, 14 recipients', severity: 'Medium', sender: 'billing@examp1e-pay.com', subject: 'Overdue invoice #4471', recipients: 14 },
    failure: { step: 2, reason: 'Action "Move mail to quarantine" failed: MAIL.0403 the service account may not move mail in this mailbox' },
  },
  {
    name: 'Crypto-miner on ecs-batch-07', playbook: 'Isolate host', status: 'RUNNING', next: 'FINISHED', runSteps: 10,
    dataclass: 'Incident', dataobject: { name: 'xmrig mining process at 97% CPU', severity: 'Critical', host: 'ecs-batch-07', process: 'xmrig', cpu_percent: 97 },
  },
  {
    name: 'Port scan from 198.51.100.23', playbook: 'Block malicious IP', status: 'RUNNING', next: 'FINISHED', runSteps: 8,
    dataclass: 'Alert', dataobject: { name: 'TCP SYN scan of 1024 ports', severity: 'Low', source_ip: '198.51.100.23', ports_probed: 1024, target: 'elb-public-1' },
  },
  {
    name: 'Leaked AK in public repo', playbook: 'Disable access key', status: 'FINISHED', next: 'FINISHED', runSteps: 5,
    dataclass: 'Vulnerability', dataobject: { name: 'Access key committed to a public repository', severity: 'Critical', repository: 'github.com/acme/deploy-scripts', key_owner: 'ci-deployer' },
  },
  {
    name: 'Suspicious login from new country', playbook: 'Force MFA reset', status: 'FINISHED', next: 'FINISHED', runSteps: 5,
    dataclass: 'Alert', dataobject: { name: 'Console login by j.doe from an unusual country', severity: 'Medium', user: 'j.doe', country: 'unexpected', client: 'Console' },
  },
  {
    name: 'SQL injection on shop-api', playbook: 'Add WAF rule', status: 'TERMINATED', next: 'FINISHED', runSteps: 8,
    dataclass: 'Alert', dataobject: { name: 'SQL injection attempts on /api/v2/products', severity: 'High', url: '/api/v2/products?id=1%27%20OR%201=1', requests: 52 },
  },
  {
    name: 'Ransomware note on nas-02', playbook: 'Isolate host', status: 'TERMINATED', next: 'FAILED', runSteps: 10,
    dataclass: 'Incident', dataobject: { name: 'Ransom note and mass file renames on nas-02', severity: 'Critical', host: 'nas-02', file: 'README_RESTORE.txt', encrypted_files: 20331 },
    failure: { step: 1, reason: 'Action "Apply isolation security group" failed: VPC.0601 security group quota exceeded' },
  },
  {
    name: 'DDoS on lb-edge-3', playbook: 'Enable anti-DDoS profile', status: 'RETRYING', next: 'FINISHED', runSteps: 12,
    dataclass: 'Incident', dataobject: { name: '9.2 Gbit/s SYN flood on 192.0.2.45', severity: 'High', eip: '192.0.2.45', load_balancer: 'lb-edge-3', peak_gbps: 9.2 },
  },
  {
    name: 'Web shell on cms-01', playbook: 'Isolate host', status: 'TERMINATING', next: 'FINISHED', runSteps: 8,
    dataclass: 'Incident', dataobject: { name: 'PHP web shell in the uploads folder', severity: 'Critical', host: 'cms-01', path: '/var/www/uploads/.cache.php' },
  },
  {
    name: 'Privilege escalation on k8s-node-4', playbook: 'Cordon node', status: 'FAILED', next: 'FINISHED', runSteps: 10,
    dataclass: 'Alert', dataobject: { name: 'Container escape attempt in payments-7f9c', severity: 'High', cluster: 'cce-prod', node: 'k8s-node-4', pod: 'payments-7f9c' },
    failure: { step: 1, reason: 'Action "Cordon node" failed: CCE.01403 the node is locked by an upgrade in progress' },
  },
  {
    name: 'Malware hash on laptop-231', playbook: 'Quarantine file', status: 'RUNNING', next: 'FAILED', runSteps: 8, endsByItself: true,
    dataclass: 'Alert', dataobject: { name: 'Known trojan hash on laptop-231', severity: 'High', endpoint: 'laptop-231', user: 'ana', file: 'invoice.pdf.exe' },
    failure: { step: 2, reason: 'Action "Full scan of the endpoint" failed: HSS.1021 the agent went offline during the scan' },
  },
];

const IDS = [
  '3f2b8c1e-5d4a-4e8b-9c71-0a6f2d9e4b13',
  '8a1d7e44-2c3b-4f5a-b6e8-91c0d3a7f2e5',
  'c47e2a90-6b1f-4d38-a5c2-7e9b0f1d3a64',
  '1b9f3d62-8e4c-47a1-9d0b-5c2e7a4f8b36',
  'e5a0c7d3-4b2f-4e91-8c6a-3d1f9b7e2a08',
  '6d3e9b21-7a5c-4f0e-b2d8-a4c1e6f93b57',
  'a2f8e6c4-1d9b-4a37-8e5f-0b3c7d2a9e61',
  '4c7b1a95-3e6d-48f2-9a0c-d8e2b5f1c7a3',
  'f9d2c8b7-0e1a-4c63-b5d4-2a7f9e3c1b80',
  '7e4a2d16-9c8b-4b05-a3f7-e1d6c0b9a2f4',
  'b8c5f3e1-2a7d-4d96-9f0e-6c4b1a8d3e72',
  '2d6a9f08-b4e3-4f1c-8d7a-c9e5b2f0a6d1',
];

export function seedDemoInstances(state: SimulatorState, workspaceId: string, now: number = Date.now()): void {
  state.addWorkspace(workspaceId);
  DEMO.forEach((d, n) => {
    const started = new Date(now - (n + 1) * 7 * 60_000).toISOString();
    state.add(workspaceId, {
      id: IDS[n],
      name: d.name,
      status: d.status,
      next_outcome: d.next,
      playbook: { id: `pb-${n + 1}`, version_id: `pbv-${n + 1}`, name: d.playbook, version: `v1.${n % 4}` },
      dataclass: { id: `dc-${d.dataclass.toLowerCase()}`, name: d.dataclass },
      dataobject: { id: `do-${IDS[n]!.slice(0, 8)}`, ...d.dataobject },
      trigger_type: n % 3 === 0 ? 'TIMER' : 'EVENT',
      start_time: started,
      end_time: started,
      auto_advance: d.endsByItself ?? false,
      run_steps: d.runSteps,
      steps: PLAYBOOK_STEPS[d.playbook],
      failing_step: d.failure?.step,
      failure_reason: d.failure?.reason,
    });
  });
}

/** The sandbox's reset: every instance of the workspace goes (added ones too), and the seeds come back as new. */
export function resetDemoInstances(state: SimulatorState, workspaceId: string, now: number = Date.now()): void {
  state.clearWorkspace(workspaceId);
  seedDemoInstances(state, workspaceId, now);
}
