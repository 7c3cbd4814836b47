import { smnHostForRegion } from '../smn/defaultHost';
import type { SmnConfig } from './types';
import type { Values } from './variables';

/**
 * `SMN_TOPICS` turns `/smn` on; its trusted hosts default to SMN's own host in `SECMASTER_REGION`
 * (`smn/defaultHost.ts`).
 */
export function readSmn(values: Partial<Values>, problems: string[]): SmnConfig | undefined {
  if (!values.SMN_TOPICS) return undefined;
  const trustedHosts = values.SMN_TRUSTED_HOSTS ?? (values.SECMASTER_REGION ? [`${smnHostForRegion(values.SECMASTER_REGION)}:443`] : undefined);
  if (!trustedHosts) {
    if (!problems.some((p) => p.startsWith('SMN_TRUSTED_HOSTS:') || p.startsWith('SECMASTER_REGION:'))) {
      problems.push('SMN_TRUSTED_HOSTS: required with SMN_TOPICS when SECMASTER_REGION is not set (SMN\'s host, e.g. smn.ap-southeast-1.myhuaweicloud.com)');
    }
    return undefined;
  }
  return { topics: values.SMN_TOPICS, trustedHosts };
}
