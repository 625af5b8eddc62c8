import { consoleNotifier, runRepl } from './channels/repl.ts';
import { loadConfig } from './config.ts';
import { log } from './core/log.ts';
import { createAssistant } from './core/assistant.ts';
import { openDb } from './db/open.ts';
import { DEMO_USERS } from './demo/generate.ts';
import { fanOut, type Notifier } from './jobs/notifier.ts';
import { createParser } from './nlu/create-parser.ts';
import { SKILLS } from '../skills/index.ts';
import { createScheduler } from './jobs/scheduler.ts';
import { openFileStore } from './storage/file-store.ts';

const config = loadConfig();
const db = await openDb(config, log.info);
const now = config.today ? () => new Date(`${config.today}T12:00:00Z`) : () => new Date();
const parser = createParser(config, db);
const assistant = createAssistant({ db, parser, now, botScopes: config.botScopes });
const files = await openFileStore(config);
log.info(`parser: ${parser.name}, database: ${db.kind}, files: ${files.kind}`);

const servers: { close(): Promise<void>; notifier: Notifier }[] = [];
if (config.slack) {
  const { startSlack } = await import('./channels/slack/app.ts');
  servers.push(await startSlack({ config, assistant, db, escalationChannel: config.slack.escalationChannel }));
}
if (config.teams) {
  const { startTeams } = await import('./channels/teams/bot.ts');
  servers.push(await startTeams({ config, assistant, db, files: files.kind === 'supabase' ? files : undefined }));
}

// Reminders and SLA checks: durable jobs in Postgres, delivered through whichever channels run.
const notifier = servers.length ? fanOut(servers.map((s) => s.notifier)) : consoleNotifier(db, process.stdout);
const jobs = Object.assign({}, ...SKILLS.map((s) => s.jobs?.({ db, notifier, now }) ?? {}));
const scheduler = createScheduler(db, jobs, now);
scheduler.start();

if (servers.length === 0) {
  const user = await db.serviceRpc('user_for_channel', { name: process.env.CRM_USER || DEMO_USERS.rep });
  if (!user) throw new Error('the demo user is missing; run `npm run db:seed`');
  await runRepl({
    assistant,
    db,
    user,
    input: process.stdin,
    output: process.stdout,
    files,
    prompt: process.stdin.isTTY,
  });
  scheduler.stop();
  await db.close();
} else {
  const stop = async () => {
    scheduler.stop();
    await Promise.all(servers.map((s) => s.close()));
    await db.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
