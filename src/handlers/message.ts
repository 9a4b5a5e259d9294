import { loadChunkBatching } from '../config/streaming-config.ts';
import { environmentMessages, environmentResponder, framePolicies, frameRouteAdapters } from '../runtime/environment.ts';
import { buildMessage } from '../runtime/route-builders.ts';

export const handler = buildMessage(
  { ...frameRouteAdapters(), messages: environmentMessages(), responder: environmentResponder() },
  { ...framePolicies(), chunkBatching: loadChunkBatching() },
);
