import fc from 'fast-check';
import { INSTANCE_ID_PATTERN } from '../../../src/core';
import { decodeButtonValue, encodeButtonValue } from '../../../src/slack/blocks/buttonValue';

const WS = 'ws-default';
const id = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);

describe('encodeButtonValue', () => {
  it('is the bare instance ID in the default workspace', () => {
    expect(encodeButtonValue({ workspaceId: WS, instanceId: 'inst-1' }, WS)).toBe('inst-1');
  });

  it('is JSON with both IDs in another workspace', () => {
    expect(encodeButtonValue({ workspaceId: 'ws-2', instanceId: 'inst-1' }, WS)).toBe('{"instance_id":"inst-1","workspace_id":"ws-2"}');
  });
});

describe('decodeButtonValue', () => {
  it.each([
    ['inst-1', { workspaceId: WS, instanceId: 'inst-1' }],
    ['  inst-1  ', { workspaceId: WS, instanceId: 'inst-1' }],
    ['a'.repeat(64), { workspaceId: WS, instanceId: 'a'.repeat(64) }],
    ['{"instance_id":"inst-1"}', { workspaceId: WS, instanceId: 'inst-1' }],
    ['{"instance_id":"inst-1","workspace_id":"ws-2"}', { workspaceId: 'ws-2', instanceId: 'inst-1' }],
    [' {"workspace_id":"ws-2", "instance_id":"inst-1"} ', { workspaceId: 'ws-2', instanceId: 'inst-1' }],
  ])('decodes %j', (value, expected) => {
    expect(decodeButtonValue(value, WS)).toEqual(expected);
  });

  it.each([
    ['empty', ''],
    ['whitespace', '   '],
    ['65 characters', 'a'.repeat(65)],
    ['a mention', '<@U123>'],
    ['a shell separator', 'id;rm'],
    ['unicode', 'inst-é'],
    ['not JSON', '{instance_id: inst-1}'],
    ['truncated JSON', '{"instance_id":"inst-1"'],
    ['JSON without instance_id', '{"workspace_id":"ws-2"}'],
    ['JSON with a bad instance_id', '{"instance_id":"<!channel>"}'],
    ['JSON with a too-long instance_id', `{"instance_id":"${'a'.repeat(65)}"}`],
    ['JSON with a bad workspace_id', '{"instance_id":"inst-1","workspace_id":"../admin"}'],
    ['JSON with an extra key', '{"instance_id":"inst-1","operation":"TERMINATE"}'],
    ['JSON with a prototype key', '{"instance_id":"inst-1","__proto__":{"x":1}}'],
    ['JSON with a number ID', '{"instance_id":123}'],
    ['JSON with a null workspace', '{"instance_id":"inst-1","workspace_id":null}'],
    ['a JSON array', '["inst-1"]'],
    ['a JSON string', '"inst-1"'],
    ['JSON true', 'true '.repeat(3)],
    ['over 2000 characters, even if it would parse', `{"instance_id":"inst-1","workspace_id":"ws-2"}${' '.repeat(1960)}`],
  ])('refuses %s', (_label, value) => {
    expect(decodeButtonValue(value, WS)).toBeUndefined();
  });

  it('"null" is an instance ID like any other word, not JSON', () => {
    expect(decodeButtonValue('null', WS)).toEqual({ workspaceId: WS, instanceId: 'null' });
  });

  it('the 2000-character limit is exact', () => {
    const padded = (n: number) => `{"instance_id":"inst-1"}`.padEnd(n, ' ');
    expect(decodeButtonValue(padded(2000), WS)).toEqual({ workspaceId: WS, instanceId: 'inst-1' });
    expect(decodeButtonValue(padded(2001), WS)).toBeUndefined();
  });

  it.each([undefined, null, 42, {}, ['inst-1'], { instance_id: 'inst-1' }])('refuses a non-string value %j', (value) => {
    expect(decodeButtonValue(value, WS)).toBeUndefined();
  });
});

describe('button values: properties', () => {
  it('round trip: decode(encode(target)) is the target', () => {
    fc.assert(
      fc.property(id, fc.oneof(fc.constant(WS), id), (instanceId, workspaceId) => {
        const t = { workspaceId, instanceId };
        const encoded = encodeButtonValue(t, WS);
        expect(encoded.length).toBeLessThanOrEqual(2000);
        expect(decodeButtonValue(encoded, WS)).toEqual(t);
      }),
      { numRuns: 1000 },
    );
  });

  it('decode never throws, and anything it returns has valid IDs', () => {
    const jsonish = fc
      .record({ instance_id: fc.oneof(id, fc.string(), fc.integer()), workspace_id: fc.oneof(id, fc.string(), fc.constant(null)) }, { requiredKeys: [] })
      .map((o) => JSON.stringify(o));
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 2100 }), fc.string({ unit: 'binary', maxLength: 100 }), fc.json(), jsonish, fc.anything()), (value) => {
        const decoded = decodeButtonValue(value, WS);
        return decoded === undefined || (INSTANCE_ID_PATTERN.test(decoded.instanceId) && (decoded.workspaceId === WS || INSTANCE_ID_PATTERN.test(decoded.workspaceId)));
      }),
      { numRuns: 3000 },
    );
  });
});
