import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Script = (request: {
  messages: { role: string; content: string }[];
  tools?: unknown[];
}) => { tool: string; args: unknown } | { content: string } | { delayMs: number } | { status: number };

/**
 * A local OpenAI-compatible server (`POST /v1/chat/completions`) that answers with scripted tool
 * calls, and records what it was sent.
 */
export async function startOpenAiStandin(script: Script) {
  const received: { messages: { role: string; content: string }[]; tools?: unknown[] }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', async () => {
      const request = JSON.parse(body);
      received.push(request);
      const answer = script(request);
      if ('status' in answer) {
        res
          .writeHead(answer.status, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: { message: 'scripted failure' } }));
        return;
      }
      if ('delayMs' in answer) await new Promise((r) => setTimeout(r, answer.delayMs));
      const message =
        'tool' in answer
          ? {
              role: 'assistant',
              content: null,
              tool_calls: [
                {
                  id: 'call_1',
                  type: 'function',
                  function: {
                    name: answer.tool,
                    arguments: typeof answer.args === 'string' ? answer.args : JSON.stringify(answer.args),
                  },
                },
              ],
            }
          : { role: 'assistant', content: 'content' in answer ? answer.content : '' };
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: 'chatcmpl-test',
          object: 'chat.completion',
          created: 0,
          model: request.model,
          choices: [{ index: 0, message, finish_reason: 'tool' in answer ? 'tool_calls' : 'stop' }],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    received,
    /** Everything the model was sent, as one string. */
    sentText: () => received.flatMap((r) => r.messages.map((m) => m.content ?? '')).join('\n'),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
