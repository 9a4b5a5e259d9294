import type { Value } from './values.ts';

/** IAM policy documents as jsonencode'd by the configuration, and the least-privilege rules checked on them. */
interface Statement {
  Sid?: string;
  Effect: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, string[] | string>>;
}

const XRAY_ACTIONS = new Set(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']);

const asArray = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

const statementsOf = (policy: Value): Statement[] => {
  if (typeof policy !== 'string') throw new Error('policy is not a JSON string');
  const document = JSON.parse(policy) as { Version?: string; Statement?: Statement[] };
  if (document.Version !== '2012-10-17' || !Array.isArray(document.Statement)) throw new Error('policy is not a 2012-10-17 document');
  return document.Statement;
};

const actionsOf = (statement: Statement): string[] => asArray(statement.Action);
const resourcesOf = (statement: Statement): string[] => asArray(statement.Resource);

/** Wildcards allowed in a resource: a log group's streams (`<log group arn>:*`) and `@connections/*`. */
const allowedWildcard = (resource: string): boolean =>
  /aws_cloudwatch_log_group\.this\.arn»:\*$/.test(resource) || /\/@connections\/\*$/.test(resource);

/** `*` (or `service:*`) actions, and `*` resources except X-Ray's, NotAction/NotResource. */
const wildcardFindings = (statements: Statement[]): string[] =>
  statements.flatMap((statement) => {
    const name = statement.Sid ?? '(no Sid)';
    const findings: string[] = [];
    if (statement.NotAction || statement.NotResource) findings.push(`${name}: NotAction/NotResource`);
    for (const action of actionsOf(statement)) if (action.includes('*')) findings.push(`${name}: wildcard action ${action}`);
    for (const resource of resourcesOf(statement)) {
      if (resource === '*') {
        if (!actionsOf(statement).every((a) => XRAY_ACTIONS.has(a))) findings.push(`${name}: resource * for ${actionsOf(statement).join(',')}`);
      } else if (resource.includes('*') && !allowedWildcard(resource)) {
        findings.push(`${name}: wildcard resource ${resource}`);
      }
    }
    return findings;
  });

/** ManageConnections only when allowed, and only on this API's stage @connections paths. */
const manageConnectionsFindings = (statements: Statement[], allowed: boolean, executionArn: string, stage: string): string[] => {
  const pattern = new RegExp(`^${escape(executionArn)}/${escape(stage)}/(POST|DELETE|GET)/@connections/\\*$`);
  return statements
    .filter((s) => actionsOf(s).some((a) => a.toLowerCase().startsWith('execute-api:')))
    .flatMap((statement) => {
      if (!allowed) return [`${statement.Sid ?? '(no Sid)'}: execute-api granted to a function that does not manage connections`];
      return resourcesOf(statement).filter((r) => !pattern.test(r)).map((r) => `${statement.Sid ?? '(no Sid)'}: ManageConnections on ${r}`);
    });
};

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

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
export { statementsOf, actionsOf, resourcesOf, wildcardFindings, manageConnectionsFindings, dynamodbAccess, XRAY_ACTIONS };
