/**
 * The one seam through which tests see the AWS calls a function makes: each SDK client factory
 * passes its client here. Tests install an observer under a global symbol (test/iam-observed) that
 * adds a recording middleware; the IAM grants of src/config/function-manifest.ts are then checked
 * against what the suites really called. Nothing installs one in production, so this is a single
 * global lookup per client creation and no test code reaches the bundles.
 */

/** The IAM service prefix of a client's calls. */
type AwsService = 'dynamodb' | 'execute-api' | 'ssm' | 'bedrock' | 'lambda';

/** What every SDK v3 client has: a middleware stack (a DocumentClient shares its client's). */
interface InstrumentableClient {
  middlewareStack: object;
}

interface SdkCallObserver {
  attach(client: InstrumentableClient, service: AwsService): void;
}

const SDK_CALL_OBSERVER = Symbol.for('chatbot.sdkCallObserver');

/**
 * Hands the client to the observer tests installed, if any, and returns it unchanged.
 *
 * @example const client = instrumentClient(new DynamoDBClient({}), 'dynamodb');
 */
const instrumentClient = <Client extends InstrumentableClient>(client: Client, service: AwsService): Client => {
  (globalThis as { [SDK_CALL_OBSERVER]?: SdkCallObserver })[SDK_CALL_OBSERVER]?.attach(client, service);
  return client;
};

export type { AwsService, InstrumentableClient, SdkCallObserver };
export { instrumentClient, SDK_CALL_OBSERVER };
