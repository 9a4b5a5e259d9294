import type { Value } from './values.ts';

/** IAM policy documents as jsonencode'd by the configuration: statements and the DynamoDB grants in them. */
interface Statement {
  Sid?: string;
  Effect: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, string[] | string>>;
}

const asArray = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

const statementsOf = (policy: Value): Statement[] => {
  if (typeof policy !== 'string') throw new Error('policy is not a JSON string');
  const document = JSON.parse(policy) as { Version?: string; Statement?: Statement[] };
  if (document.Version !== '2012-10-17' || !Array.isArray(document.Statement)) throw new Error('policy is not a 2012-10-17 document');
  return document.Statement;
};

const actionsOf = (statement: Statement): string[] => asArray(statement.Action);
const resourcesOf = (statement: Statement): string[] => asArray(statement.Resource);

/** DynamoDB actions granted per resource ARN. */
const dynamodbAccess = (statements: Statement[]): Map<string, Set<string>> => {
  const access = new Map<string, Set<string>>();
  for (const statement of statements) {
    const actions = actionsOf(statement).filter((a) => a.startsWith('dynamodb:'));
    if (actions.length === 0) continue;
    for (const resource of resourcesOf(statement)) {
      const granted = access.get(resource) ?? new Set<string>();
      for (const action of actions) granted.add(action);
      access.set(resource, granted);
    }
  }
  return access;
};

export type { Statement };
export { actionsOf, dynamodbAccess, resourcesOf, statementsOf };
