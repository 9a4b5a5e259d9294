import { MAX_MESSAGE_LENGTH } from '../protocol/fields.ts';
import { CLIENT_MESSAGE_ID, SESSION_ID } from './frame-fields.ts';

/** `{"action":"chat_message","data":{"message","sessionId","clientMessageId"?}}` */
const chatMessageFrameSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['action', 'data'],
  properties: {
    action: { const: 'chat_message' },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['message', 'sessionId'],
      properties: {
        // "Not blank": at least one non-whitespace character.
        message: { type: 'string', minLength: 1, maxLength: MAX_MESSAGE_LENGTH, pattern: '\\S' },
        sessionId: SESSION_ID,
        clientMessageId: CLIENT_MESSAGE_ID,
      },
    },
  },
} as const;

interface ChatMessageFrameInput {
  action: 'chat_message';
  data: { message: string; sessionId: string; clientMessageId?: string };
}

export type { ChatMessageFrameInput };
export { chatMessageFrameSchema };
