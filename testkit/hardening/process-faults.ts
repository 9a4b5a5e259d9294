/**
 * Records unhandled promise rejections and uncaught exceptions while a test file runs, so a test can
 * assert there were none (jest alone may report them late, or against another test).
 */
const trackProcessFaults = () => {
  const faults: string[] = [];
  const onRejection = (reason: unknown) => faults.push(`unhandled rejection: ${String((reason as Error)?.stack ?? reason)}`);
  const onException = (error: Error) => faults.push(`uncaught exception: ${error.stack ?? String(error)}`);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return {
    faults,
    stop: () => {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    },
  };
};

export { trackProcessFaults };
