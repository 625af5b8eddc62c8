import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy in front of Postgres that can lose the connection on cue: `cutWhen(pattern)` drops
 * every connection after forwarding a client message containing the pattern: the server runs the
 * statement, but nothing after it (the COMMIT) arrives, so the transaction is rolled back.
 */
export async function startTcpProxy(target: { host: string; port: number }) {
  const sockets = new Set<Socket>();
  let trigger: string | undefined;
  let severed = false;
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    sockets.add(client).add(upstream);
    client.on('data', (chunk) => {
      if (severed) return; // e.g. the COMMIT that would have followed
      upstream.write(chunk);
      if (trigger && chunk.includes(trigger)) {
        trigger = undefined;
        severed = true;
        setTimeout(cutAll, 100);
      }
    });
    upstream.on('data', (chunk) => client.write(chunk));
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  });
  const cutAll = () => {
    for (const s of sockets) s.destroy();
    sockets.clear();
    severed = false;
  };
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    cutWhen(pattern: string) {
      trigger = pattern;
    },
    close: () => {
      cutAll();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
