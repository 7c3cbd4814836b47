/**
 * SecMaster's timestamps as instants. Besides plain ISO 8601 (`2025-01-01T00:00:00Z`,
 * `…+08:00`), SecMaster documents `YYYY-MM-DDTHH:mm:ss.ms+timezone`, "for example
 * 2021-01-30T23:00:00Z+0800; the time zone is the one the playbook instance was produced in; a time
 * whose zone cannot be read is taken as UTC+8" (huaweicloud-sdk-python-v3
 * `huaweicloud-sdk-secmaster/huaweicloudsdksecmaster/v1/model/show_playbook_monitors_request.py`,
 * `start_time`; `condition_info.py` shows the same form). `Date.parse` refuses that form.
 *
 * Reading: the clock time is local to the trailing offset, so `2021-01-30T23:00:00Z+0800` is
 * 15:00 UTC; the `Z` before an offset is part of the documented pattern, not a second zone. A time
 * with no zone at all is UTC+8, as the page says.
 */
const SECMASTER_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z)?(?:([+-])(\d{2}):?(\d{2}))?$/;

const DEFAULT_OFFSET_MINUTES = 8 * 60;

/** Milliseconds since the epoch, or undefined for text that is no timestamp. */
export function parseSecMasterTime(text: string): number | undefined {
  const m = SECMASTER_TIME.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zulu, sign, oh, om] = m;
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  const millis = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
  const local = Date.UTC(Number(y), month - 1, day, hour, minute, second, millis);
  // Date.UTC rolls 31 February over into March: such a date is no date.
  if (new Date(local).getUTCDate() !== day) return undefined;
  let offsetMinutes: number;
  if (sign) {
    if (Number(oh) > 14 || Number(om) > 59) return undefined;
    offsetMinutes = (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  } else {
    offsetMinutes = zulu ? 0 : DEFAULT_OFFSET_MINUTES;
  }
  return local - offsetMinutes * 60_000;
}
