/*
 * The rules of the fields clients send (README, "Protocol"): the server's frame schemas
 * (src/schemas/frame-fields.ts) are built from them and the client checks them before sending, so
 * both refuse the same input. No Node built-ins here: the client library runs in the browser.
 */

/** The characters of a sessionId or clientMessageId (a JSON Schema / RegExp source). */
const ID_PATTERN = '^[A-Za-z0-9_.:-]+$';

const SESSION_ID_RULE = { minLength: 1, maxLength: 128, pattern: ID_PATTERN } as const;

const CLIENT_MESSAGE_ID_RULE = { minLength: 1, maxLength: 64, pattern: ID_PATTERN } as const;

/** A ULID, as the server issues them. */
const MESSAGE_ID_PATTERN = '^[0-9A-HJKMNP-TV-Z]{26}$';

/** In code points, as JSON Schema counts. */
const MAX_MESSAGE_LENGTH = 4000;

/** The most messages one `history` page may ask for. */
const HISTORY_MAX_LIMIT = 100;

export { CLIENT_MESSAGE_ID_RULE, HISTORY_MAX_LIMIT, MAX_MESSAGE_LENGTH, MESSAGE_ID_PATTERN, SESSION_ID_RULE };
