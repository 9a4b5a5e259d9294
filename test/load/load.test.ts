/**
 * Load with drops, through the local gateway running the built handlers: 200 ChatClients (one user
 * and one session each) queue their messages while a dropper deletes a random live connection
 * through the real management API client at a steady rate. Afterwards, with the gateway stopped,
 * every session is read back from DynamoDB: each message sent is stored exactly once with exactly
 * one reply, and each client handed the application exactly the stored history, in order.
 *
 * The run is bounded for CI (2 cores, the whole suite well inside 30 minutes): 200 clients x 10
 * messages here (about two minutes on a busy 2-core machine); `npm run soak` runs 200 x 50 and more
 * with the same code. The rate limit is raised (burst 1000, 100 frames/s) so the bucket does not
 * shape the run. The figures are written to `test-artifacts/load.json` and `load.txt`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { formatFigures } from '#testkit/load/figures.ts';
import { runScenario } from '#testkit/load/scenario.ts';
import { tokenFor } from '#testkit/tokens.ts';

const CLIENTS = 200;
const MESSAGES_PER_CLIENT = 10;
const DROPS_PER_SECOND = 5;
/** Far beyond the run's usual length (one to two minutes): a slow machine finishes late, not wrong. */
const DEADLINE_MS = 300_000;

const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-artifacts');

describe('the chat under load with random connection drops', () => {
  it(
    'stores every message of 200 clients exactly once, and each client delivers exactly the stored history, in order',
    async () => {
      // Act: tokenFor mints a fresh dev token on every (re)connect, registered so no captured log line may contain it.
      const { figures, verdict } = await runScenario({
        clients: CLIENTS,
        messagesPerClient: MESSAGES_PER_CLIENT,
        pace: 'queue',
        dropsPerSecond: DROPS_PER_SECOND,
        handlers: 'auto',
        token: tokenFor,
        deadlineMs: DEADLINE_MS,
      });
      mkdirSync(ARTIFACTS, { recursive: true });
      writeFileSync(join(ARTIFACTS, 'load.json'), `${JSON.stringify(figures, null, 2)}\n`);
      writeFileSync(join(ARTIFACTS, 'load.txt'), `${formatFigures(figures)}\n`);

      // Assess: counted from storage and from each client's events, not assumed.
      expect(verdict.problems).toEqual([]);
      expect({
        sent: figures.sent,
        acknowledged: figures.acknowledged,
        storedUser: figures.stored.user,
        storedAssistant: figures.stored.assistant,
        delivered: figures.delivered,
        lost: figures.lost,
        doubled: figures.doubled,
        outOfOrderClients: figures.outOfOrderClients,
        mismatched: figures.mismatched,
        unfinishedClients: figures.unfinishedClients,
        rateLimited: figures.rateLimited,
        otherErrors: figures.otherErrors,
        dropFailures: figures.dropFailureSamples,
      }).toEqual({
        sent: CLIENTS * MESSAGES_PER_CLIENT,
        acknowledged: CLIENTS * MESSAGES_PER_CLIENT,
        storedUser: CLIENTS * MESSAGES_PER_CLIENT,
        storedAssistant: CLIENTS * MESSAGES_PER_CLIENT,
        delivered: 2 * CLIENTS * MESSAGES_PER_CLIENT,
        lost: 0,
        doubled: 0,
        outOfOrderClients: 0,
        mismatched: 0,
        unfinishedClients: 0,
        rateLimited: 0,
        otherErrors: 0,
        dropFailures: [],
      });
      // The drops happened, and every dropped client came back (the run waits for the last reconnects).
      expect(figures.drops).toBeGreaterThan(0);
      expect(figures.reconnects).toBeGreaterThanOrEqual(figures.drops);
    },
    DEADLINE_MS + 120_000,
  );
});
