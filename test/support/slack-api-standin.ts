import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for slack.com: answers the Web API methods the app calls (and the response_url
 * and file-upload URLs it hands out) and records every call with its parsed body.
 */

export interface SlackCall {
  /** A Web API method ('chat.postMessage'), 'respond' (a response_url) or 'upload' (file bytes). */
  method: string;
  body: Record<string, unknown>;
  at: number;
}

export interface StandinUser {
  id: string;
  name: string;
  email?: string;
  team_id?: string;
  is_restricted?: boolean;
  is_ultra_restricted?: boolean;
}

export interface StandinMessage {
  channel: string;
  ts: string;
  text: string;
  user: string;
}

export const TEAM_ID = 'T0CRMDEMO';
export const BOT_USER_ID = 'U0BOTCRM';

async function readBody(req: IncomingMessage): Promise<{ raw: Buffer; body: Record<string, unknown> }> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/json')) return { raw, body: raw.length ? JSON.parse(raw.toString('utf8')) : {} };
  if (!type.includes('application/x-www-form-urlencoded')) return { raw, body: {} };
  const body: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw.toString('utf8'))) {
    body[k] = /^[[{]/.test(v)
      ? (() => {
          try {
            return JSON.parse(v);
          } catch {
            return v;
          }
        })()
      : v;
  }
  return { raw, body };
}

export async function startSlackStandin({
  users = [],
  messages = [],
  socketUrl,
}: {
  users?: StandinUser[];
  messages?: StandinMessage[];
  socketUrl?: string;
} = {}) {
  const calls: SlackCall[] = [];
  let counter = 0;
  const nextTs = () => `1763900000.${String(++counter).padStart(6, '0')}`;
  let base = '';

  const answer = (method: string, body: Record<string, unknown>): Record<string, unknown> => {
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://crm-demo.slack.com/',
          team: 'CRM Demo',
          team_id: TEAM_ID,
          user: 'crm',
          user_id: BOT_USER_ID,
          bot_id: 'B0BOTCRM',
        };
      case 'users.info': {
        const u = users.find((x) => x.id === body.user);
        if (!u) return { ok: false, error: 'user_not_found' };
        return {
          ok: true,
          user: {
            id: u.id,
            name: u.name.toLowerCase().replace(/\s+/g, '.'),
            real_name: u.name,
            team_id: u.team_id ?? TEAM_ID,
            is_restricted: u.is_restricted ?? false,
            is_ultra_restricted: u.is_ultra_restricted ?? false,
            profile: { real_name: u.name, ...(u.email ? { email: u.email } : {}) },
          },
        };
      }
      case 'apps.connections.open':
        return socketUrl ? { ok: true, url: socketUrl } : { ok: false, error: 'invalid_auth' };
      case 'chat.postMessage':
        return { ok: true, channel: body.channel, ts: nextTs(), message: { text: body.text } };
      case 'chat.postEphemeral':
        return { ok: true, message_ts: nextTs() };
      case 'chat.getPermalink':
        return {
          ok: true,
          channel: body.channel,
          permalink: `https://crm-demo.slack.com/archives/${body.channel}/p${String(body.message_ts).replace('.', '')}`,
        };
      case 'conversations.history':
      case 'conversations.replies': {
        const found = messages.filter((m) => m.channel === body.channel && m.ts === (body.latest ?? body.ts));
        return {
          ok: true,
          messages: found.map((m) => ({ type: 'message', ts: m.ts, text: m.text, user: m.user })),
          has_more: false,
        };
      }
      case 'conversations.open':
        return { ok: true, channel: { id: `D${String(body.users).slice(1)}` } };
      case 'views.open':
      case 'views.publish':
      case 'views.update':
        return { ok: true, view: { id: `V${++counter}`, hash: `h${counter}` } };
      case 'files.getUploadURLExternal': {
        const id = `F${++counter}`;
        return { ok: true, upload_url: `${base}upload/${id}`, file_id: id };
      }
      case 'files.completeUploadExternal':
        return {
          ok: true,
          files:
            (body.files as { id: string; title?: string }[] | undefined)?.map((f) => ({ id: f.id, title: f.title })) ??
            [],
        };
      default:
        return { ok: true };
    }
  };

  const server = createServer((req, res) => {
    void (async () => {
      const { raw, body } = await readBody(req);
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path.startsWith('/upload/')) {
        calls.push({ method: 'upload', body: { id: path.slice(8), bytes: raw.length }, at: Date.now() });
        res.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${raw.length}`);
        return;
      }
      if (path.startsWith('/respond/')) {
        calls.push({ method: 'respond', body: { ...body, response_url: path }, at: Date.now() });
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        return;
      }
      const method = path.replace(/^\/api\//, '');
      calls.push({ method, body, at: Date.now() });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer(method, body)));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  base = origin;

  return {
    /** What the app gets as SLACK_API_URL. */
    apiUrl: `${origin}api/`,
    /** A response_url the stand-in accepts (slash commands, shortcuts, button clicks). */
    responseUrl: (id: string) => `${origin}respond/${id}`,
    calls,
    /** Calls made since a mark, optionally only of some methods. */
    since(mark: number, ...methods: string[]): SlackCall[] {
      return calls.slice(mark).filter((c) => methods.length === 0 || methods.includes(c.method));
    },
    /** Resolves when a call matching `test` has been recorded after `mark` (or fails after `ms`). */
    async waitFor(mark: number, test: (c: SlackCall) => boolean, ms = 15_000): Promise<SlackCall> {
      const until = Date.now() + ms;
      for (;;) {
        const hit = calls.slice(mark).find(test);
        if (hit) return hit;
        if (Date.now() > until)
          throw new Error(
            `no matching Slack call; saw: ${
              calls
                .slice(mark)
                .map((c) => c.method)
                .join(', ') || 'none'
            }`,
          );
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type SlackStandin = Awaited<ReturnType<typeof startSlackStandin>>;
