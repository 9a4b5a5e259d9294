/**
 * What each Lambda function is and what it touches. Terraform's IAM is checked against this list
 * (a test fails when a role grants more or less), the list against the AWS calls the test suites
 * observed each function make (test/iam-observed), and the build bundles exactly these handlers.
 */
type TableAccess = Readonly<{
  connections?: readonly string[];
  connectionsUserIndex?: readonly string[];
  messages?: readonly string[];
}>;

interface FunctionSpec {
  /** `src/handlers/<name>.ts`, `dist/<name>.zip`, Lambda `{env}-websocket-<name>`. */
  name: string;
  /** API Gateway route key, or `authorizer`. */
  route: string;
  /** DynamoDB actions the function calls, per table or index. */
  dynamodb: TableAccess;
  /** Posts to or deletes connections through the @connections management API (CONNECTIONS_METHODS). */
  managesConnections: boolean;
  /** SSM actions on the JWT secret's parameter (granted when the secret lives in SSM). */
  ssm?: readonly string[];
  /**
   * Bedrock actions on the configured model only (`bedrock_model_id`: the model, or an inference
   * profile and the foundation models it routes to), granted when the responder is `bedrock`.
   */
  bedrock?: readonly string[];
  /**
   * Why a grant no test suite calls is still needed, keyed by the grant as the observed-calls test
   * names it (`dynamodb:GetItem on messages`, `execute-api:ManageConnections DELETE @connections`).
   */
  unexercised?: Readonly<Record<string, string>>;
}

/** The @connections methods a function that manages connections may call: POST (send), DELETE (close). */
const CONNECTIONS_METHODS: readonly string[] = ['POST', 'DELETE'];

const FUNCTION_TABLE = [
  { name: 'authorizer', route: 'authorizer', dynamodb: {}, managesConnections: false, ssm: ['ssm:GetParameter'] },
  {
    name: 'connect',
    route: '$connect',
    // UpdateItem: the user's connect bucket; BatchGetItem, PutItem, DeleteItem: the cap's slots (and the row).
    dynamodb: { connections: ['dynamodb:UpdateItem', 'dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'] },
    managesConnections: false,
  },
  // UpdateItem: $disconnect marks the row closed (kept for a grace, not deleted); DeleteItem: the cap slot it held.
  { name: 'disconnect', route: '$disconnect', dynamodb: { connections: ['dynamodb:UpdateItem', 'dynamodb:DeleteItem'] }, managesConnections: false },
  {
    name: 'message',
    route: 'chat_message',
    dynamodb: {
      connections: ['dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      connectionsUserIndex: ['dynamodb:Query'],
      // managesConnections: posts, and DeleteConnection for connections a fan-out finds past their end.
      // Query and UpdateItem: a resent clientMessageId looks for the reply and takes the reply lease.
      messages: ['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
    },
    managesConnections: true,
    // The assistant's ConverseStream call (IAM authorizes it as InvokeModelWithResponseStream).
    bedrock: ['bedrock:InvokeModelWithResponseStream'],
  },
  {
    name: 'ping',
    route: 'ping',
    dynamodb: { connections: ['dynamodb:UpdateItem', 'dynamodb:DeleteItem'] },
    managesConnections: true,
  },
  {
    name: 'history',
    route: 'history',
    dynamodb: { connections: ['dynamodb:UpdateItem', 'dynamodb:DeleteItem'], messages: ['dynamodb:Query'] },
    managesConnections: true,
  },
  // UpdateItem: the refusal count on the connection's row.
  { name: 'default', route: '$default', dynamodb: { connections: ['dynamodb:UpdateItem', 'dynamodb:DeleteItem'] }, managesConnections: true },
] as const satisfies readonly FunctionSpec[];

const FUNCTIONS: readonly FunctionSpec[] = FUNCTION_TABLE;

type FunctionName = (typeof FUNCTION_TABLE)[number]['name'];

const FUNCTION_NAMES: readonly FunctionName[] = FUNCTION_TABLE.map((spec) => spec.name);

type RouteFunctionSpec = Exclude<(typeof FUNCTION_TABLE)[number], { name: 'authorizer' }>;

/** A function API Gateway invokes for a route (every function but the authorizer). */
type RouteFunctionName = RouteFunctionSpec['name'];

const ROUTE_FUNCTIONS: readonly RouteFunctionSpec[] = FUNCTION_TABLE.filter((spec): spec is RouteFunctionSpec => spec.name !== 'authorizer');

/** The function API Gateway invokes for a route key (`$connect`, `chat_message`, ...); undefined when no function serves it. */
const functionForRoute = (routeKey: string): RouteFunctionName | undefined => ROUTE_FUNCTIONS.find((spec) => spec.route === routeKey)?.name;

/** The route keys a frame can select by its `action` (every route but API Gateway's reserved `$` ones). */
const ACTION_ROUTES: readonly string[] = ROUTE_FUNCTIONS.map((spec) => spec.route).filter((route) => !route.startsWith('$'));

/**
 * API Gateway's route selection (`$request.body.action`) for a parsed frame: its action when that
 * names a route, else `$default`.
 */
const routeKeyForFrame = (frame: unknown): string => {
  const action = typeof frame === 'object' && frame !== null && 'action' in frame ? frame.action : undefined;
  return typeof action === 'string' && ACTION_ROUTES.includes(action) ? action : '$default';
};

export type { FunctionName, FunctionSpec, RouteFunctionName, TableAccess };
export { CONNECTIONS_METHODS, FUNCTION_NAMES, FUNCTIONS, functionForRoute, routeKeyForFrame };
