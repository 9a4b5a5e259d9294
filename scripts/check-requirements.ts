/**
 * `node scripts/check-requirements.ts <start|test>`: exits 1 naming each missing tool and how to
 * install it (`npm test` runs it first; `npm start` does the same check in-process).
 */
import { describeProblems, inspectSystem, missingRequirements } from '../src/local/requirements.ts';

const purpose = process.argv[2];
if (purpose !== 'start' && purpose !== 'test') {
  console.error('usage: node scripts/check-requirements.ts <start|test>');
  process.exit(2);
}
const problems = missingRequirements(purpose, inspectSystem(purpose), {
  externalDynamoDb: purpose === 'start' && Boolean(process.env.DYNAMODB_ENDPOINT),
});
if (problems.length > 0) {
  console.error(describeProblems(purpose, problems));
  process.exit(1);
}
