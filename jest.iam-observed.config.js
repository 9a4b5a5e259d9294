import base from './jest.config.js';

/**
 * The observed-calls IAM test (test/iam-observed), run by `npm test` after the main run: it reads
 * the AWS calls that run recorded, so it needs neither DynamoDB Local nor the recorder itself.
 */
export default {
  testEnvironment: base.testEnvironment,
  extensionsToTreatAsEsm: base.extensionsToTreatAsEsm,
  transform: base.transform,
  testMatch: ['<rootDir>/test/iam-observed/**/*.test.ts'],
  reporters: base.reporters,
};
