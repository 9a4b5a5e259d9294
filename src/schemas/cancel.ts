import { MESSAGE_ID, SESSION_ID } from './frame-fields.ts';

/** `{"action":"cancel","data":{"sessionId","messageId"}}`: stop the reply `messageId` while it streams. */
const cancelFrameSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['action', 'data'],
  properties: {
    action: { const: 'cancel' },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['sessionId', 'messageId'],
      properties: { sessionId: SESSION_ID, messageId: MESSAGE_ID },
    },
  },
} as const;

interface CancelFrameInput {
  action: 'cancel';
  data: { sessionId: string; messageId: string };
}

export type { CancelFrameInput };
export { cancelFrameSchema };
