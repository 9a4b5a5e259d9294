import { HISTORY_MAX_LIMIT } from '../protocol/fields.ts';
import { MESSAGE_ID, SESSION_ID } from './frame-fields.ts';

const HISTORY_DEFAULT_LIMIT = 50;

/** `{"action":"history","data":{"sessionId","after"?,"limit"?}}` */
const historyFrameSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['action', 'data'],
  properties: {
    action: { const: 'history' },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['sessionId'],
      properties: {
        sessionId: SESSION_ID,
        after: MESSAGE_ID,
        limit: { type: 'integer', minimum: 1, maximum: HISTORY_MAX_LIMIT, default: HISTORY_DEFAULT_LIMIT },
      },
    },
  },
} as const;

interface HistoryFrameInput {
  action: 'history';
  data: { sessionId: string; after?: string; limit: number };
}

export type { HistoryFrameInput };
export { HISTORY_DEFAULT_LIMIT, historyFrameSchema };
