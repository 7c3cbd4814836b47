import { alertFromNotification } from '../../src/smn/alertFromMessage';

/** How an SMN notification's `message` becomes an alert (spec section 9). */
const UUID = '3f2b8c1e-5d4a-4e8b-9c71-0a6f2d9e4b13';

describe('JSON with the /alerts fields', () => {
  test('instance_id, workspace_id, title, severity and channel are taken as /alerts takes them', () => {
    expect(alertFromNotification(JSON.stringify({ instance_id: 'inst-1', workspace_id: 'ws-2', title: 'Beacon', severity: 'critical', channel: 'C0OTHER' }), 'ignored')).toEqual({
      kind: 'instance',
      instanceId: 'inst-1',
      workspaceId: 'ws-2',
      title: 'Beacon',
      severity: 'critical',
      channel: 'C0OTHER',
    });
  });

  test('without a title, the subject is the title', () => {
    expect(alertFromNotification('{"instance_id":"inst-1"}', 'Brute force')).toMatchObject({ kind: 'instance', title: 'Brute force' });
  });

  test('without instance_id: a plain card with the title and severity', () => {
    expect(alertFromNotification('{"title":"Daily digest","severity":"low"}')).toEqual({ kind: 'plain', title: 'Daily digest', severity: 'low', text: undefined, channel: undefined });
  });

  test.each([
    ['an instance_id with a path', { instance_id: '../etc' }, 'instance_id'],
    ['a channel name instead of an ID', { instance_id: 'inst-1', channel: '#general' }, 'channel'],
    ['a title of 201 characters', { instance_id: 'inst-1', title: 't'.repeat(201) }, 'title'],
  ])('%s: a plain card that shows the text and names the field', (_label, json, field) => {
    const a = alertFromNotification(JSON.stringify(json), 'Subject line');
    expect(a).toMatchObject({ kind: 'plain', title: 'Subject line', text: JSON.stringify(json) });
    expect(a.kind === 'plain' && a.problem).toContain(field);
  });

  test('JSON of some other shape (no /alerts field) is shown as text on a plain card', () => {
    const text = JSON.stringify({ eventType: 1, resourceId: 'e091f1b1-08ef-4e2b-a27e-f85e4c19026a' });
    expect(alertFromNotification(text, 'Resource event')).toEqual({ kind: 'plain', title: 'Resource event', severity: undefined, text, channel: undefined });
  });
});

describe('free text', () => {
  test('text with an instance UUID names that instance and is the title', () => {
    expect(alertFromNotification(`Playbook instance ${UUID} failed at step "enrich"`)).toEqual({ kind: 'instance', instanceId: UUID, title: `Playbook instance ${UUID} failed at step "enrich"` });
  });

  test('the first UUID counts; a long text is cut to a one-line title of 200 characters', () => {
    const a = alertFromNotification(`${UUID}\nthen ${'x'.repeat(300)} and c47e2a90-6b1f-4d38-a5c2-7e9b0f1d3a64`);
    expect(a).toMatchObject({ kind: 'instance', instanceId: UUID });
    expect(a.kind === 'instance' && Array.from(a.title!)).toHaveLength(200);
    expect(a.kind === 'instance' && a.title).not.toContain('\n');
  });

  test('text without a UUID: a plain card titled by the subject, showing the text', () => {
    expect(alertFromNotification('Disk almost full on ecs-01', 'Capacity')).toEqual({ kind: 'plain', title: 'Capacity', text: 'Disk almost full on ecs-01' });
  });

  test('without a subject, the first non-empty line is the title', () => {
    expect(alertFromNotification('\n\nDisk almost full\nmore detail')).toMatchObject({ kind: 'plain', title: 'Disk almost full' });
  });

  test('an empty message still makes a card', () => {
    expect(alertFromNotification('')).toEqual({ kind: 'plain', title: 'SMN notification', text: '' });
  });

  test('a UUID glued inside a longer hex run is not an instance ID', () => {
    expect(alertFromNotification(`x${UUID.replace(/-/g, '')}ff`)).toMatchObject({ kind: 'plain' });
  });
});
