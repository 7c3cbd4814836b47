import { instanceAlertTitle, smnSourceNote, unreadableInstanceNote, unusableFieldsNote } from '../../../src/slack/blocks/alertNotes';
import { renderPlainAlertCard } from '../../../src/slack/blocks/plainAlertCard';
import { HOSTILE_ERROR, HOSTILE_NAME, HUGE_NAME } from '../blockKitLimits';
import { expectSafe, hostileError, hugeError, secMasterError } from '../fixtures';

const TOPIC = 'urn:smn:ap-southeast-1:0553db98c800d5192f9bc01232b89622:secmaster-alerts';
const REF = { workspaceId: 'ws-1', instanceId: 'inst-0001' };

describe('the notes of a plain alert card', () => {
  it('names the SMN topic by the last part of its URN', () => {
    expect(smnSourceNote(TOPIC)).toBe('From SMN topic `secmaster-alerts`');
  });

  it('an instance SecMaster does not know: the code, message and request ID, and where it came from', () => {
    const notFound = secMasterError({ code: 'SecMaster.20030005', message: 'playbook instance not found', requestId: 'req-9' });
    expect(unreadableInstanceNote(REF, notFound, smnSourceNote(TOPIC))).toBe(
      ':warning: SecMaster does not know this instance: instance `inst-0001` in workspace `ws-1` (SecMaster.20030005 playbook instance not found, request ID `req-9`). From SMN topic `secmaster-alerts`',
    );
  });

  it('SecMaster unreachable says so, without a request ID when there is none', () => {
    const down = secMasterError({ kind: 'connect', status: undefined, code: undefined, message: 'connect ECONNREFUSED', requestId: undefined });
    expect(unreadableInstanceNote(REF, down, 'src')).toBe(':warning: SecMaster could not be reached: instance `inst-0001` in workspace `ws-1` (connect ECONNREFUSED). src');
  });

  it('fields that could not be used, and the title of an alert that gave none', () => {
    expect(unusableFieldsNote('channel: must be a Slack channel ID', 'src')).toBe(":warning: The message's fields could not be used (channel: must be a Slack channel ID). src");
    expect(instanceAlertTitle('inst-0001')).toBe('Playbook instance inst-0001');
  });

  it.each([
    ['hostile', { workspaceId: HOSTILE_NAME, instanceId: HOSTILE_NAME }, hostileError(), HOSTILE_ERROR],
    ['huge', { workspaceId: HUGE_NAME, instanceId: HUGE_NAME }, hugeError(), HUGE_NAME],
  ])('%s data: every note is escaped and the card stays within limits', (_label, ref, error, text) => {
    const source = smnSourceNote(`urn:smn:x:y:${text}`);
    for (const note of [unreadableInstanceNote(ref, error, source), unusableFieldsNote(text, source), source]) {
      expectSafe(renderPlainAlertCard({ title: instanceAlertTitle(ref.instanceId), text, note }));
    }
  });
});
