/** Jest runs in native ESM mode (Middy 7 and Powertools' middleware are ESM-only); swc strips the types. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2023' },
        module: { type: 'es6' },
      },
    ],
  },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // Runs after this run, in its own (jest.iam-observed.config.js): it reads what this run recorded.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/iam-observed/'],
  globalSetup: '<rootDir>/testkit/global-setup.ts',
  globalTeardown: '<rootDir>/testkit/global-teardown.ts',
  setupFilesAfterEnv: ['<rootDir>/testkit/capture-output.ts', '<rootDir>/testkit/sdk-calls/record-in-process.ts'],
  testTimeout: 30000,
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/testkit/summary-reporter.js'],
};
