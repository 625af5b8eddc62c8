import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTeams, type TeamsServer } from '../src/channels/teams/bot.ts';
import { isLoopback, isLoopbackUrl } from '../src/channels/teams/http.ts';
import { loadConfig, PLAYGROUND_USER_AAD_ID } from '../src/config.ts';
import { createAssistant } from '../src/core/assistant.ts';
import { NOT_LINKED } from '../src/core/channel-kit.ts';
import { offlineParser } from '../src/nlu/offline-parser.ts';
import { startPlayground } from '../scripts/teams-playground.ts';
import { startConnectorStandIn, type ConnectorStandIn } from './support/bot-connector-standin.ts';
import { freshDb, TODAY, type TestDb } from './support/db.ts';
import { recordingLogger } from './support/log.ts';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(process.cwd(), 'out', 'teams-playground');

describe('local Teams mode (TEAMS_LOCAL=true) is explicit', () => {
  it('refuses to be combined with real Bot Framework credentials', () => {
    for (const extra of [
      { MICROSOFT_APP_ID: 'x' },
      { MICROSOFT_APP_PASSWORD: 'y' },
      { MICROSOFT_APP_TENANT_ID: 'z' },
    ]) {
      expect(() => loadConfig({ TEAMS_LOCAL: 'true', ...extra })).toThrow(/cannot be combined with MICROSOFT_APP_ID/);
    }
    expect(loadConfig({ TEAMS_LOCAL: 'true' }).teams).toEqual({
      appId: '',
      appPassword: '',
      port: 3978,
      local: { user: 'Alex Morgan', aadObjectId: PLAYGROUND_USER_AAD_ID },
    });
    expect(
      loadConfig({ TEAMS_LOCAL: 'true', TEAMS_LOCAL_USER: 'Marta Schulz', TEAMS_LOCAL_AAD_ID: 'abc' }).teams?.local,
    ).toEqual({ user: 'Marta Schulz', aadObjectId: 'abc' });
    // Without it, no app id means no Teams at all: authentication is never silently off.
    expect(loadConfig({}).teams).toBeUndefined();
  });

  it('knows loopback addresses and URLs from others', () => {
    expect(['127.0.0.1', '::1', '::ffff:127.0.0.1'].every(isLoopback)).toBe(true);
    expect(['192.0.2.2', '10.0.0.1', '::ffff:10.0.0.1', undefined].some(isLoopback)).toBe(false);
    expect(['http://localhost:56150/_connector', 'http://127.0.0.1:9/', 'http://[::1]:3/x'].every(isLoopbackUrl)).toBe(
      true,
    );
    expect(
      [
        'https://smba.trafficmanager.net/emea/',
        'http://localhost.attacker.example/',
        'http://127.0.0.1.nip.io/',
        42,
      ].some(isLoopbackUrl),
    ).toBe(false);
  });
});

describe('local Teams mode serving requests', () => {
  let db: TestDb;
  let bot: TeamsServer;
  let connector: ConnectorStandIn;
  beforeAll(async () => {
    db = await freshDb('pglite', { deals: 300 });
    connector = await startConnectorStandIn();
    const assistant = createAssistant({ db, parser: offlineParser, now: () => new Date(`${TODAY}T12:00:00Z`) });
    bot = await startTeams({
      config: { ...loadConfig({ TEAMS_LOCAL: 'true', TEAMS_PORT: '0' }) },
      assistant,
      db,
      log: recordingLogger(),
    });
  }, 120_000);
  afterAll(async () => {
    await bot?.close();
    await connector?.close();
    await db?.close();
  });

  const activity = (aadObjectId: string, text: string, serviceUrl = connector.serviceUrl) => ({
    type: 'message',
    id: `local-${Math.random()}`,
    channelId: 'msteams',
    serviceUrl,
    text,
    timestamp: new Date().toISOString(),
    from: { id: 'user-id-0', name: 'Alex Wilber', aadObjectId },
    recipient: { id: 'bot', name: 'Test Bot' },
    conversation: { id: 'personal-chat-id', conversationType: 'personal', tenantId: 't' },
  });
  const post = (body: unknown, host = '127.0.0.1') =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host,
          port: bot.port,
          path: '/api/messages',
          method: 'POST',
          headers: { 'content-type': 'application/json' },
        },
        (res) => res.resume().on('end', () => resolve(res.statusCode ?? 0)),
      );
      req.on('error', reject).end(JSON.stringify(body));
    });

  it('answers the local test user without a token, as the configured CRM user; anyone else is not linked', async () => {
    expect(await post(activity(PLAYGROUND_USER_AAD_ID, 'help'))).toBe(200);
    expect(await post(activity('someone-else', 'what is my pipeline'))).toBe(200);
    expect(connector.calls.map((c) => [c.authorization, String(c.body.text).split('\n')[0]])).toEqual([
      [undefined, expect.stringMatching(/^Here is what I can do/)],
      [undefined, NOT_LINKED],
    ]);
  });

  it('listens on 127.0.0.1 only, and refuses an activity whose replies would leave this machine', async () => {
    const outside = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && !i.internal && i.family === 'IPv4')?.address;
    expect(outside, 'this test needs a non-loopback interface').toBeDefined();
    await expect(post(activity(PLAYGROUND_USER_AAD_ID, 'help'), outside)).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
    const before = connector.calls.length;
    expect(await post(activity(PLAYGROUND_USER_AAD_ID, 'help', 'https://attacker.example/'))).toBe(403);
    expect(connector.calls.length).toBe(before);
  });
});

