/**
 * hcl2json runs Go compiled to WebAssembly; the Go scheduler keeps a timer pending, which holds a
 * jest worker open after its tests ("A worker process has failed to exit gracefully"). Timers set
 * from Go's wasm_exec.js are unref'd so they never keep the process alive; every other timer is
 * left alone.
 */
const originalSetTimeout = globalThis.setTimeout;

const fromGoRuntime = (): boolean => new Error().stack?.includes('wasm_exec') ?? false;

globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
  const timer = originalSetTimeout(...args);
  if (fromGoRuntime()) timer.unref();
  return timer;
}) as typeof setTimeout;

export {};
