import { regionEndpoints, SECMASTER_REGIONS } from '../secmaster/regions';
import { isSet, type Env } from './env';
import type { SecMasterConfig, SecMasterCredential } from './types';
import type { Values } from './variables';

/** The simulator's project and workspace when none is given (it accepts any). */
const SIMULATOR_PROJECT_ID = 'sim-project';
const SIMULATOR_WORKSPACE_ID = 'sim-workspace';

const IAM_VARS = ['HUAWEICLOUD_IAM_DOMAIN', 'HUAWEICLOUD_IAM_USER', 'HUAWEICLOUD_IAM_PASSWORD'] as const;
const HUAWEI_SDK_VARS = ['HUAWEICLOUD_SDK_AK', 'HUAWEICLOUD_SDK_SK'] as const;

/**
 * SecMaster: the simulator (no credential, project and workspace optional), or the cloud, whose
 * endpoint comes from `SECMASTER_ENDPOINT` or the region table and which needs the project, the
 * workspace and exactly one credential kind.
 */
export function readSecMaster(env: Env, values: Partial<Values>, problems: string[]): SecMasterConfig | undefined {
  const kinds = credentialKinds(env);
  if (values.SECMASTER_SIMULATOR === true) {
    if (kinds.length > 0) problems.push(`SECMASTER_SIMULATOR: uses no SecMaster credential, but ${kinds.join(' and ')} is set`);
    return { mode: 'simulator', projectId: values.SECMASTER_PROJECT_ID ?? SIMULATOR_PROJECT_ID, workspaceId: values.SECMASTER_WORKSPACE_ID ?? SIMULATOR_WORKSPACE_ID };
  }

  const credential = readCredential(env, values, kinds, problems);
  const region = values.SECMASTER_REGION;
  const endpoint = values.SECMASTER_ENDPOINT ?? (region ? regionEndpoints(region)?.secmaster : undefined);
  if (!endpoint && region) problems.push(unknownRegion('SECMASTER_REGION', region, 'SECMASTER_ENDPOINT'));
  if (!isSet(env, 'SECMASTER_REGION') && !isSet(env, 'SECMASTER_ENDPOINT')) {
    problems.push('SECMASTER_REGION: required (or set SECMASTER_ENDPOINT), e.g. "ap-southeast-1"');
  }
  if (!isSet(env, 'SECMASTER_PROJECT_ID')) problems.push('SECMASTER_PROJECT_ID: required (the Huawei Cloud project ID)');
  if (!isSet(env, 'SECMASTER_WORKSPACE_ID')) problems.push('SECMASTER_WORKSPACE_ID: required (the SecMaster workspace ID)');

  const { SECMASTER_PROJECT_ID: projectId, SECMASTER_WORKSPACE_ID: workspaceId } = values;
  if (!credential || !endpoint || !projectId || !workspaceId) return undefined;
  return { mode: 'cloud', endpoint, projectId, workspaceId, credential };
}

/** The credential kinds with any variable set, as they are named in problems. */
function credentialKinds(env: Env): string[] {
  const kinds: string[] = [];
  if (isSet(env, 'CLOUD_SDK_AK') || isSet(env, 'CLOUD_SDK_SK')) kinds.push('AK/SK (CLOUD_SDK_AK, CLOUD_SDK_SK)');
  if (IAM_VARS.some((v) => isSet(env, v))) kinds.push('IAM password (HUAWEICLOUD_IAM_*)');
  if (isSet(env, 'SECMASTER_AUTH_TOKEN')) kinds.push('token (SECMASTER_AUTH_TOKEN)');
  return kinds;
}

function readCredential(env: Env, values: Partial<Values>, kinds: string[], problems: string[]): SecMasterCredential | undefined {
  if (kinds.length === 0) {
    const sdkNames = HUAWEI_SDK_VARS.filter((v) => isSet(env, v));
    const hint = sdkNames.length > 0 ? ` (${sdkNames.join(' and ')} ${sdkNames.length > 1 ? 'are' : 'is'} the Huawei SDKs' name${sdkNames.length > 1 ? 's' : ''}; this bot reads CLOUD_SDK_AK and CLOUD_SDK_SK)` : '';
    problems.push(`SecMaster credential: none configured; set exactly one of CLOUD_SDK_AK+CLOUD_SDK_SK, HUAWEICLOUD_IAM_DOMAIN+HUAWEICLOUD_IAM_USER+HUAWEICLOUD_IAM_PASSWORD, or SECMASTER_AUTH_TOKEN${hint}`);
    return undefined;
  }
  if (kinds.length > 1) {
    problems.push(`SecMaster credential: exactly one kind may be configured, found ${kinds.join(' and ')}`);
    return undefined;
  }
  if (values.SECMASTER_AUTH_TOKEN) return { kind: 'token', token: values.SECMASTER_AUTH_TOKEN };
  if (isSet(env, 'CLOUD_SDK_AK') || isSet(env, 'CLOUD_SDK_SK')) {
    for (const v of ['CLOUD_SDK_AK', 'CLOUD_SDK_SK']) if (!isSet(env, v)) problems.push(`${v}: required with the other half of the AK/SK pair`);
    if (!values.CLOUD_SDK_AK || !values.CLOUD_SDK_SK) return undefined;
    return { kind: 'aksk', accessKey: values.CLOUD_SDK_AK, secretKey: values.CLOUD_SDK_SK };
  }
  for (const v of IAM_VARS) if (!isSet(env, v)) problems.push(`${v}: required for IAM password login`);
  const region = values.SECMASTER_REGION;
  const iamEndpoint = values.IAM_ENDPOINT ?? (region ? regionEndpoints(region)?.iam : undefined);
  if (!iamEndpoint) problems.push(region ? unknownRegion('IAM_ENDPOINT', region, 'IAM_ENDPOINT') : 'IAM_ENDPOINT: required for IAM password login when SECMASTER_REGION is not set');
  const { HUAWEICLOUD_IAM_DOMAIN: domain, HUAWEICLOUD_IAM_USER: user, HUAWEICLOUD_IAM_PASSWORD: password } = values;
  if (!domain || !user || !password || !iamEndpoint) return undefined;
  return { kind: 'password', domain, user, password, iamEndpoint };
}

/** A region outside the SDKs' table: its endpoints are unknown, so the operator names them. */
function unknownRegion(variable: string, region: string, override: string): string {
  return `${variable}: "${region}" is not in the SecMaster region table (${SECMASTER_REGIONS.join(', ')}); set ${override} to use it`;
}
