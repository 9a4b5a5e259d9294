/** `{"action":"ping"}`; an empty `data` object is tolerated for clients that always send one. */
const pingFrameSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['action'],
  properties: {
    action: { const: 'ping' },
    data: { type: 'object', maxProperties: 0 },
  },
} as const;

interface PingFrameInput {
  action: 'ping';
}

export type { PingFrameInput };
export { pingFrameSchema };
