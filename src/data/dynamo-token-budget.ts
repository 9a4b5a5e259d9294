import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { toEpochSeconds } from '../domain/clock.ts';
import { type BudgetDecision, type BudgetReservation, budgetDay, budgetResetMs, type TokenBudget } from '../domain/token-budget.ts';

interface TokenBudgetLimits {
  /** Output tokens a user may spend per UTC day. */
  dailyOutputTokens: number;
  /** What one question reserves: the model's maximum output tokens. */
  tokensPerReply: number;
}

/** One counter per user and day, next to the rate-limit buckets (it has no userId attribute, so no index holds it). */
const budgetKey = (userId: string, day: string) => ({ connectionId: `budget#output-tokens#${day}#${userId}` });

/** A day's counter outlives its day by one more, then TTL deletes it. */
const COUNTER_LIFETIME_AFTER_RESET_MS = 86_400_000;

/**
 * The daily output-token budget in the connections table. `committedTokens` is what the day's settled
 * replies cost plus what the replies in progress reserved: the reservation is one conditional ADD,
 * so concurrent questions are admitted exactly while their reservations fit.
 */
class DynamoTokenBudget implements TokenBudget {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #limits: TokenBudgetLimits;

  public constructor(client: DynamoDBDocumentClient, tableName: string, limits: TokenBudgetLimits) {
    if (!Number.isInteger(limits.tokensPerReply) || limits.tokensPerReply < 1)
      throw new RangeError(`tokensPerReply must be a whole number of at least 1, got ${limits.tokensPerReply}`);
    if (!Number.isInteger(limits.dailyOutputTokens) || limits.dailyOutputTokens < limits.tokensPerReply) {
      throw new RangeError(`dailyOutputTokens must be a whole number of at least tokensPerReply (${limits.tokensPerReply}), got ${limits.dailyOutputTokens}`);
    }
    this.#client = client;
    this.#tableName = tableName;
    this.#limits = limits;
  }

  public async reserve(userId: string, nowMs: number): Promise<BudgetDecision> {
    const day = budgetDay(nowMs);
    const reserved = this.#limits.tokensPerReply;
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: budgetKey(userId, day),
          UpdateExpression: 'ADD committedTokens :reserved SET expiresAt = if_not_exists(expiresAt, :expiresAt)',
          ConditionExpression: 'attribute_not_exists(committedTokens) OR committedTokens <= :ceiling',
          ExpressionAttributeValues: {
            ':reserved': reserved,
            ':ceiling': this.#limits.dailyOutputTokens - reserved,
            ':expiresAt': toEpochSeconds(budgetResetMs(nowMs) + COUNTER_LIFETIME_AFTER_RESET_MS),
          },
        }),
      );
      return { admitted: true, reservation: { userId, day, reservedTokens: reserved } };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { admitted: false, resetsAtMs: budgetResetMs(nowMs) };
      throw error;
    }
  }

  public async settle(reservation: BudgetReservation, usedTokens: number): Promise<void> {
    if (!Number.isInteger(usedTokens) || usedTokens < 0) throw new RangeError(`usedTokens must be a whole number of at least 0, got ${usedTokens}`);
    const delta = usedTokens - reservation.reservedTokens;
    if (delta === 0) return;
    await this.#client.send(
      new UpdateCommand({
        TableName: this.#tableName,
        Key: budgetKey(reservation.userId, reservation.day),
        UpdateExpression: 'ADD committedTokens :delta',
        ExpressionAttributeValues: { ':delta': delta },
      }),
    );
  }

  /** What the user has committed today (settled plus reserved); for tests and operators, not part of TokenBudget. */
  public async committedTokens(userId: string, nowMs: number): Promise<number> {
    const { Item } = await this.#client.send(new GetCommand({ TableName: this.#tableName, Key: budgetKey(userId, budgetDay(nowMs)), ConsistentRead: true }));
    return typeof Item?.committedTokens === 'number' ? Item.committedTokens : 0;
  }
}

export type { TokenBudgetLimits };
export { DynamoTokenBudget };
