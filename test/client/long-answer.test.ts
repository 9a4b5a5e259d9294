/**
 * One long streamed answer followed across drops and reloads, end to end: the local gateway with the
 * project's handlers, RESPONDER=echo-stream slowed by ECHO_STREAM_DELAY_MS per word, so the answer
 * outlives many connections. 50 drops forced through the management API during it (Node's WebSocket),
 * then a Chromium page reload during another, then the demo's Stop button.
 * Needs the server side of issue 13 (hand-off to `respond`, reply items with status `streaming`,
 * the `cancel` action, ECHO_STREAM_DELAY_MS).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { type Browser, chromium, type Page } from 'playwright-core';
import { tokenFor, uniqueUser } from '#testkit/tokens.ts';
import { ChatClient, type ChatMessage, type ReplyChunk } from '../../src/client/index.ts';
import { chromiumExecutable } from '../../src/local/requirements.ts';
import { type ClientGateway, record, startClientGateway, waitFor } from './support/harness.ts';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];
/** About 700 words: at 40 ms a word, an answer of about 30 s. */
const LONG_QUESTION = Array.from({ length: 700 }, (_, index) => `w${index}`).join(' ');
const echoOf = (question: string): string => `You said: ${question}`;
const DROPS = 50;

/** The streamed text of one reply, checked piece by piece: each continues exactly where the text ended. */
const follow = (chunks: ReplyChunk[], messageId: string): { text: string; contiguous: boolean } => {
  let text = '';
  let contiguous = true;
  for (const chunk of chunks.filter((each) => each.messageId === messageId)) {
    if (chunk.offset !== [...text].length) contiguous = false;
    text += chunk.delta;
  }
  return { text, contiguous };
};

const launch = (): Promise<Browser> => {
  const executablePath = chromiumExecutable();
  if (executablePath === undefined) throw new Error('Chromium is missing: install Debian chromium or set CHROMIUM_PATH (npm test names the fix)');
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
};

/** The text of the streaming bubble, or null when none shows. */
const streamingText = (page: Page): Promise<string | null> => page.evaluate(() => document.querySelector('#messages .streaming')?.firstChild?.textContent ?? null);

