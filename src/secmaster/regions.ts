/**
 * The one region table: where SecMaster and IAM answer in each region SecMaster is offered in.
 *
 * Facts from Huawei's SDKs, whose tables agree with one another:
 * - SecMaster: huaweicloud-sdk-python-v3 `huaweicloud-sdk-secmaster/huaweicloudsdksecmaster/v1/region/secmaster_region.py`,
 *   huaweicloud-sdk-go-v3 `services/secmaster/v1/region/region.go`, huaweicloud-sdk-nodejs-v3
 *   `services/secmaster/v1/SecMasterRegion.ts`: `https://secmaster.{region}.myhuaweicloud.com` in all
 *   28 regions, Dublin (`eu-west-101`) included.
 * - IAM: `huaweicloud-sdk-iam/huaweicloudsdkiam/v3/region/iam_region.py`, `services/iam/v3/region/region.go`,
 *   `services/iam/v3/IamRegion.ts`: `https://iam.{region}.myhuaweicloud.com`, except Dublin's
 *   `https://iam.eu-west-101.myhuaweicloud.eu`.
 * - Four SecMaster regions have no IAM entry (af-north-1, ap-southeast-5, cn-north-11,
 *   cn-southwest-3): there the SDK cores fall back to the global IAM endpoint,
 *   `https://iam.myhuaweicloud.com` (go-v3 `core/auth/internal/iam_helper.go` `DefaultIamEndpoint`,
 *   nodejs-v3 `core/utils/constant.ts` `DEFAULT_IAM_ENDPOINT`). IAM is a global service, so a
 *   project-scoped token from there is valid in every region.
 */
export const GLOBAL_IAM_ENDPOINT = 'https://iam.myhuaweicloud.com';

/** Every region SecMaster is offered in (the SDKs' order) → the IAM endpoint that issues its tokens. */
const IAM_BY_SECMASTER_REGION: Readonly<Record<string, string>> = {
  'cn-north-4': 'https://iam.cn-north-4.myhuaweicloud.com',
  'cn-east-3': 'https://iam.cn-east-3.myhuaweicloud.com',
  'cn-south-1': 'https://iam.cn-south-1.myhuaweicloud.com',
  'cn-north-9': 'https://iam.cn-north-9.myhuaweicloud.com',
  'cn-north-2': 'https://iam.cn-north-2.myhuaweicloud.com',
  'cn-east-2': 'https://iam.cn-east-2.myhuaweicloud.com',
  'cn-southwest-2': 'https://iam.cn-southwest-2.myhuaweicloud.com',
  'cn-south-2': 'https://iam.cn-south-2.myhuaweicloud.com',
  'cn-north-1': 'https://iam.cn-north-1.myhuaweicloud.com',
  'cn-east-4': 'https://iam.cn-east-4.myhuaweicloud.com',
  'me-east-1': 'https://iam.me-east-1.myhuaweicloud.com',
  'cn-north-11': GLOBAL_IAM_ENDPOINT,
  'sa-brazil-1': 'https://iam.sa-brazil-1.myhuaweicloud.com',
  'la-north-2': 'https://iam.la-north-2.myhuaweicloud.com',
  'ap-southeast-3': 'https://iam.ap-southeast-3.myhuaweicloud.com',
  'ap-southeast-2': 'https://iam.ap-southeast-2.myhuaweicloud.com',
  'ap-southeast-1': 'https://iam.ap-southeast-1.myhuaweicloud.com',
  'ap-southeast-4': 'https://iam.ap-southeast-4.myhuaweicloud.com',
  'tr-west-1': 'https://iam.tr-west-1.myhuaweicloud.com',
  'af-north-1': GLOBAL_IAM_ENDPOINT,
  'af-south-1': 'https://iam.af-south-1.myhuaweicloud.com',
  'la-south-2': 'https://iam.la-south-2.myhuaweicloud.com',
  'eu-west-101': 'https://iam.eu-west-101.myhuaweicloud.eu',
  'ap-southeast-5': GLOBAL_IAM_ENDPOINT,
  'my-kualalumpur-1': 'https://iam.my-kualalumpur-1.myhuaweicloud.com',
  'cn-east-5': 'https://iam.cn-east-5.myhuaweicloud.com',
  'cn-north-12': 'https://iam.cn-north-12.myhuaweicloud.com',
  'cn-southwest-3': GLOBAL_IAM_ENDPOINT,
};

/** The regions SecMaster is offered in. */
export const SECMASTER_REGIONS: readonly string[] = Object.keys(IAM_BY_SECMASTER_REGION);

export interface RegionEndpoints {
  secmaster: string;
  iam: string;
}

/** The endpoints of a region SecMaster is offered in; undefined for any other region. */
export function regionEndpoints(region: string): RegionEndpoints | undefined {
  if (!Object.hasOwn(IAM_BY_SECMASTER_REGION, region)) return undefined;
  return { secmaster: `https://secmaster.${region}.myhuaweicloud.com`, iam: IAM_BY_SECMASTER_REGION[region]! };
}
