import { describe, expect, it } from '@jest/globals';
import { SignJWT } from 'jose';
import { decodeTime, ulid } from 'ulid';
import { resumePoint } from '../../src/client/message-ids.ts';
import { assertClientMessageId, assertMessageText, assertSessionId, ClientValidationError, parseIncoming } from '../../src/client/protocol.ts';
import { RatePacer } from '../../src/client/rate-pacer.ts';
import { isExpired, tokenExpiresAtMs } from '../../src/client/token.ts';
import { messageIdTime, minMessageIdAt } from '../../src/protocol/message-id-time.ts';

describe('message ids', () => {
  it('reads the time of a ULID as the ulid package does, and builds the smallest id of a millisecond', () => {
    const id = ulid(1_750_000_000_123);

    expect(messageIdTime(id)).toBe(decodeTime(id));
    expect(decodeTime(minMessageIdAt(1_750_000_000_123))).toBe(1_750_000_000_123);
    expect(minMessageIdAt(1_750_000_000_123) <= id).toBe(true);
  });

  it('resumes a little before the last message seen, never after it', () => {
    const lastSeen = ulid(1_750_000_010_000);

    expect(decodeTime(resumePoint(lastSeen, 5000))).toBe(1_750_000_005_000);
    expect(resumePoint(lastSeen, 0)).toBe(lastSeen);
    expect(resumePoint(lastSeen, 5000)).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });
});

describe('client-side frame rules', () => {
  it('refuses what the server schema refuses', () => {
    expect(() => assertMessageText('   ')).toThrow(ClientValidationError);
    expect(() => assertMessageText('x'.repeat(4001))).toThrow(/at most 4000/);
    expect(() => assertMessageText('😀'.repeat(4000))).not.toThrow();
    expect(() => assertSessionId('not valid!')).toThrow(/sessionId/);
    expect(() => assertSessionId('x'.repeat(129))).toThrow(ClientValidationError);
    expect(() => assertClientMessageId('x'.repeat(65))).toThrow(/clientMessageId/);
    expect(() => assertSessionId('support:42_a.b-c')).not.toThrow();
  });

  it("parses the server's frames and API Gateway's own, and ignores anything else", () => {
    expect(parseIncoming('{"type":"pong","data":{"connectionId":"c"}}')).toMatchObject({ type: 'pong' });
    expect(parseIncoming('{"message": "Internal server error", "connectionId":"c", "requestId":"r"}')).toEqual({
      type: 'gateway_error',
      error: { code: 'GATEWAY_ERROR', message: 'Internal server error', requestId: 'r' },
    });
    expect(parseIncoming('not json')).toBeUndefined();
    expect(parseIncoming('{"type":"history"}')).toBeUndefined();
    expect(parseIncoming(new Uint8Array([1]))).toBeUndefined();
  });
});

describe('RatePacer', () => {
  it('lets a burst through, then paces at the refill rate', () => {
    const pacer = new RatePacer({ burst: 3, perSecond: 1 }, 0);

    const burst = [pacer.take(0), pacer.take(0), pacer.take(0)];
    const fourth = pacer.take(0);

    expect(burst).toEqual([0, 0, 0]);
    expect(fourth).toBe(1000);
    expect(pacer.take(999)).toBe(1);
    expect(pacer.take(1000)).toBe(0);
  });

  it("sends nothing until the server's retryAfterMs after RATE_LIMITED", () => {
    const pacer = new RatePacer({ burst: 10, perSecond: 1 }, 0);

    pacer.block(0, 2500);

    expect(pacer.take(2000)).toBe(500);
    expect(pacer.take(2500)).toBe(0);
    expect(pacer.take(2500)).toBe(1000);
  });
});

describe('token expiry', () => {
  it("reads a JWT's exp without verifying it, and treats opaque tokens as unexpired", async () => {
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(2_000_000_000)
      .sign(new TextEncoder().encode('k'.repeat(32)));

    expect(tokenExpiresAtMs(token)).toBe(2_000_000_000_000);
    expect(isExpired(token, 2_000_000_000_000)).toBe(true);
    expect(isExpired(token, 1_999_999_999_999)).toBe(false);
    expect(isExpired('opaque-token', Date.now())).toBe(false);
    expect(tokenExpiresAtMs('a.!!!.c')).toBeUndefined();
  });
});
