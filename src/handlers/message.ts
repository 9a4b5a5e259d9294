import { createResponder, environmentMessages, framePolicies, frameRouteAdapters, loadChunkBatching, loadResponderKind } from '../runtime/environment.ts';
import { buildMessage } from '../runtime/route-builders.ts';

export const handler = buildMessage(
  { ...frameRouteAdapters(), messages: environmentMessages(), responder: createResponder(loadResponderKind()) },
  { ...framePolicies(), chunkBatching: loadChunkBatching() },
);