describe('a long answer followed across drops, a reload and a stop', () => {
  let harness: ClientGateway;
  let base: string;
  let browser: Browser | undefined;
  const clients: ChatClient[] = [];

  beforeAll(async () => {
    harness = await startClientGateway({
      RESPONDER: 'echo-stream',
      ECHO_STREAM_DELAY_MS: '40',
      // 50 reconnects, each with its history request and ping, within one answer. A dropped connection's
      // slot is freed by its $disconnect, which may still be queued when the client is back: the cap is
      // not what this test is about.
      MAX_CONNECTIONS_PER_USER: '100',
      CONNECT_RATE_BURST: '1000',
      CONNECT_RATE_PER_SECOND: '100',
      RATE_LIMIT_BURST: '1000',
      RATE_LIMIT_PER_SECOND: '100',
    });
    base = harness.gateway.managementEndpoint.replace(/\/dev$/, '');
  }, 180_000);

  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.gateway.stop();
  });

  it('over 50 forced drops during one answer, the streamed text and the final message are byte-identical to the stored reply', async () => {
    // Prepare
    const user = uniqueUser('drops');
    const client = new ChatClient({
      url: harness.gateway.url,
      token: () => tokenFor(user),
      reconnect: { baseDelayMs: 20, maxDelayMs: 200, maxAttempts: 1000 },
      // A handshake refused while the gateway is still running the last drop's $disconnect is retried.
      maxHandshakeFailures: 100,
      rateLimit: { burst: 1000, perSecond: 100 },
    });
    clients.push(client);
    const seen = record(client);
    const chunks: ReplyChunk[] = [];
    client.on('chunk', (chunk) => chunks.push(chunk));
    client.connect();
    await client.openSession('long');
    const reply = (): ChatMessage | undefined => seen.messages.find((message) => message.role === 'assistant');

    // Act: the answer starts, then the server deletes the connection 50 times while it streams.
    await client.send('long', LONG_QUESTION).acknowledged;
    await waitFor(() => chunks.length > 0, 'the first chunk');
    let drops = 0;
    while (drops < DROPS && reply() === undefined) {
      await waitFor(
        () => client.status.status === 'open',
        'the reconnect',
        () => client.status,
      );
      const connectionId = await client.ping().then(
        (pong) => pong.connectionId,
        () => undefined,
      );
      if (connectionId === undefined) continue;
      if ((await harness.deleteConnection(connectionId)) === 204) drops += 1;
      await waitFor(
        () => client.status.status === 'open',
        'the reconnect',
        () => client.status,
      );
      // Let some of the answer arrive live on the new connection.
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await waitFor(
      () => reply() !== undefined,
      'the final reply',
      () => follow(chunks, chunks[0]?.messageId ?? '').text.length,
    );
    const observer = new ChatClient({ url: harness.gateway.url, token: () => tokenFor(user) });
    clients.push(observer);
    const stored = record(observer);
    observer.connect();
    await observer.openSession('long');

    // Assess
    const final = reply() as ChatMessage;
    const storedReply = stored.messages.find((message) => message.role === 'assistant');
    const streamed = follow(chunks, final.messageId);
    expect(drops).toBe(DROPS);
    expect(final).toMatchObject({ status: 'complete', message: echoOf(LONG_QUESTION) });
    expect(storedReply).toEqual(final);
    expect(streamed.contiguous).toBe(true);
    expect(streamed.text).toBe(final.message);
    expect(seen.messages.filter((message) => message.role === 'assistant')).toHaveLength(1);
    expect(seen.errors).toEqual([]);
  }, 150_000);

  it('in Chromium: a reload during an answer continues it from where it was, with no doubled or missing text', async () => {
    browser ??= await launch();
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${base}/?user=${uniqueUser('reload')}&session=reload`);
    await page.locator('#status[data-status="open"]').waitFor();
    await page.locator('#message').fill(LONG_QUESTION);
    await page.locator('#send').click();
    await page.waitForFunction(() => (document.querySelector('#messages .streaming')?.firstChild?.textContent?.length ?? 0) > 200);
    const beforeReload = (await streamingText(page)) ?? '';

    await page.reload();
    await page.locator('#status[data-status="open"]').waitFor();
    await page.evaluate(() => {
      const texts: string[] = [];
      (window as unknown as { streamedTexts: string[] }).streamedTexts = texts;
      new MutationObserver(() => {
        const text = document.querySelector('#messages .streaming')?.firstChild?.textContent;
        if (text) texts.push(text);
      }).observe(document.getElementById('messages') as HTMLElement, { childList: true, subtree: true });
    });
    await page.waitForFunction(
      (expected) =>
        Array.from(document.querySelectorAll<HTMLElement>('#messages li[data-role="assistant"][data-message-id]')).some((item) => item.firstChild?.textContent === expected),
      echoOf(LONG_QUESTION),
      { timeout: 60_000 },
    );
    const afterReload = await page.evaluate(() => (window as unknown as { streamedTexts: string[] }).streamedTexts);
    const assistantItems = await page.locator('#messages li[data-role="assistant"]').count();

    const full = echoOf(LONG_QUESTION);
    expect(full.startsWith(beforeReload)).toBe(true);
    expect(afterReload.length).toBeGreaterThan(0);
    expect(afterReload.every((text) => full.startsWith(text))).toBe(true);
    expect(assistantItems).toBe(1);
    expect(await page.locator('#stop').isHidden()).toBe(true);
    expect(pageErrors).toEqual([]);
    await page.close();
  }, 120_000);

  it('in Chromium: the Stop button shows while the answer streams and stops it, leaving the text so far as a cancelled reply', async () => {
    browser ??= await launch();
    const page = await browser.newPage();
    await page.goto(`${base}/?user=${uniqueUser('stop')}&session=stop`);
    await page.locator('#status[data-status="open"]').waitFor();
    await page.locator('#message').fill(LONG_QUESTION);
    await page.locator('#send').click();
    await page.locator('#stop').waitFor({ state: 'visible' });

    await page.locator('#stop').click();
    const cancelled = page.locator('#messages li[data-role="assistant"][data-status="cancelled"]');
    await cancelled.waitFor();
    const text = (await cancelled.evaluate((item) => item.firstChild?.textContent)) ?? '';

    expect(echoOf(LONG_QUESTION).startsWith(text)).toBe(true);
    expect(text.length).toBeLessThan(echoOf(LONG_QUESTION).length);
    expect(await page.locator('#stop').isHidden()).toBe(true);
    expect(await page.locator('#events').textContent()).toContain('stop: cancelling');
    await page.close();
  }, 60_000);
});
