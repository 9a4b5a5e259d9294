/** Where the functions find the local services, and who they are. */
interface LocalServices {
  environment: string;
  connectionsTable: string;
  messagesTable: string;
  managementEndpoint: string;
  dynamoDbEndpoint: string;
  /** The gateway's Lambda Invoke API (AWS_ENDPOINT_URL_LAMBDA: the SDK's LambdaClient reads it). */
  lambdaEndpoint: string;
  /** The functions only other functions invoke (the manifest's `route: 'async'`): each gets `<NAME>_FUNCTION_NAME`. */
  asyncFunctionNames: readonly string[];
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  jwtSecret: string;
  /** Powertools' dev mode: pretty logs (and metrics off unless POWERTOOLS_METRICS_DISABLED=false). */
  devMode: boolean;
  /** Added to every function's environment (the configuration contract's optional variables). */
  extra: Record<string, string>;
  /** Added to the authorizer's only (JWT_ISSUER, JWT_AUDIENCE, ALLOWED_ORIGINS). */
  authorizerExtra: Record<string, string>;
}

/** `RESPOND_FUNCTION_NAME=dev-websocket-respond`: the Lambda name of each function invoked asynchronously. */
const invokedFunctionNames = (services: LocalServices): Record<string, string> =>
  Object.fromEntries(services.asyncFunctionNames.map((name) => [`${name.toUpperCase()}_FUNCTION_NAME`, `${services.environment}-websocket-${name}`]));

/**
 * The environment Terraform gives each function (terraform/main.tf `function_environment`), pointed
 * at the local services: the common variables for every function, the key material for the
 * authorizer only (the dev secret instead of an SSM parameter), and what the Lambda runtime itself
 * provides (Region, credentials). AWS_EXECUTION_ENV is left unset, so the tracer stays off.
 */
const functionEnvironment = (functionName: string, services: LocalServices): Record<string, string> => {
  const common: Record<string, string> = {
    ENVIRONMENT: services.environment,
    CONNECTIONS_TABLE: services.connectionsTable,
    MESSAGES_TABLE: services.messagesTable,
    WS_MANAGEMENT_ENDPOINT: services.managementEndpoint,
    AWS_ENDPOINT_URL_DYNAMODB: services.dynamoDbEndpoint,
    AWS_ENDPOINT_URL_LAMBDA: services.lambdaEndpoint,
    ...invokedFunctionNames(services),
    AWS_REGION: services.region,
    AWS_DEFAULT_REGION: services.region,
    AWS_ACCESS_KEY_ID: services.accessKeyId,
    AWS_SECRET_ACCESS_KEY: services.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: 'true',
    POWERTOOLS_TRACE_ENABLED: 'false',
    ...(process.env.PATH ? { PATH: process.env.PATH } : {}),
    ...(services.devMode ? { POWERTOOLS_DEV: 'true' } : {}),
    ...services.extra,
  };
  if (functionName !== 'authorizer') return common;
  return { ...common, JWT_SECRET: services.jwtSecret, ...services.authorizerExtra };
};

export type { LocalServices };
export { functionEnvironment };
