import { loadTurnHoldMs } from '../config/respond-config.ts';
import { environmentBudget, environmentInvoker, environmentMessages, environmentReplies, framePolicies, frameRouteAdapters } from '../runtime/environment.ts';
import { buildMessage } from '../runtime/route-builders.ts';

const budget = environmentBudget();

export const handler = buildMessage(
  { ...frameRouteAdapters(), messages: environmentMessages(), replies: environmentReplies(), invoker: environmentInvoker(), ...(budget ? { budget } : {}) },
  { ...framePolicies(), turnHoldMs: loadTurnHoldMs() },
);
