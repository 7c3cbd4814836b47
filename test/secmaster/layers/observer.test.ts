import { overHttp, withObserver, type CallObserver } from '../../../src/secmaster/layers';
import type { HttpRequest, Transport } from '../../../src/secmaster/transport';
import { INSTANCE, readRequest, rejection, scriptedInner } from './fakes';

/** Every HTTP attempt is measured (its status, or `error` when nothing came back), and the HTTP layer sends what it is given. */
describe('withObserver', () => {
  it('reports the call, the status and how long the attempt took', async () => {
    let clock = 100;
    const events: Parameters<CallObserver>[0][] = [];
    const { inner } = scriptedInner([INSTANCE]);
    const timed = async (req: Parameters<typeof inner>[0]) => {
      clock += 42;
      return inner(req);
    };
    await withObserver((e) => events.push(e), () => clock)(timed)(readRequest());
    expect(events).toEqual([{ call: 'get_instance', status: 200, durationMs: 42 }]);
  });

  it('a failed attempt is reported as error and the failure passed on', async () => {
    const events: Parameters<CallObserver>[0][] = [];
    const failure = new Error('socket hang up');
    const { inner } = scriptedInner([failure]);
    expect(await rejection(withObserver((e) => events.push(e))(inner)(readRequest({ name: 'operate' })))).toBe(failure);
    expect(events).toEqual([{ call: 'operate', status: 'error', durationMs: expect.any(Number) }]);
  });
});

describe('overHttp', () => {
  it('sends method, URL, headers, body and signal as given, and says which headers went', async () => {
    const sent: HttpRequest[] = [];
    const transport: Transport = async (req) => {
      sent.push(req);
      return { status: 204, headers: {}, body: '' };
    };
    const signal = new AbortController().signal;
    const req = readRequest({ method: 'POST', body: '{"operation":"RETRY"}', headers: { 'X-Auth-Token': 't' }, signal });
    const exchange = await overHttp(transport)(req);
    expect(sent).toEqual([{ method: 'POST', url: req.url, headers: { 'X-Auth-Token': 't' }, body: '{"operation":"RETRY"}', signal }]);
    expect(exchange).toEqual({ response: { status: 204, headers: {}, body: '' }, sentHeaders: { 'X-Auth-Token': 't' } });
  });
});
