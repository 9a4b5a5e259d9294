import { cancelFrameSchema } from './cancel.ts';
import { chatMessageFrameSchema } from './chat-message.ts';
import { historyFrameSchema } from './history.ts';
import { pingFrameSchema } from './ping.ts';

/**
 * Every client frame schema, by the name of its compiled validator module
 * (src/schemas/compiled/<name>.js), with the TypeScript type that validator guards (its .d.ts).
 */
const FRAME_SCHEMAS = {
  cancel: { schema: cancelFrameSchema, module: 'cancel.ts', type: 'CancelFrameInput' },
  'chat-message': { schema: chatMessageFrameSchema, module: 'chat-message.ts', type: 'ChatMessageFrameInput' },
  history: { schema: historyFrameSchema, module: 'history.ts', type: 'HistoryFrameInput' },
  ping: { schema: pingFrameSchema, module: 'ping.ts', type: 'PingFrameInput' },
} as const;

/** The validator sees the Lambda event after body parsing; the frame is its `body`. */
const eventSchemaFor = (frameSchema: object) => ({
  type: 'object',
  required: ['body'],
  properties: { body: frameSchema },
});

export type { CancelFrameInput } from './cancel.ts';
export type { ChatMessageFrameInput } from './chat-message.ts';
export type { HistoryFrameInput } from './history.ts';
export type { PingFrameInput } from './ping.ts';
export { eventSchemaFor, FRAME_SCHEMAS };
