/**
 * The demo page as `npm start` serves it (the gateway's onHttpRequest hook with serveDemo), checked
 * over HTTP and then in a real Chromium (Debian's, driven by playwright-core): send, see the reply the
 * fake Bedrock streams, force a drop through the management API, see the reconnect, and no lost or
 * doubled message; then the fault markers: a reply cut short carries a note, a refusal its message.
 * The screenshot is kept at test-artifacts/demo.png.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jwtVerify } from 'jose';
import { type Browser, chromium, type Page } from 'playwright-core';
import { fakeAnswer } from '#testkit/fake-answers.ts';
import { registerSecret } from '#testkit/output.ts';
import { uniqueUser } from '#testkit/tokens.ts';
import { DEV_JWT_SECRET } from '../../src/local/dev-config.ts';
import { chromiumExecutable, describeProblems, inspectSystem, missingRequirements } from '../../src/local/requirements.ts';
import { type ClientGateway, startClientGateway } from './support/harness.ts';

/** CHROMIUM_PATH, Debian's /usr/bin/chromium or chromium on PATH: the one `npm test`'s requirements check found. */
const CHROMIUM = chromiumExecutable();
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];
const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');

interface ShownMessage {
  id: string;
  role: string;
  text: string;
}

/** The conversation as the page shows it: stored messages only (no pending or streaming bubbles). */
const shownMessages = (page: Page): Promise<ShownMessage[]> =>
  page.$$eval('#messages li[data-message-id]', (items) =>
    items.map((item) => ({
      id: (item as HTMLElement).dataset.messageId ?? '',
      role: (item as HTMLElement).dataset.role ?? '',
      text: item.firstChild?.textContent ?? '',
    })),
  );

const waitForShown = (page: Page, role: string, text: string) =>
  page.waitForFunction(
    ([role, text]) =>
      Array.from(document.querySelectorAll<HTMLElement>('#messages li[data-message-id]')).some((item) => item.dataset.role === role && item.firstChild?.textContent === text),
    [role, text] as const,
  );

const connectionIdShown = async (page: Page, other?: string): Promise<string> => {
  await page.waitForFunction((other) => {
    const text = document.getElementById('connection-id')?.textContent ?? '–';
    return text !== '–' && text !== other;
  }, other);
  return (await page.locator('#connection-id').textContent()) ?? '';
};

const send = async (page: Page, text: string) => {
  await page.locator('#message').fill(text);
  await page.locator('#send').click();
};

