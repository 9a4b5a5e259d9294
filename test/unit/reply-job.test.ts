import { describe, expect, it } from '@jest/globals';
import { parseReplyJob } from '../../src/domain/reply-job.ts';

const job = {
  userId: 'u',
  sessionId: 's',
  questionMessageId: 'Q',
  replyMessageId: 'R',
  connectionId: 'C=',
  audience: ['C=', 'D='],
  reservation: { userId: 'u', day: '2026-12-01', reservedTokens: 1024 },
  endpoint: { domainName: 'abc.execute-api.eu-west-1.amazonaws.com', stage: 'prod' },
  gone: ['E='],
};

describe('parseReplyJob (the respond function reads its event)', () => {
  it('reads a job as the message function sends it, through JSON', () => {
    expect(parseReplyJob(JSON.parse(JSON.stringify(job)))).toEqual(job);
  });

  it('leaves out the optional parts a job does not carry (an echo reply reserves nothing)', () => {
    const { reservation: _reservation, endpoint: _endpoint, gone: _gone, ...plain } = job;
    expect(parseReplyJob(plain)).toEqual(plain);
    expect(parseReplyJob({ ...plain, gone: [] })).toEqual(plain);
  });

  it.each([
    [null, 'A reply job must be an object'],
    [[job], 'A reply job must be an object'],
    [{ ...job, userId: '' }, 'A reply job needs a non-empty string userId'],
    [{ ...job, replyMessageId: 7 }, 'A reply job needs a non-empty string replyMessageId'],
    [{ ...job, audience: 'C=' }, 'A reply job needs an audience of connection ids'],
    [{ ...job, audience: ['C=', 3] }, 'A reply job needs an audience of connection ids'],
    [{ ...job, gone: [null] }, 'A reply job gone list must hold connection ids'],
    [{ ...job, reservation: { userId: 'u', day: '2026-12-01' } }, 'A reply job reservation needs userId, day and reservedTokens'],
    [{ ...job, endpoint: { domainName: 'x' } }, 'A reply job endpoint needs domainName and stage'],
  ])('refuses %j with a clear error', (event, message) => {
    expect(() => parseReplyJob(event)).toThrow(new TypeError(message));
  });
});
