import { describe, expect, it } from '@jest/globals';
import { internalsIn } from '#testkit/hardening/internals.ts';

const validationFrame = (message: string) => ({ type: 'error', error: { code: 'VALIDATION_ERROR', message } });

describe('internalsIn, the fuzz judge of error frames', () => {
  it('flags file paths, stack frames and SDK error names the client did not send', () => {
    const leaks = [
      validationFrame('failed in /var/task/index.mjs'),
      validationFrame('see chat-service.js'),
      validationFrame('Error\n    at handler (index.mjs:1:2)'),
      validationFrame('ResourceNotFoundException'),
    ];

    expect(leaks.map((frame) => internalsIn(frame, '{"action":"chat_message","data":{"message":"hi"}}').length > 0)).toEqual([true, true, true, true]);
  });

  it('accepts a field path the server built from the keys the client sent', () => {
    const input = '{"action":"chat_message","data":{"js":null}}';

    expect(internalsIn(validationFrame('Invalid frame: data.js is not allowed'), input)).toEqual([]);
    expect(internalsIn(validationFrame('Invalid frame: index.js is not allowed'), input)).not.toEqual([]);
  });
});