describe('demo page', () => {
  let harness: ClientGateway;
  let base: string;
  let browser: Browser | undefined;

  beforeAll(async () => {
    // RESPONDER=bedrock, the real SDK against the fake Bedrock, as `npm start` runs the page.
    harness = await startClientGateway();
    base = harness.gateway.managementEndpoint.replace(/\/dev$/, '');
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await harness?.gateway.stop();
  });

  it('is served by the gateway with the WebSocket URL of its host, and its bundle', async () => {
    const page = await fetch(`${base}/`);
    const html = await page.text();
    const script = await fetch(`${base}/demo/app.js`);
    const code = await script.text();

    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html).toContain(`<meta name="chat-websocket-url" content="${harness.gateway.url}">`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(code).toContain('chat_message');
    expect(code).not.toMatch(/from ['"]\.{1,2}\//);
  });

  it('mints a dev token the authorizer accepts for the user asked, and refuses an invalid user', async () => {
    const response = await fetch(`${base}/demo/token?user=bob`);
    const body = (await response.json()) as { token: string; user: string };
    registerSecret(body.token);
    const refused = await fetch(`${base}/demo/token?user=${encodeURIComponent('not a user!')}`);
    const { payload } = await jwtVerify(body.token, new TextEncoder().encode(DEV_JWT_SECRET), { algorithms: ['HS256'] });

    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(body.user).toBe('bob');
    expect(payload.sub).toBe('bob');
    expect(refused.status).toBe(400);
  });

  it("leaves other paths and methods to the gateway's own answers", async () => {
    const other = await fetch(`${base}/elsewhere`);
    const post = await fetch(`${base}/`, { method: 'POST', body: '{}' });
    const stage = await fetch(`${base}/dev`);

    expect(other.status).toBe(403);
    expect(post.status).toBe(403);
    expect(stage.status).toBe(426);
  });

  it('in Chromium: sends, streams the reply, survives a forced drop with no lost or doubled message, and reloads history', async () => {
    // Prepare
    // Run alone (without npm test's check first), a missing Chromium is still named with its fix.
    if (CHROMIUM === undefined) {
      throw new Error(
        describeProblems(
          'test',
          missingRequirements('test', inspectSystem('test')).filter(({ tool }) => tool === 'chromium'),
        ),
      );
    }
    browser ??= await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const user = uniqueUser('browser');
    await page.goto(`${base}/?user=${user}&session=demo-session`);
    await page.locator('#status[data-status="open"]').waitFor();
    const first = await connectionIdShown(page);
    await page.evaluate(() => {
      const seen = { streaming: 0 };
      (window as unknown as { streamingSeen: typeof seen }).streamingSeen = seen;
      new MutationObserver(() => {
        if (document.querySelector('#messages .streaming')) seen.streaming += 1;
      }).observe(document.getElementById('messages') as HTMLElement, { childList: true, subtree: true });
    });

    // Act: a message and its streamed reply; a drop forced by the server; a message sent right after it.
    await send(page, 'hello from chromium');
    await waitForShown(page, 'assistant', fakeAnswer('hello from chromium'));
    const deleted = await fetch(`${harness.gateway.managementEndpoint}/@connections/${encodeURIComponent(first)}`, { method: 'DELETE' });
    await page.waitForFunction(() => document.getElementById('events')?.textContent?.includes('reconnecting (dropped)'));
    await send(page, 'sent across the drop');
    await page.locator('#status[data-status="open"]').waitFor();
    const second = await connectionIdShown(page, first);
    await waitForShown(page, 'assistant', fakeAnswer('sent across the drop', 2));
    await page.waitForFunction(() => document.querySelectorAll('#messages .pending, #messages .streaming').length === 0);
    const conversation = await shownMessages(page);
    const streamingSeen = await page.evaluate(() => (window as unknown as { streamingSeen: { streaming: number } }).streamingSeen.streaming);
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'demo.png') });
    await page.reload();
    await page.locator('#status[data-status="open"]').waitFor();
    await waitForShown(page, 'assistant', fakeAnswer('sent across the drop', 2));
    const reloaded = await shownMessages(page);

    // Assess
    expect(deleted.status).toBe(204);
    expect(second).not.toBe(first);
    expect(conversation.map(({ role, text }) => `${role}: ${text}`)).toEqual([
      'user: hello from chromium',
      `assistant: ${fakeAnswer('hello from chromium')}`,
      'user: sent across the drop',
      `assistant: ${fakeAnswer('sent across the drop', 2)}`,
    ]);
    const ids = conversation.map((message) => message.id);
    expect(new Set(ids).size).toBe(4);
    expect(ids).toEqual([...ids].sort());
    expect(streamingSeen).toBeGreaterThan(0);
    expect(reloaded).toEqual(conversation);
    expect(await page.locator('#status').textContent()).toBe('open');
    expect(pageErrors).toEqual([]);
  }, 120_000);

  // Depends on the message route's model outcomes (contract, steps 4 and 5): the reply's status, and ASSISTANT_UNAVAILABLE.
  it('in Chromium: shows a note under a reply the model broke off, and the message of a refusal', async () => {
    if (CHROMIUM === undefined)
      throw new Error(
        describeProblems(
          'test',
          missingRequirements('test', inspectSystem('test')).filter(({ tool }) => tool === 'chromium'),
        ),
      );
    browser ??= await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
    await page.goto(`${base}/?user=${uniqueUser('faults')}&session=faults`);
    await page.locator('#status[data-status="open"]').waitFor();

    await send(page, 'tell me [fault:exception-at:4]');
    // The first failed reply: the refused question below also ends its reply as failed (and empty).
    const broken = page.locator('#messages li[data-role="assistant"][data-status="failed"]').first();
    await broken.waitFor();
    await send(page, 'and now? [fault:access-denied]');
    await page.locator('#notice:not([hidden])').waitFor();

    expect(await broken.locator('.note').textContent()).toMatch(/^Interrupted/);
    // Three words came before the exception (the first event is messageStart): the text so far is kept.
    expect((await broken.evaluate((item) => item.firstChild?.textContent))?.trim()).toBe('Turn 1 of');
    expect(await page.locator('#notice').getAttribute('data-code')).toBe('ASSISTANT_UNAVAILABLE');
    expect(await page.locator('#notice').textContent()).toBe('The assistant is unavailable right now; please try again later');
    await page.close();
  }, 60_000);
});
