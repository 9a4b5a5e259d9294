import type { WebSocket } from 'ws';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/**
 * ws enforces one limit for a whole message; API Gateway also limits each frame. This wraps the
 * receiver's length check (ws 8 internals, pinned by the tests) to close with 1009 above the frame limit.
 * The internals are not in ws's types, hence the reflection and the checks instead of casts.
 */
const enforceFrameLimit = (socket: WebSocket, frameLimitBytes: number): void => {
  const receiver: unknown = Reflect.get(socket, '_receiver');
  const original: unknown = isRecord(receiver) ? receiver.haveLength : undefined;
  const createError: unknown = isRecord(receiver) ? receiver.createError : undefined;
  if (!isRecord(receiver) || typeof original !== 'function' || typeof createError !== 'function') {
    throw new Error('ws internals changed: cannot enforce the frame limit');
  }
  receiver.haveLength = function haveLengthWithFrameLimit(this: Record<string, unknown>, cb: (error: Error) => void) {
    if (Number(this._opcode) < 0x08 && Number(this._payloadLength) > frameLimitBytes) {
      cb(createError.call(this, RangeError, 'Max frame size exceeded', false, 1009, 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH'));
      return;
    }
    original.call(this, cb);
  };
};

export { enforceFrameLimit };
