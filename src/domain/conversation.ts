/**
 * The conversation a model is given: the session's recent turns, oldest first, then the new question.
 * Converse requires it to start with a user turn and to alternate roles; stored history does not
 * guarantee either (a reply that failed or came back empty leaves two user turns in a row), so the
 * history is cleaned before it is cut to the budget.
 */

type ConversationRole = 'user' | 'assistant';

interface ConversationTurn {
  role: ConversationRole;
  text: string;
}

interface ConversationBudget {
  /** Turns sent, the new question included (1 sends the question alone). @default 20 */
  maxMessages: number;
  /** Characters of history sent; the new question is always sent and counts against it. @default 12000 */
  maxChars: number;
}

const DEFAULT_CONVERSATION_BUDGET: Readonly<ConversationBudget> = { maxMessages: 20, maxChars: 12_000 };

/** Assistant turns in a row answer the same question (a reply continued after a cut): joined so. */
const REPLY_JOINER = '\n\n';

/** @throws RangeError naming the field when a budget value is not a whole number of at least 1. */
const checkConversationBudget = (budget: ConversationBudget): void => {
  for (const [name, value] of Object.entries(budget)) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`Conversation budget ${name} must be a whole number of at least 1, got ${value}`);
  }
};

/**
 * Keeps only answered exchanges: a user turn directly followed by an assistant turn. Blank turns go
 * first (a failed or empty reply), then, of user turns in a row, only the last one counts (the others
 * went unanswered), assistant turns in a row are joined, and a leading reply or a trailing unanswered
 * question is dropped.
 */
const answeredExchanges = (history: readonly ConversationTurn[]): Array<[ConversationTurn, ConversationTurn]> => {
  const exchanges: Array<[ConversationTurn, ConversationTurn]> = [];
  let question: ConversationTurn | undefined;
  for (const turn of history) {
    if (turn.text.trim() === '') continue;
    if (turn.role === 'user') {
      question = turn;
      continue;
    }
    const last = exchanges.at(-1);
    if (question) {
      exchanges.push([
        { role: 'user', text: question.text },
        { role: 'assistant', text: turn.text },
      ]);
      question = undefined;
    } else if (last) {
      last[1] = { role: 'assistant', text: `${last[1].text}${REPLY_JOINER}${turn.text}` };
    }
  }
  return exchanges;
};

/**
 * Shapes Converse `messages`: the newest answered exchanges of `history` (oldest first) that fit the
 * budget, whole exchanges only, then `question`. The result starts with a user turn, alternates, and
 * ends with the question. History is cut at the first exchange that does not fit, never skipped over,
 * so the model never sees a gap in the middle.
 * @example shapeConversation([{ role: 'user', text: 'hi' }, { role: 'assistant', text: 'hello' }], 'and?', DEFAULT_CONVERSATION_BUDGET)
 * @throws RangeError when the budget is not whole numbers of at least 1; Error when the question is blank.
 */
const shapeConversation = (history: readonly ConversationTurn[], question: string, budget: ConversationBudget = DEFAULT_CONVERSATION_BUDGET): ConversationTurn[] => {
  checkConversationBudget(budget);
  if (question.trim() === '') throw new Error('The question to send the model is blank');
  const kept: ConversationTurn[] = [];
  let messages = 1;
  let chars = question.length;
  for (const [asked, answered] of answeredExchanges(history).reverse()) {
    const size = asked.text.length + answered.text.length;
    if (messages + 2 > budget.maxMessages || chars + size > budget.maxChars) break;
    kept.unshift(asked, answered);
    messages += 2;
    chars += size;
  }
  return [...kept, { role: 'user', text: question }];
};

export type { ConversationBudget, ConversationRole, ConversationTurn };
export { checkConversationBudget, DEFAULT_CONVERSATION_BUDGET, shapeConversation };
