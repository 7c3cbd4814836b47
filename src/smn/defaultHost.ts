/**
 * SMN's host in a region, the default of `SMN_TRUSTED_HOSTS`: `smn.{region}.myhuaweicloud.com`
 * (the host of `signing_cert_url` in Huawei's example, RGC API "AcceptSmnMessage"), except where
 * Huawei's SDK region tables name another domain: huaweicloud-sdk-go-v3
 * `services/smn/v2/region/region.go` (and nodejs-v3 `services/smn/v2/SmnRegion.ts`, which agrees)
 * put Dublin on `.eu` and cn-north-2 on `.cn`.
 */
const SMN_HOST_EXCEPTIONS: Readonly<Record<string, string>> = {
  'eu-west-101': 'smn.eu-west-101.myhuaweicloud.eu',
  'cn-north-2': 'smn.cn-north-2.myhuaweicloud.cn',
};

export function smnHostForRegion(region: string): string {
  return Object.hasOwn(SMN_HOST_EXCEPTIONS, region) ? SMN_HOST_EXCEPTIONS[region]! : `smn.${region}.myhuaweicloud.com`;
}
