import type { SimulatorState } from './state';

/**
 * A dozen demo instances in every status, named like what a SOC sees: used by the sandbox and by
 * `npm run simulator`. IDs are UUIDs, as SecMaster's are.
 */
const DEMO = [
  { name: 'Brute force on ecs-prod-01', playbook: 'Block malicious IP', status: 'FAILED', next: 'FINISHED' },
  { name: 'Phishing mail to finance', playbook: 'Quarantine mailbox', status: 'FAILED', next: 'FAILED' },
  { name: 'Crypto-miner on ecs-batch-07', playbook: 'Isolate host', status: 'RUNNING', next: 'FINISHED' },
  { name: 'Port scan from 198.51.100.23', playbook: 'Block malicious IP', status: 'RUNNING', next: 'FINISHED' },
  { name: 'Leaked AK in public repo', playbook: 'Disable access key', status: 'FINISHED', next: 'FINISHED' },
  { name: 'Suspicious login from new country', playbook: 'Force MFA reset', status: 'FINISHED', next: 'FINISHED' },
  { name: 'SQL injection on shop-api', playbook: 'Add WAF rule', status: 'TERMINATED', next: 'FINISHED' },
  { name: 'Ransomware note on nas-02', playbook: 'Isolate host', status: 'TERMINATED', next: 'FAILED' },
  { name: 'DDoS on lb-edge-3', playbook: 'Enable anti-DDoS profile', status: 'RETRYING', next: 'FINISHED' },
  { name: 'Web shell on cms-01', playbook: 'Isolate host', status: 'TERMINATING', next: 'FINISHED' },
  { name: 'Privilege escalation on k8s-node-4', playbook: 'Cordon node', status: 'FAILED', next: 'FINISHED' },
  { name: 'Malware hash on laptop-231', playbook: 'Quarantine file', status: 'RUNNING', next: 'FAILED' },
] as const;

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
      trigger_type: n % 3 === 0 ? 'TIMER' : 'EVENT',
      start_time: started,
      end_time: started,
      auto_advance: true,
    });
  });
}
