/**
 * The manifest's grants and the recorded calls, both named the same way (`dynamodb:PutItem on
 * connections`, `execute-api:ManageConnections POST @connections`, `ssm:GetParameter on jwtSecret`,
 * `bedrock:InvokeModelWithResponseStream on the configured model`, `lambda:InvokeFunction on respond`),
 * and the findings that make them differ, each saying which grant to add, remove or explain.
 */

import type { ObservedCall } from '#testkit/sdk-calls/call-recorder.ts';
import { CONNECTIONS_METHODS, FUNCTION_NAMES, type FunctionSpec } from '../../../src/config/function-manifest.ts';
import { TABLE_DEFINITIONS, USER_ID_INDEX } from '../../../src/data/table-definitions.ts';

type Grant = string;

/** The manifest's TableAccess keys, and where Terraform keeps the same list (terraform/iam.tf `dynamodb_access`). */
const TERRAFORM_TARGETS: Record<string, string> = {
  connections: 'connections',
  connectionsUserIndex: 'connections_user_index',
  messages: 'messages',
};

const grantsOf = (spec: FunctionSpec): Set<Grant> =>
  new Set([
    ...Object.entries(spec.dynamodb).flatMap(([target, actions]) => (actions ?? []).map((action) => `${action} on ${target}`)),
    ...(spec.managesConnections ? CONNECTIONS_METHODS.map((method) => `execute-api:ManageConnections ${method} @connections`) : []),
    ...(spec.ssm ?? []).map((action) => `${action} on jwtSecret`),
    ...(spec.bedrock ?? []).map((action) => `${action} on the configured model`),
    ...(spec.invokes ?? []).map((target) => `lambda:InvokeFunction on ${target}`),
  ]);

/**
 * The manifest function an Invoke names, from its FunctionName (a name, `name:qualifier`, or a partial
 * or full ARN; deployed `{env}-websocket-<name>`). A qualifier is kept in the grant's name: IAM checks a
 * qualified call against the qualified ARN, which the unqualified grant does not cover.
 */
const lambdaTarget = (functionName: string | undefined): string => {
  if (functionName === undefined) return 'a function the call does not name';
  const afterArn = functionName.includes(':function:') ? functionName.slice(functionName.indexOf(':function:') + ':function:'.length) : functionName;
  const [name = '', qualifier] = afterArn.split(':');
  const target = FUNCTION_NAMES.find((manifestName) => name === manifestName || name.endsWith(`-websocket-${manifestName}`));
  if (target === undefined) return `a function outside the manifest (${functionName})`;
  return qualifier === undefined ? target : `${target}:${qualifier} (qualified)`;
};

/** The manifest target of a DynamoDB call, from the table's name suffix and the index it reads. */
const dynamodbTarget = (table: string | undefined, index: string | undefined): string => {
  const onConnections = table?.endsWith(`-${TABLE_DEFINITIONS.connections.nameSuffix}`) ?? false;
  const onMessages = table?.endsWith(`-${TABLE_DEFINITIONS.messages.nameSuffix}`) ?? false;
  if (onConnections && index === USER_ID_INDEX) return 'connectionsUserIndex';
  if (onConnections && index === undefined) return 'connections';
  if (onMessages && index === undefined) return 'messages';
  return `an unknown table or index (${table ?? 'no TableName'}${index ? `/index/${index}` : ''})`;
};

const grantOf = (call: ObservedCall): Grant => {
  switch (call.service) {
    case 'dynamodb':
      return `${call.action} on ${dynamodbTarget(call.resource, call.index)}`;
    case 'execute-api':
      return `${call.action} ${call.method} @connections`;
    case 'ssm':
      return `${call.action} on jwtSecret`;
    case 'bedrock':
      return `${call.action} on the configured model`;
    case 'lambda':
      return `${call.action} on ${lambdaTarget(call.resource)}`;
  }
};

/** Where a grant is written, in the manifest and in Terraform, so a finding says what to edit. */
const whereGranted = (functionName: string, grant: Grant): string => {
  const dynamodb = /^dynamodb:\S+ on (\w+)$/.exec(grant);
  if (dynamodb?.[1] && TERRAFORM_TARGETS[dynamodb[1]]) {
    return `${functionName}.dynamodb.${dynamodb[1]} in src/config/function-manifest.ts and dynamodb_access.${functionName}.${TERRAFORM_TARGETS[dynamodb[1]]} in terraform/iam.tf`;
  }
  if (grant.startsWith('execute-api:')) {
    return `CONNECTIONS_METHODS / ${functionName}.managesConnections in src/config/function-manifest.ts and manage_connections_arns in terraform/iam.tf`;
  }
  if (grant.startsWith('ssm:')) return `${functionName}.ssm in src/config/function-manifest.ts and authorizer_statements in terraform/iam.tf`;
  if (grant.startsWith('bedrock:')) return `${functionName}.bedrock in src/config/function-manifest.ts and bedrock_access.${functionName} in terraform/iam.tf`;
  if (grant.startsWith('lambda:')) return `${functionName}.invokes in src/config/function-manifest.ts and lambda_invokes.${functionName} in terraform/iam.tf`;
  return 'src/config/function-manifest.ts';
};

/**
 * What makes a function's grants differ from the calls the suites made: a call the manifest lacks, a
 * grant no suite called and no reason explains, and a reason that no longer explains anything.
 */
const grantFindings = (spec: FunctionSpec, calls: readonly ObservedCall[]): string[] => {
  const granted = grantsOf(spec);
  const observed = new Map<Grant, Set<string>>();
  for (const call of calls.filter((c) => c.function === spec.name)) {
    const grant = grantOf(call);
    const sources = observed.get(grant) ?? new Set<string>();
    sources.add(`${call.source ?? 'unknown test'} (${call.path})`);
    observed.set(grant, sources);
  }
  const reasons = spec.unexercised ?? {};
  const findings: string[] = [];
  for (const [grant, sources] of observed) {
    if (granted.has(grant)) continue;
    findings.push(`${spec.name}: add ${grant} (${whereGranted(spec.name, grant)}); called by ${[...sources].sort().slice(0, 3).join(', ')}`);
  }
  for (const grant of granted) {
    if (observed.has(grant) || reasons[grant]) continue;
    findings.push(`${spec.name}: remove ${grant} (${whereGranted(spec.name, grant)}): no suite called it; if it is needed, say why in ${spec.name}.unexercised`);
  }
  for (const grant of Object.keys(reasons)) {
    if (!granted.has(grant)) findings.push(`${spec.name}: drop unexercised["${grant}"]: the manifest does not grant it`);
    else if (observed.has(grant)) findings.push(`${spec.name}: drop unexercised["${grant}"]: the suites call it now`);
  }
  return findings;
};

export type { Grant };
export { grantFindings, grantOf, grantsOf };
