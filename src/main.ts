import { loadConfig } from './config.ts';
import { createAssistant } from './core/assistant.ts';
import { openDb } from './db/open.ts';
import type { Requester } from './db/port.ts';
import { DEMO_USERS } from './demo/generate.ts';
import { createParser } from './nlu/create-parser.ts';
import { runRepl } from './channels/repl.ts';

const config = loadConfig();
const log = (m: string) => process.stderr.write(`[crm] ${m}\n`);
const db = await openDb(config, log);
const now = config.today ? () => new Date(`${config.today}T12:00:00Z`) : undefined;
const parser = createParser(config, db);
const assistant = createAssistant({ db, parser, now });
log(`parser: ${parser.name}, database: ${db.kind}`);

const servers: { close(): Promise<void> }[] = [];
if (config.slack) servers.push(await (await import('./channels/slack/app.ts')).startSlack({ config, assistant, db }));
if (config.teams) servers.push(await (await import('./channels/teams/bot.ts')).startTeams({ config, assistant, db }));

if (servers.length === 0) {
  const user = await db.serviceRpc<Requester | null>('user_for_channel', { name: process.env.CRM_USER || DEMO_USERS.rep });
  if (!user) throw new Error('the demo user is missing; run `npm run db:seed`');
  await runRepl({ assistant, db, user, input: process.stdin, output: process.stdout, outDir: config.outDir, prompt: process.stdin.isTTY });
  await db.close();
} else {
  const stop = async () => {
    await Promise.all(servers.map((s) => s.close()));
    await db.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
