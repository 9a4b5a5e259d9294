import { type ChunkBatchingOptions, DEFAULT_CHUNK_BATCHING } from '../domain/chunk-batcher.ts';
import { type EnvironmentSource, numberEnv } from './env.ts';

/**
 * How the message function batches a streaming reply into chunk frames (README, "Configuration").
 * The character cap stays far under API Gateway's 128 KB message limit even with JSON escaping.
 * @example loadChunkBatching() // { intervalMs: 50, maxChars: 1000 }
 */
const loadChunkBatching = (source: EnvironmentSource = process.env): ChunkBatchingOptions => ({
  intervalMs: numberEnv('STREAM_CHUNK_INTERVAL_MS', DEFAULT_CHUNK_BATCHING.intervalMs, { min: 0, max: 5000, integer: true }, source),
  maxChars: numberEnv('STREAM_CHUNK_MAX_CHARS', DEFAULT_CHUNK_BATCHING.maxChars, { min: 1, max: 8000, integer: true }, source),
});

export { loadChunkBatching };
