import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * A local stand-in for Slack's Socket Mode endpoint (the `wss://wss-primary.slack.com/link` that
 * `apps.connections.open` hands out): it greets each connection with `hello`, pings it like Slack does,
 * sends envelopes, records the acks by `envelope_id`, and can ask a connection to go (`disconnect`).
 */
export async function startSocketModeStandin() {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/link`;
  const acks: { envelope_id: string; payload?: Record<string, unknown> }[] = [];
  let connections = 0;
  let current: WebSocket | undefined;
  let counter = 0;
  const pings = setInterval(() => current?.ping(), 2_000);

  server.on('connection', (socket) => {
    connections++;
    current = socket;
    socket.on('message', (data) => acks.push(JSON.parse(data.toString())));
    socket.send(
      JSON.stringify({
        type: 'hello',
        num_connections: 1,
        connection_info: { app_id: 'A0CRMDEMO' },
        debug_info: { host: 'standin', build_number: 1, approximate_connection_time: 18060 },
      }),
    );
  });

  const waitUntil = async (test: () => boolean, what: string, ms = 15_000) => {
    const until = Date.now() + ms;
    while (!test()) {
      if (Date.now() > until) throw new Error(`socket stand-in: timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  return {
    /** What apps.connections.open returns. */
    url,
    acks,
    get connections() {
      return connections;
    },
    /** Resolves once the client has connected `n` times in all (and is open). */
    connected: (n = 1) => waitUntil(() => connections >= n && current?.readyState === 1, `connection #${n}`),
    /** Sends an envelope and resolves with its id; the client must ack it. */
    send(type: 'events_api' | 'slash_commands' | 'interactive', payload: Record<string, unknown>): string {
      const envelope_id = `env-${++counter}`;
      current!.send(
        JSON.stringify({
          envelope_id,
          type,
          payload,
          accepts_response_payload: type !== 'events_api',
          retry_attempt: 0,
        }),
      );
      return envelope_id;
    },
    acked: (envelopeId: string) =>
      waitUntil(() => acks.some((a) => a.envelope_id === envelopeId), `the ack of ${envelopeId}`),
    /** Slack recycling the connection: the client must reconnect through apps.connections.open. */
    disconnect: (reason = 'refresh_requested') =>
      current!.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'standin' } })),
    close: async () => {
      clearInterval(pings);
      for (const c of server.clients) c.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
