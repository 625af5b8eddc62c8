/**
 * `npm run teams:playground`: the bot in local Teams mode (TEAMS_LOCAL=true: no credentials, 127.0.0.1 only)
 * together with Microsoft's own local Teams client, the Microsoft 365 Agents Playground, each on a free port.
 * Open the printed URL and chat as the playground's test user, who acts as the demo rep (TEAMS_LOCAL_USER).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'node_modules', '@microsoft', 'm365agentsplayground', 'cli.js');

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Resolves with the first match of `pattern` in the child's output (stdout or stderr), or fails when it exits first. */
export function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs = 120_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for ${pattern}; output so far:\n${seen}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const m = seen.match(pattern);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code}) before ${pattern}; output:\n${seen}`));
    });
  });
}

/**
 * Starts the Agents Playground against a bot endpoint. Its working folder receives the playground's own logs.
 * Without a desktop, its attempt to open a browser (xdg-open) would crash it, so a no-op one is put first on
 * PATH where there is none.
 */
export async function startPlayground(botUrl: string, workDir: string): Promise<{ url: string; child: ChildProcess }> {
  mkdirSync(workDir, { recursive: true });
  const env = { ...process.env };
  if (spawnSync('sh', ['-c', 'command -v xdg-open']).status !== 0) {
    const shim = join(workDir, 'bin');
    mkdirSync(shim, { recursive: true });
    writeFileSync(join(shim, 'xdg-open'), '#!/bin/sh\nexit 0\n');
    chmodSync(join(shim, 'xdg-open'), 0o755);
    env.PATH = `${shim}:${env.PATH ?? ''}`;
  }
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [CLI, 'start', '-e', botUrl, '-c', 'msteams', '-p', String(port), '--disable-telemetry'],
    {
      cwd: workDir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const [, listening] = await waitForOutput(child, /Listening on (\d+)/);
  return { url: `http://localhost:${listening}`, child };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const botPort = await freePort();
  const bot = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'main.ts')], {
    cwd: ROOT,
    env: { ...process.env, TEAMS_LOCAL: 'true', TEAMS_PORT: String(botPort) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  bot.stderr?.pipe(process.stderr);
  const stop = (code = 0) => {
    bot.kill();
    playground?.child.kill();
    process.exit(code);
  };
  let playground: Awaited<ReturnType<typeof startPlayground>> | undefined;
  try {
    await waitForOutput(bot, /Teams bot listening on port/);
    playground = await startPlayground(
      `http://127.0.0.1:${botPort}/api/messages`,
      join(ROOT, 'out', 'teams-playground'),
    );
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    stop(1);
  }
  process.stdout.write(
    `\nMicrosoft 365 Agents Playground: open ${playground!.url}\n(The bot runs on 127.0.0.1:${botPort}; Ctrl+C stops both.)\n`,
  );
  process.on('SIGINT', () => stop());
  process.on('SIGTERM', () => stop());
  bot.once('exit', (code) => stop(code ?? 1));
}
