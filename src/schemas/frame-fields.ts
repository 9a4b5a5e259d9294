import { CLIENT_MESSAGE_ID_RULE, MESSAGE_ID_PATTERN, SESSION_ID_RULE } from '../protocol/fields.ts';

/** Field rules shared by the client frame schemas (README, "Protocol"); the rules themselves live in src/protocol/fields.ts, which the client checks too. */
const SESSION_ID = { type: 'string', ...SESSION_ID_RULE } as const;

const CLIENT_MESSAGE_ID = { type: 'string', ...CLIENT_MESSAGE_ID_RULE } as const;

/** A ULID, as the server issues them. */
const MESSAGE_ID = { type: 'string', pattern: MESSAGE_ID_PATTERN } as const;

export { CLIENT_MESSAGE_ID, MESSAGE_ID, SESSION_ID };