/**
 * Microsoft's own local Teams client against the bot: the Agents Playground in headless Chromium. .ci/run installs
 * Chromium and sets REQUIRE_BROWSER=1, so there it cannot be skipped; elsewhere it runs when Chromium is there.
 */
const browserAvailable = existsSync(CHROMIUM);
describe.runIf(browserAvailable || process.env.REQUIRE_BROWSER === '1')(
  'the Agents Playground in Chromium talking to the bot',
  () => {
    let db: TestDb;
    let bot: TeamsServer;
    let playground: { url: string; child: ChildProcess };
    let browser: Browser;
    let page: Page;
    const outside: string[] = [];

    beforeAll(async () => {
      mkdirSync(SHOTS, { recursive: true });
      db = await freshDb('pglite', { deals: 1500 });
      const assistant = createAssistant({
        db,
        parser: offlineParser,
        now: () => new Date(`${TODAY}T12:00:00Z`),
        charts: false,
      });
      bot = await startTeams({
        config: loadConfig({ TEAMS_LOCAL: 'true', TEAMS_PORT: '0' }),
        assistant,
        db,
        log: recordingLogger(),
      });
      playground = await startPlayground(`http://127.0.0.1:${bot.port}/api/messages`, join(SHOTS, 'playground'));
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
        ],
      });
      page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
      // Nothing leaves the machine: every request that is not to this machine is blocked (and recorded).
      await page.route('**/*', (route) => {
        const url = new URL(route.request().url());
        if (['127.0.0.1', 'localhost'].includes(url.hostname) || url.protocol === 'data:') return route.continue();
        outside.push(url.host);
        return route.abort();
      });
      await page.goto(playground.url);
      await page.locator('[data-lexical-editor="true"]').waitFor({ timeout: 60_000 });
    }, 180_000);

    afterAll(async () => {
      await browser?.close();
      playground?.child.kill();
      await bot?.close();
      await db?.close();
    });

    const say = async (text: string) => {
      await page.locator('[data-lexical-editor="true"]').click();
      await page.keyboard.type(text);
      await page.keyboard.press('Enter');
    };
    const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });
    /** Text in the conversation (the chat list on the left previews the last message too; the conversation comes later). */
    const shown = (text: string | RegExp) => page.getByText(text).last();

    it('help, a pipeline table card, and a call log confirmed on its Adaptive Card (the card replaced, the row written)', async () => {
      await say('help');
      await shown('Here is what I can do').waitFor();
      expect((await page.getByText('help <topic>').count()) + (await page.getByText('&lt;').count())).toBe(0);
      await shot('01-help');

      await say("what's my pipeline by stage");
      const table = page.getByRole('table').last();
      await table.waitFor();
      expect(await table.getByText('Stage', { exact: true }).count()).toBe(1);
      await shown(/^Your pipeline, /).waitFor();
      await shot('02-pipeline-table');

      const logged = () =>
        db.query(
          `select summary from public.activities where summary = 'she wants pricing by Friday' and kind = 'call'`,
        );
      await say('log a 20 min call with Dana Reyes, she wants pricing by Friday');
      const confirm = page.getByRole('button', { name: 'Confirm' });
      await confirm.waitFor();
      await shown('Log a call with Dana Reyes (Acme):').waitFor();
      await shot('03-confirmation');
      expect(await logged()).toEqual([]);
      await confirm.click();
      await shown(/^Logged the call with Dana Reyes/).waitFor();
      await expect.poll(() => page.getByRole('button', { name: 'Confirm' }).count()).toBe(0);
      await shot('04-confirmed');
      expect(await logged()).toHaveLength(1);
      expect(outside.filter((h) => !h.endsWith('cdn.office.net'))).toEqual([]);
    }, 120_000);

    it('a "which one?" card is replaced by what the pick leads to, so it cannot be answered twice', async () => {
      await say('log a call with Dana about the pilot');
      const pick = page.getByRole('button', { name: 'Dana Whitfield (Acme Logistics)' });
      await pick.waitFor();
      await pick.click();
      await shown('Log a call with Dana Whitfield (Acme Logistics):').waitFor();
      await expect.poll(() => page.getByRole('button', { name: 'Dana Whitfield (Acme Logistics)' }).count()).toBe(0);
      await shot('05-choice-replaced');
      await page.getByRole('button', { name: 'Cancel' }).click();
      await shown('Cancelled. Nothing was written.').waitFor();
    }, 60_000);
  },
);
