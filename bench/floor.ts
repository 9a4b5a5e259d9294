import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import { LAMBDA_BUILD_OPTIONS, ROOT } from '../build/bundle.ts';

/** The AWS SDK clients each function needs: its "floor" bundle holds only these, built the same way. */
const FLOOR_CLIENTS: Record<string, Array<'dynamodb' | 'management' | 'ssm'>> = {
  authorizer: ['ssm'],
  connect: ['dynamodb'],
  disconnect: ['dynamodb'],
  message: ['dynamodb', 'management'],
  ping: ['dynamodb', 'management'],
  history: ['dynamodb', 'management'],
  default: ['dynamodb', 'management'],
};

const SNIPPETS = {
  dynamodb: {
    imports: "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nimport { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';",
    init: 'const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}));',
    call: "await ddb.send(new PutCommand({ TableName: process.env.CONNECTIONS_TABLE, Item: { connectionId: 'floor-' + Date.now(), userId: 'floor', expiresAt: 0 } }));",
  },
  management: {
    imports: "import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';",
    init: "const management = new ApiGatewayManagementApiClient({ endpoint: process.env.WS_MANAGEMENT_ENDPOINT ?? 'https://example.com/dev' });",
    call: '',
  },
  ssm: {
    imports: "import { SSMClient } from '@aws-sdk/client-ssm';",
    init: 'const ssm = new SSMClient({});',
    call: '',
  },
} as const;

/** What any Powertools-instrumented Middy function loads, whatever its own code: the tracer (with the X-Ray SDK), logger, metrics and Middy. */
const INSTRUMENTATION = {
  imports: [
    "import middy from '@middy/core';",
    "import { Logger } from '@aws-lambda-powertools/logger';",
    "import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';",
    "import { Metrics } from '@aws-lambda-powertools/metrics';",
    "import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';",
    "import { Tracer } from '@aws-lambda-powertools/tracer';",
    "import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';",
  ].join('\n'),
  init: "const logger = new Logger(); const metrics = new Metrics({ namespace: 'Floor' }); const tracer = new Tracer(); export const instrumented = middy(async () => ({ statusCode: 200 })).use(captureLambdaHandler(tracer)).use(injectLambdaContext(logger)).use(logMetrics(metrics));",
};

const floorSource = (clients: Array<keyof typeof SNIPPETS>, instrumented = false): string => {
  const parts = clients.map((client) => SNIPPETS[client]);
  return [
    ...(instrumented ? [INSTRUMENTATION.imports, INSTRUMENTATION.init] : []),
    ...parts.map((part) => part.imports),
    ...parts.map((part) => part.init),
    `export const handler = async () => { ${parts.map((part) => part.call).join(' ')} return { statusCode: 200 }; };`,
    // Keep every client alive so the bundler cannot drop it.
    `export const clients = [${clients.map((client) => ({ dynamodb: 'ddb', management: 'management', ssm: 'ssm' })[client]).join(', ')}];`,
  ].join('\n');
};

/**
 * Builds `bench/.floor/<name>.mjs` with the same esbuild settings as the real bundles; `instrumented`
 * adds Middy and Powertools' tracer, logger and metrics (the floor of any instrumented function).
 */
const buildFloor = async (name: string, instrumented = false): Promise<{ path: string; bytes: number }> => {
  const outDir = join(ROOT, 'bench', '.floor');
  await mkdir(outDir, { recursive: true });
  const path = join(outDir, `${name}${instrumented ? '-instrumented' : ''}.mjs`);
  await build({
    ...LAMBDA_BUILD_OPTIONS,
    stdin: { contents: floorSource(FLOOR_CLIENTS[name] ?? [], instrumented), resolveDir: ROOT, loader: 'js', sourcefile: `floor-${name}.js` },
    outfile: path,
    sourcemap: false,
  });
  return { path, bytes: (await stat(path)).size };
};

export { buildFloor, FLOOR_CLIENTS };
