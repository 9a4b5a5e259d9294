/** Field rules shared by the client frame schemas (README, "Protocol"). */
const SESSION_ID = {
  type: 'string',
  minLength: 1,
  maxLength: 128,
  pattern: '^[A-Za-z0-9_.:-]+$',
} as const;

const CLIENT_MESSAGE_ID = {
  type: 'string',
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z0-9_.:-]+$',
} as const;

/** A ULID, as the server issues them. */
const MESSAGE_ID = {
  type: 'string',
  pattern: '^[0-9A-HJKMNP-TV-Z]{26}$',
} as const;

const MAX_MESSAGE_LENGTH = 4000;

/** The most messages one `history` page may ask for. */
const HISTORY_MAX_LIMIT = 100;

export { SESSION_ID, CLIENT_MESSAGE_ID, MESSAGE_ID, MAX_MESSAGE_LENGTH, HISTORY_MAX_LIMIT };
