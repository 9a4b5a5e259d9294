import { setTimeout as sleep } from 'node:timers/promises';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { toEpochSeconds } from '../domain/clock.ts';
import { liveThreshold } from '../domain/connection-lifetime.ts';
import { CONNECT_GRACE_MS } from '../domain/connection-store.ts';

/** BatchGetItem takes at most 100 keys a call. */
const BATCH_GET_LIMIT = 100;
/** Rounds of BatchGetItem for keys DynamoDB left unprocessed (it does so under throttling). */
const MAX_BATCH_ROUNDS = 4;

/**
 * Slot `index` of a user's connection cap. Like the rate buckets it has no `userId` attribute (never
 * in `userId-index`); the index comes last, so no two users' slot keys can be equal.
 */
const slotKey = (userId: string, index: number): string => `slot#${userId}#${index}`;

interface Slot {
  key: string;
  /** The connectionId holding the slot; absent when the slot item does not exist. */
  owner?: string;
  /** epoch ms */
  takenAt?: number;
  /** epoch seconds; the TTL attribute */
  expiresAt?: number;
}

/**
 * The per-user connection cap as `max` slot items per user, each held by one connection. A connect
 * takes a free slot with a conditional PutItem, so two racers can never hold the same slot and the
 * cap is exact whatever the index's consistency. Dead holders never lock a user out: a slot frees
 * itself at its `expiresAt` (the connection's maximum lifetime), and a full user's slots are checked
 * against their holders' rows, so a slot whose connection row is gone, ended or closed (a gateway
 * that died without `$disconnect`) is taken over at once.
 */
class ConnectionSlots {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly lingerSeconds: number;

  /** `lingerSeconds`: how long a row outlives its connection's end (connection-lifetime.ts). */
  public constructor(client: DynamoDBDocumentClient, tableName: string, lingerSeconds: number) {
    this.client = client;
    this.tableName = tableName;
    this.lingerSeconds = lingerSeconds;
  }

  /** The user's `max` slots, read strongly consistent. */
  public async read(userId: string, max: number): Promise<Slot[]> {
    const keys = Array.from({ length: max }, (_, index) => slotKey(userId, index));
    const items = await this.getConsistent(keys);
    return keys.map((key) => {
      const item = items.get(key);
      return item ? { key, owner: String(item.owner), takenAt: Number(item.takenAt), expiresAt: Number(item.expiresAt) } : { key };
    });
  }

  /**
   * Takes one of `slots` (as `read` returned them) for `connectionId`: a free or expired one first,
   * else one whose holder is dead. Returns the slot's key, or undefined when every slot is held by a
   * live connection.
   */
  public async claim(slots: Slot[], connectionId: string, nowMs: number, expiresAt: number): Promise<string | undefined> {
    const nowSeconds = toEpochSeconds(nowMs);
    const isFree = (slot: Slot) => slot.owner === undefined || (slot.expiresAt ?? 0) <= nowSeconds;
    // Racers start at different free slots, so most take their first pick instead of queueing on one.
    const free = rotate(slots.filter(isFree), Math.floor(Math.random() * slots.length));
    for (const slot of free) {
      const taken = await this.put(slot.key, connectionId, nowMs, expiresAt, {
        ConditionExpression: 'attribute_not_exists(connectionId) OR expiresAt <= :nowSeconds',
        ExpressionAttributeValues: { ':nowSeconds': nowSeconds },
      });
      if (taken) return slot.key;
    }
    for (const slot of await this.heldByDeadConnections(
      slots.filter((slot) => !isFree(slot)),
      nowMs,
    )) {
      const taken = await this.put(slot.key, connectionId, nowMs, expiresAt, {
        ConditionExpression: '#owner = :deadOwner',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':deadOwner': slot.owner },
      });
      if (taken) return slot.key;
    }
    return undefined;
  }

  /** Frees the slot if `connectionId` still holds it; a slot already taken over is left alone. */
  public async release(key: string, connectionId: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { connectionId: key },
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': connectionId },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /**
   * Held slots whose connection row is no longer live (past its end, or closed), or is missing
   * although the slot was taken longer ago than a `$connect` can take to write it.
   */
  private async heldByDeadConnections(held: Slot[], nowMs: number): Promise<Slot[]> {
    if (held.length === 0) return [];
    const rows = await this.getConsistent(held.map((slot) => slot.owner as string));
    const threshold = liveThreshold(nowMs, this.lingerSeconds);
    return held.filter((slot) => {
      const row = rows.get(slot.owner as string);
      if (!row) return (slot.takenAt ?? 0) < nowMs - CONNECT_GRACE_MS;
      return row.disconnectedAt !== undefined || Number(row.expiresAt) <= threshold;
    });
  }

  private async put(key: string, connectionId: string, nowMs: number, expiresAt: number, condition: Record<string, unknown>): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { connectionId: key, owner: connectionId, takenAt: nowMs, expiresAt },
          ...condition,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** Items by connectionId, strongly consistent, all keys answered (unprocessed ones asked again). */
  private async getConsistent(keys: string[]): Promise<Map<string, Record<string, unknown>>> {
    const found = new Map<string, Record<string, unknown>>();
    const pages: string[][] = [];
    for (let start = 0; start < keys.length; start += BATCH_GET_LIMIT) pages.push(keys.slice(start, start + BATCH_GET_LIMIT));
    await Promise.all(
      pages.map(async (page) => {
        let pending: Array<Record<string, unknown>> = page.map((connectionId) => ({ connectionId }));
        for (let round = 0; pending.length > 0; round += 1) {
          if (round === MAX_BATCH_ROUNDS) throw new Error(`BatchGetItem left ${pending.length} keys unprocessed after ${round} rounds`);
          if (round > 0) await sleep(Math.random() * 50 * 2 ** round);
          const answer = await this.client.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }));
          for (const item of answer.Responses?.[this.tableName] ?? []) found.set(String(item.connectionId), item);
          pending = answer.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
        }
      }),
    );
    return found;
  }
}

const rotate = <T>(items: T[], by: number): T[] => {
  if (items.length === 0) return items;
  const offset = by % items.length;
  return [...items.slice(offset), ...items.slice(0, offset)];
};

export type { Slot };
export { ConnectionSlots, slotKey };
