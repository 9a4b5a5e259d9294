import { loadChunkBatching } from '../config/streaming-config.ts';
import { environmentAssistant, environmentMessages, framePolicies, frameRouteAdapters } from '../runtime/environment.ts';
import { buildMessage } from '../runtime/route-builders.ts';

const messages = environmentMessages();

export const handler = buildMessage({ ...frameRouteAdapters(), messages, ...environmentAssistant(messages) }, { ...framePolicies(), chunkBatching: loadChunkBatching() });
