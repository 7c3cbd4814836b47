import { canonicalInstanceId, INSTANCE_ID_PATTERN, instanceKey, instanceRef, isInstanceId, sameInstance } from '../../src/core';

const ID_64 = 'a'.repeat(64);
const ID_65 = 'a'.repeat(65);
const UUID = '7d8f0b3a-1c2e-4f5a-9b6c-0d1e2f3a4b5c';

describe('instance IDs', () => {
  it('isInstanceId agrees with INSTANCE_ID_PATTERN at the edges', () => {
    expect(isInstanceId('')).toBe(false);
    expect(isInstanceId(ID_64)).toBe(true);
    expect(isInstanceId(ID_65)).toBe(false);
    expect(isInstanceId('abc\n')).toBe(false);
    expect(INSTANCE_ID_PATTERN.test('abc\n')).toBe(false);
  });

  it('a UUID names the same instance in either case (RFC 9562): lower-cased; anything else is kept as it came', () => {
    expect(canonicalInstanceId(UUID.toUpperCase())).toBe(UUID);
    expect(canonicalInstanceId(UUID)).toBe(UUID);
    expect(canonicalInstanceId('AbC-xYz')).toBe('AbC-xYz');
    // One character short of a UUID is not one.
    expect(canonicalInstanceId(UUID.toUpperCase().slice(1))).toBe(UUID.toUpperCase().slice(1));
  });
});

describe('InstanceRef', () => {
  it('sameInstance: same workspace, and the ID compared the way the bot locks it', () => {
    expect(sameInstance({ workspaceId: 'w', instanceId: UUID }, { workspaceId: 'w', instanceId: UUID.toUpperCase() })).toBe(true);
    expect(sameInstance({ workspaceId: 'w', instanceId: 'AbC' }, { workspaceId: 'w', instanceId: 'abc' })).toBe(false);
    expect(sameInstance({ workspaceId: 'w1', instanceId: UUID }, { workspaceId: 'w2', instanceId: UUID })).toBe(false);
  });

  it('instanceKey tells workspaces apart, so one ID in two workspaces is two locks', () => {
    expect(instanceKey({ workspaceId: 'w1', instanceId: 'i' })).not.toBe(instanceKey({ workspaceId: 'w2', instanceId: 'i' }));
    expect(instanceKey({ workspaceId: 'w1', instanceId: 'i' })).toBe('w1/i');
  });

  it('instanceRef copies the reference out of a larger record, and nothing else', () => {
    const watch = { id: 'C1:1.2', workspaceId: 'w', instanceId: 'i', channel: 'C1', lastStatus: 'RUNNING' };
    expect(instanceRef(watch)).toEqual({ workspaceId: 'w', instanceId: 'i' });
  });
});
