import { ConfigError, loadConfig, type CloudSecMaster, type Config } from '../../src/config';

/**
 * Where the bot sends its calls in each region, checked against Huawei's SDK region tables, which
 * agree with one another (transcribed here, not read from the bot):
 * - SecMaster: huaweicloud-sdk-python-v3 `huaweicloud-sdk-secmaster/huaweicloudsdksecmaster/v1/region/secmaster_region.py`,
 *   huaweicloud-sdk-go-v3 `services/secmaster/v1/region/region.go`, huaweicloud-sdk-nodejs-v3 `services/secmaster/v1/SecMasterRegion.ts`;
 * - IAM: `huaweicloud-sdk-iam/huaweicloudsdkiam/v3/region/iam_region.py`, `services/iam/v3/region/region.go`,
 *   `services/iam/v3/IamRegion.ts`; a SecMaster region missing there uses the cores' default, the
 *   global `https://iam.myhuaweicloud.com` (go-v3 `core/auth/internal/iam_helper.go`, nodejs-v3 `core/utils/constant.ts`).
 */
const GLOBAL_IAM = 'https://iam.myhuaweicloud.com';
const SDK_FACTS: Array<{ region: string; secmaster: string; iam: string }> = [
  ['cn-north-4', 'https://iam.cn-north-4.myhuaweicloud.com'],
  ['cn-east-3', 'https://iam.cn-east-3.myhuaweicloud.com'],
  ['cn-south-1', 'https://iam.cn-south-1.myhuaweicloud.com'],
  ['cn-north-9', 'https://iam.cn-north-9.myhuaweicloud.com'],
  ['cn-north-2', 'https://iam.cn-north-2.myhuaweicloud.com'],
  ['cn-east-2', 'https://iam.cn-east-2.myhuaweicloud.com'],
  ['cn-southwest-2', 'https://iam.cn-southwest-2.myhuaweicloud.com'],
  ['cn-south-2', 'https://iam.cn-south-2.myhuaweicloud.com'],
  ['cn-north-1', 'https://iam.cn-north-1.myhuaweicloud.com'],
  ['cn-east-4', 'https://iam.cn-east-4.myhuaweicloud.com'],
  ['me-east-1', 'https://iam.me-east-1.myhuaweicloud.com'],
  ['cn-north-11', GLOBAL_IAM],
  ['sa-brazil-1', 'https://iam.sa-brazil-1.myhuaweicloud.com'],
  ['la-north-2', 'https://iam.la-north-2.myhuaweicloud.com'],
  ['ap-southeast-3', 'https://iam.ap-southeast-3.myhuaweicloud.com'],
  ['ap-southeast-2', 'https://iam.ap-southeast-2.myhuaweicloud.com'],
  ['ap-southeast-1', 'https://iam.ap-southeast-1.myhuaweicloud.com'],
  ['ap-southeast-4', 'https://iam.ap-southeast-4.myhuaweicloud.com'],
  ['tr-west-1', 'https://iam.tr-west-1.myhuaweicloud.com'],
  ['af-north-1', GLOBAL_IAM],
  ['af-south-1', 'https://iam.af-south-1.myhuaweicloud.com'],
  ['la-south-2', 'https://iam.la-south-2.myhuaweicloud.com'],
  ['eu-west-101', 'https://iam.eu-west-101.myhuaweicloud.eu'],
  ['ap-southeast-5', GLOBAL_IAM],
  ['my-kualalumpur-1', 'https://iam.my-kualalumpur-1.myhuaweicloud.com'],
  ['cn-east-5', 'https://iam.cn-east-5.myhuaweicloud.com'],
  ['cn-north-12', 'https://iam.cn-north-12.myhuaweicloud.com'],
  ['cn-southwest-3', GLOBAL_IAM],
].map(([region, iam]) => ({ region: region!, secmaster: `https://secmaster.${region}.myhuaweicloud.com`, iam: iam! }));

const BASE = {
  SLACK_BOT_TOKEN: 'xoxb-1111-2222-botTokenValue',
  SLACK_SIGNING_SECRET: 'signing-secret-value-0001',
  SECMASTER_PROJECT_ID: '0123456789abcdef0123456789abcdef',
  SECMASTER_WORKSPACE_ID: 'fedcba9876543210fedcba9876543210',
  HUAWEICLOUD_IAM_DOMAIN: 'soc-domain',
  HUAWEICLOUD_IAM_USER: 'playbook-bot',
  HUAWEICLOUD_IAM_PASSWORD: 'pa55-w0rd!',
};

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a configuration error');
}

/** The cloud SecMaster a configuration names; fails the test for the simulator. */
function cloud(config: Config): CloudSecMaster {
  expect(config.secmaster.mode).toBe('cloud');
  return config.secmaster as CloudSecMaster;
}

describe('the region table', () => {
  it('has all 28 SecMaster regions of the SDKs', () => {
    expect(new Set(SDK_FACTS.map((f) => f.region)).size).toBe(28);
  });

  it.each(SDK_FACTS)('$region: SecMaster at $secmaster, IAM at $iam', ({ region, secmaster, iam }) => {
    const config = loadConfig({ ...BASE, SECMASTER_REGION: region });
    expect(cloud(config).endpoint).toBe(secmaster);
    expect(cloud(config).credential).toMatchObject({ kind: 'password', iamEndpoint: iam });
  });

  it('IAM_ENDPOINT and SECMASTER_ENDPOINT still override the table', () => {
    const config = loadConfig({ ...BASE, SECMASTER_REGION: 'eu-west-101', IAM_ENDPOINT: 'https://iam.example.test/', SECMASTER_ENDPOINT: 'https://secmaster.example.test' });
    expect(cloud(config).endpoint).toBe('https://secmaster.example.test');
    expect(cloud(config).credential).toMatchObject({ iamEndpoint: 'https://iam.example.test' });
  });

  it.each(['ru-moscow-1', 'na-mexico-1', 'eu-west-0', 'xx-nowhere-9'])('%s (no SecMaster there in the SDK tables) is refused unless the endpoints are given', (region) => {
    const found = problems({ ...BASE, SECMASTER_REGION: region });
    expect(found).toHaveLength(2);
    expect(found).toEqual(expect.arrayContaining([
      expect.stringMatching(new RegExp(`^SECMASTER_REGION: "${region}" is not in the SecMaster region table .*set SECMASTER_ENDPOINT`)),
      expect.stringMatching(new RegExp(`^IAM_ENDPOINT: "${region}" is not in the SecMaster region table .*set IAM_ENDPOINT`)),
    ]));
    expect(() => loadConfig({ ...BASE, SECMASTER_REGION: region, SECMASTER_ENDPOINT: 'https://secmaster.example.test', IAM_ENDPOINT: 'https://iam.example.test' })).not.toThrow();
  });

  it('with a token credential, an unknown region needs only SECMASTER_ENDPOINT', () => {
    const { HUAWEICLOUD_IAM_DOMAIN: _d, HUAWEICLOUD_IAM_USER: _u, HUAWEICLOUD_IAM_PASSWORD: _p, ...rest } = BASE;
    const env = { ...rest, SECMASTER_AUTH_TOKEN: 'ready-made-auth-token-0001', SECMASTER_REGION: 'xx-nowhere-9' };
    expect(problems(env)).toEqual([expect.stringMatching(/^SECMASTER_REGION: /)]);
    expect(() => loadConfig({ ...env, SECMASTER_ENDPOINT: 'https://secmaster.example.test' })).not.toThrow();
  });
});
