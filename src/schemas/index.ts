import { chatMessageFrameSchema } from './chat-message.ts';
import { historyFrameSchema } from './history.ts';
import { pingFrameSchema } from './ping.ts';

/** Every client frame schema, by the name of its compiled validator module (src/schemas/compiled/<name>.js). */
const FRAME_SCHEMAS = {
  'chat-message': chatMessageFrameSchema,
  history: historyFrameSchema,
  ping: pingFrameSchema,
} as const;

/** The validator sees the Lambda event after body parsing; the frame is its `body`. */
const eventSchemaFor = (frameSchema: object) => ({
  type: 'object',
  required: ['body'],
  properties: { body: frameSchema },
});

export { FRAME_SCHEMAS, eventSchemaFor };
export type { ChatMessageFrameInput } from './chat-message.ts';
export type { HistoryFrameInput } from './history.ts';
export type { PingFrameInput } from './ping.ts';
