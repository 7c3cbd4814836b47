import { seedDemoInstances, startSimulator } from '../sandbox/simulator';

/**
 * `npm run simulator`: the SecMaster simulator on its own, seeded with demo instances, with its
 * control endpoints on, printing how to point the bot at it.
 */
export interface SimulatorCliOptions {
  port: number;
  out: (line: string) => void;
}

export const SIMULATOR_DEFAULTS = {
  projectId: 'sim-project',
  workspaceId: 'sim-workspace',
  token: 'sim-static-token-0123456789abcdef',
  accessKey: 'SIMACCESSKEY0001',
  secretKey: 'sim-secret-key-0123456789abcdef',
  iamUser: { domain: 'sim-domain', user: 'sim-user', password: 'sim-password-123' },
};

export async function runSimulatorCli({ port, out }: SimulatorCliOptions) {
  const d = SIMULATOR_DEFAULTS;
  const sim = await startSimulator({
    port,
    host: '127.0.0.1',
    projectId: d.projectId,
    control: true,
    timing: { stepMs: 5000, runningMs: 60_000 },
    credentials: { staticTokens: [d.token], accessKeys: { [d.accessKey]: d.secretKey }, users: [d.iamUser] },
  });
  seedDemoInstances(sim.state, d.workspaceId);
  out(`SecMaster simulator listening on ${sim.url} (${sim.state.all().length} demo instances in workspace ${d.workspaceId})`);
  out('Point the bot at it with:');
  out(`  SECMASTER_ENDPOINT=${sim.url} SECMASTER_PROJECT_ID=${d.projectId} SECMASTER_WORKSPACE_ID=${d.workspaceId}`);
  out(`  and one of: SECMASTER_AUTH_TOKEN=${d.token}`);
  out(`          or: CLOUD_SDK_AK=${d.accessKey} CLOUD_SDK_SK=${d.secretKey}`);
  out(`          or: IAM_ENDPOINT=${sim.url} HUAWEICLOUD_IAM_DOMAIN=${d.iamUser.domain} HUAWEICLOUD_IAM_USER=${d.iamUser.user} HUAWEICLOUD_IAM_PASSWORD=${d.iamUser.password}`);
  out(`Control: GET ${sim.url}/_sim/instances · GET ${sim.url}/_sim/calls · POST ${sim.url}/_sim/faults`);
  return sim;
}
