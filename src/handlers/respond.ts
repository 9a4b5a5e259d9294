import { loadManagementEndpoint } from '../config/app-config.ts';
import { SenderPool } from '../delivery/management-api-sender.ts';
import { clock, environmentBudget, environmentConnections, environmentMessages, environmentReplies, environmentResponder, respondPolicies, tools } from '../runtime/environment.ts';
import { buildRespond } from '../runtime/respond-builder.ts';

const messages = environmentMessages();
const budget = environmentBudget();

export const handler = buildRespond(
  {
    tools,
    clock,
    connections: environmentConnections(),
    messages,
    replies: environmentReplies(),
    senders: new SenderPool(loadManagementEndpoint()),
    responder: environmentResponder(messages),
    ...(budget ? { budget } : {}),
  },
  respondPolicies(),
);
