import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Request, Response } from 'botbuilder';
import { log } from '../../core/log.ts';

const MAX_BODY = 1 << 20;

/**
 * The body as JSON (undefined when it is not a JSON object), or 'too large' past MAX_BODY. Read with
 * listeners rather than `for await`, which would destroy the socket on leaving early and so lose the
 * answer; the rest of an oversized body is never read.
 */
function readJson(req: IncomingMessage): Promise<Record<string, unknown> | undefined | 'too large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) return void chunks.push(chunk);
      req.off('data', onData).off('end', onEnd).pause();
      resolve('too large');
    };
    const onEnd = () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        resolve(typeof body === 'object' && body !== null && !Array.isArray(body) ? body : undefined);
      } catch {
        resolve(undefined);
      }
    };
    req.on('data', onData).on('end', onEnd).on('error', reject);
  });
}

/** The small part of an express response botbuilder's adapter writes to. */
function responseFor(res: ServerResponse): Response {
  let body: unknown;
  const response: Response = {
    socket: res.socket,
    status(code: number) {
      res.statusCode = code;
      return response;
    },
    header(name: string, value: unknown) {
      res.setHeader(name, String(value));
      return response;
    },
    send(b: unknown) {
      body = b;
      return response;
    },
    end() {
      if (body === undefined) res.end();
      else if (typeof body === 'string') res.setHeader('content-type', 'text/plain; charset=utf-8').end(body);
      else res.setHeader('content-type', 'application/json').end(JSON.stringify(body));
      return response;
    },
  };
  return response;
}

export type ProcessFn = (req: Request, res: Response) => Promise<void>;

const LOOPBACK_ADDRESS = /^(?:127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;
const LOOPBACK_URL = /^https?:\/\/(?:localhost|127\.\d+\.\d+\.\d+|\[::1\])(?::\d+)?(?:\/|$)/i;

/** Whether a request came from this machine, and an activity's replies would go back to it. */
export const isLoopback = (address: string | undefined) => LOOPBACK_ADDRESS.test(address ?? '');
export const isLoopbackUrl = (url: unknown) => typeof url === 'string' && LOOPBACK_URL.test(url);

/**
 * `POST /api/messages` on node:http, the only route the Bot Framework calls. `loopbackOnly` (local test
 * clients, no authentication) listens on 127.0.0.1, and also refuses any request from another address and any
 * activity whose replies would go anywhere but this machine.
 */
export async function serveMessages(
  port: number,
  handle: ProcessFn,
  { loopbackOnly = false } = {},
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    if (loopbackOnly && !isLoopback(req.socket.remoteAddress)) return void res.writeHead(403).end();
    if (req.url?.split('?')[0] !== '/api/messages') return void res.writeHead(404).end();
    if (req.method !== 'POST') return void res.writeHead(405, { allow: 'POST' }).end();
    void readJson(req)
      .then((body) => {
        // The unread rest of the body would be taken for the next request: answer, then close.
        if (body === 'too large')
          return void res.writeHead(413, { connection: 'close' }).end('activity too large', () => req.socket.destroy());
        if (!body) return void res.writeHead(400).end('expected a JSON activity');
        if (loopbackOnly && !isLoopbackUrl(body.serviceUrl))
          return void res.writeHead(403).end('local mode answers local clients only');
        return handle({ method: req.method, headers: req.headers, body }, responseFor(res));
      })
      .catch((err) => {
        log.error('request failed', { component: 'teams', error: err });
        if (!res.headersSent) res.writeHead(500).end();
      });
  });
  await new Promise<void>((resolve, reject) =>
    server.once('error', reject).listen(port, loopbackOnly ? '127.0.0.1' : undefined, resolve),
  );
  return { server, port: (server.address() as AddressInfo).port };
}
