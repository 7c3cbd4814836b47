import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * Slack's side of Socket Mode, locally: a WebSocket server that greets each connection with
 * `hello`, delivers envelopes (slash commands, interactivity, events) and checks that each is
 * acknowledged with its `envelope_id`. `apps.connections.open` on the Web API stand-in answers
 * with this server's `ws://` URL.
 */
export interface SocketStandIn {
  url(): string;
  connections(): number;
  /** Sends an envelope on the newest open connection; resolves with the ack's payload. */
  deliver(type: 'slash_commands' | 'interactive' | 'events_api', payload: Record<string, unknown>, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Asks the client to reconnect, as Slack does every few hours (`type: disconnect`). */
  askToReconnect(): void;
  /** Drops every connection without notice. */
  dropAll(): void;
  waitForConnections(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startSocketStandIn(): Promise<SocketStandIn> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const port = (wss.address() as AddressInfo).port;
  const open: WebSocket[] = [];
  let total = 0;
  const pending = new Map<string, (payload: Record<string, unknown>) => void>();

  wss.on('connection', (socket) => {
    total++;
    open.push(socket);
    socket.send(JSON.stringify({ type: 'hello', num_connections: open.length, connection_info: { app_id: 'A0PLAYBOOK' }, debug_info: { host: 'standin' } }));
    socket.on('message', (data) => {
      try {
        const msg = JSON.parse(data.toString()) as { envelope_id?: string; payload?: Record<string, unknown> };
        if (msg.envelope_id && pending.has(msg.envelope_id)) {
          pending.get(msg.envelope_id)!(msg.payload ?? {});
          pending.delete(msg.envelope_id);
        }
      } catch {
        // not JSON: ignore, as Slack would
      }
    });
    socket.on('close', () => {
      const i = open.indexOf(socket);
      if (i >= 0) open.splice(i, 1);
    });
  });

  return {
    url: () => `ws://127.0.0.1:${port}/link/?ticket=${randomUUID()}`,
    connections: () => total,
    deliver(type, payload, timeoutMs = 5000) {
      const socket = open[open.length - 1];
      if (!socket) return Promise.reject(new Error('no Socket Mode connection is open'));
      const envelopeId = randomUUID();
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => {
          pending.delete(envelopeId);
          reject(new Error(`envelope ${type} was not acknowledged within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(envelopeId, (p) => {
          clearTimeout(t);
          resolve(p);
        });
        socket.send(JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: type !== 'events_api', retry_attempt: 0, retry_reason: '' }));
      });
    },
    askToReconnect() {
      for (const s of open) s.send(JSON.stringify({ type: 'disconnect', reason: 'refresh_requested', debug_info: { host: 'standin' } }));
    },
    dropAll() {
      for (const s of [...open]) s.terminate();
    },
    async waitForConnections(n, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (total < n || open.length === 0) {
        if (Date.now() > deadline) throw new Error(`expected ${n} Socket Mode connections, saw ${total}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async close() {
      for (const s of open) s.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
