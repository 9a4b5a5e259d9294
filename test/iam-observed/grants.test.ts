/**
 * How recorded SDK commands become IAM grants, and how a difference from the manifest is reported.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { describe, expect, it } from '@jest/globals';
import { callShapes, type ObservedCall, SdkCallRecorder } from '#testkit/sdk-calls/call-recorder.ts';
import type { FunctionSpec } from '../../src/config/function-manifest.ts';
import { grantFindings, grantOf } from './support/grants.ts';

const CONNECTIONS = 'dev-chatbot-connections';
const MESSAGES = 'dev-chatbot-messages';

const call = (fields: Partial<ObservedCall> & Pick<ObservedCall, 'service' | 'action'>): ObservedCall => ({
  function: 'message',
  path: 'in-process',
  source: 'test/integration/x.test.ts',
  ...fields,
});

describe('callShapes', () => {
  it('names each item of a transaction by the action IAM checks for it, on its own table', () => {
    // Act
    const shapes = callShapes('dynamodb', 'TransactWriteItemsCommand', {
      TransactItems: [
        { Put: { TableName: MESSAGES, Item: {} } },
        { Update: { TableName: CONNECTIONS, Key: {} } },
        { ConditionCheck: { TableName: CONNECTIONS, Key: {} } },
        { Delete: { TableName: MESSAGES, Key: {} } },
      ],
    });

    // Assess
    expect(shapes).toEqual([
      { action: 'dynamodb:PutItem', resource: MESSAGES },
      { action: 'dynamodb:UpdateItem', resource: CONNECTIONS },
      { action: 'dynamodb:ConditionCheckItem', resource: CONNECTIONS },
      { action: 'dynamodb:DeleteItem', resource: MESSAGES },
    ]);
  });

  it('names every table of a batch, the index of a query, and the @connections method', () => {
    // Act + Assess
    expect(callShapes('dynamodb', 'BatchGetItemCommand', { RequestItems: { [CONNECTIONS]: {}, [MESSAGES]: {} } })).toEqual([
      { action: 'dynamodb:BatchGetItem', resource: CONNECTIONS },
      { action: 'dynamodb:BatchGetItem', resource: MESSAGES },
    ]);
    expect(callShapes('dynamodb', 'QueryCommand', { TableName: CONNECTIONS, IndexName: 'userId-index' })).toEqual([
      { action: 'dynamodb:Query', resource: CONNECTIONS, index: 'userId-index' },
    ]);
    expect(['PostToConnectionCommand', 'GetConnectionCommand', 'DeleteConnectionCommand'].map((name) => callShapes('execute-api', name, {}))).toEqual([
      [{ action: 'execute-api:ManageConnections', method: 'POST' }],
      [{ action: 'execute-api:ManageConnections', method: 'GET' }],
      [{ action: 'execute-api:ManageConnections', method: 'DELETE' }],
    ]);
  });

  it('names an Invoke, asynchronous or not, lambda:InvokeFunction on the function it names', () => {
    // Act + Assess
    expect(
      ['Event', 'RequestResponse'].map((type) => callShapes('lambda', 'InvokeCommand', { FunctionName: 'dev-websocket-respond', InvocationType: type, Payload: '{}' })),
    ).toEqual([[{ action: 'lambda:InvokeFunction', resource: 'dev-websocket-respond' }], [{ action: 'lambda:InvokeFunction', resource: 'dev-websocket-respond' }]]);
  });
});

describe('SdkCallRecorder on a Lambda client', () => {
  it("records the client's Invoke as lambda:InvokeFunction on the function named, before the call goes out", async () => {
    // Prepare: nothing listens on port 1, so the call fails after the recorder saw it
    const dir = mkdtempSync(join(tmpdir(), 'lambda-calls-'));
    const file = join(dir, 'calls.ndjson');
    const client = new LambdaClient({ endpoint: 'http://127.0.0.1:1', region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
    new SdkCallRecorder({ file, path: 'in-process', functionName: 'message' }).attach(client, 'lambda');

    try {
      // Act
      const sent = client.send(new InvokeCommand({ FunctionName: 'dev-websocket-respond', InvocationType: 'Event', Payload: new TextEncoder().encode('{}') }));
      await expect(sent).rejects.toThrow();

      // Assess
      const calls = readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => JSON.parse(line) as ObservedCall);
      expect(calls).toEqual([{ function: 'message', service: 'lambda', action: 'lambda:InvokeFunction', resource: 'dev-websocket-respond', path: 'in-process' }]);
      expect(calls.map(grantOf)).toEqual(['lambda:InvokeFunction on respond']);
    } finally {
      client.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('grantOf a Lambda Invoke', () => {
  it.each([
    ['a deployed name', 'dev-websocket-respond', 'lambda:InvokeFunction on respond'],
    ['a bare manifest name', 'respond', 'lambda:InvokeFunction on respond'],
    ['a full ARN', 'arn:aws:lambda:eu-west-1:123456789012:function:prod-websocket-respond', 'lambda:InvokeFunction on respond'],
    ['a partial ARN', '123456789012:function:prod-websocket-respond', 'lambda:InvokeFunction on respond'],
    ['a qualified name (not covered by the unqualified grant)', 'dev-websocket-respond:live', 'lambda:InvokeFunction on respond:live (qualified)'],
    ['a qualified ARN', 'arn:aws:lambda:eu-west-1:123456789012:function:prod-websocket-respond:3', 'lambda:InvokeFunction on respond:3 (qualified)'],
    ['a function outside the manifest', 'dev-other-worker', 'lambda:InvokeFunction on a function outside the manifest (dev-other-worker)'],
  ])('maps %s to its grant', (_case, functionName, grant) => {
    // Act + Assess
    expect(grantOf(call({ service: 'lambda', action: 'lambda:InvokeFunction', resource: functionName }))).toBe(grant);
  });
});

describe('grantFindings', () => {
  const spec: FunctionSpec = {
    name: 'message',
    route: 'chat_message',
    dynamodb: { connections: ['dynamodb:UpdateItem'], messages: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:Scan'] },
    managesConnections: true,
    unexercised: { 'dynamodb:Scan on messages': 'an operator backfill', 'dynamodb:Query on messages': 'stale' },
  };

  it('says which grant to add, which to remove, and which reason to drop, for which function; a grant with a reason passes', () => {
    // Prepare
    const calls = [
      call({ service: 'dynamodb', action: 'dynamodb:UpdateItem', resource: CONNECTIONS }),
      call({ service: 'dynamodb', action: 'dynamodb:PutItem', resource: MESSAGES }),
      call({ service: 'dynamodb', action: 'dynamodb:Query', resource: CONNECTIONS, index: 'userId-index' }),
      call({ service: 'execute-api', action: 'execute-api:ManageConnections', method: 'POST' }),
      call({ service: 'execute-api', action: 'execute-api:ManageConnections', method: 'DELETE' }),
      call({ function: 'ping', service: 'dynamodb', action: 'dynamodb:DeleteItem', resource: CONNECTIONS }),
    ];

    // Act
    const findings = grantFindings(spec, calls);

    // Assess
    expect(findings).toEqual([
      'message: add dynamodb:Query on connectionsUserIndex (message.dynamodb.connectionsUserIndex in src/config/function-manifest.ts and dynamodb_access.message.connections_user_index in terraform/iam.tf); called by test/integration/x.test.ts (in-process)',
      'message: remove dynamodb:GetItem on messages (message.dynamodb.messages in src/config/function-manifest.ts and dynamodb_access.message.messages in terraform/iam.tf): no suite called it; if it is needed, say why in message.unexercised',
      'message: drop unexercised["dynamodb:Query on messages"]: the manifest does not grant it',
    ]);
  });

  it("grants a ConverseStream call through the manifest's bedrock actions, and points a missing or unused one at bedrock_access", () => {
    // Prepare
    const converse = callShapes('bedrock', 'ConverseStreamCommand', { modelId: 'anthropic.claude-3-haiku-20240307-v1:0' }).map((shape) => call({ service: 'bedrock', ...shape }));
    const withBedrock: FunctionSpec = { name: 'message', route: 'chat_message', dynamodb: {}, managesConnections: false, bedrock: ['bedrock:InvokeModelWithResponseStream'] };
    const withoutBedrock: FunctionSpec = { ...withBedrock, bedrock: [] };

    // Act
    const findings = [grantFindings(withBedrock, converse), grantFindings(withoutBedrock, converse), grantFindings(withBedrock, [])];

    // Assess
    expect(findings).toEqual([
      [],
      [
        'message: add bedrock:InvokeModelWithResponseStream on the configured model (message.bedrock in src/config/function-manifest.ts and bedrock_access.message in terraform/iam.tf); called by test/integration/x.test.ts (in-process)',
      ],
      [
        'message: remove bedrock:InvokeModelWithResponseStream on the configured model (message.bedrock in src/config/function-manifest.ts and bedrock_access.message in terraform/iam.tf): no suite called it; if it is needed, say why in message.unexercised',
      ],
    ]);
  });

  it("grants an Invoke through the manifest's invokes, and points a missing or unused one at lambda_invokes", () => {
    // Prepare
    const invoke = callShapes('lambda', 'InvokeCommand', { FunctionName: 'dev-websocket-respond', InvocationType: 'Event' }).map((shape) => call({ service: 'lambda', ...shape }));
    const invoking: FunctionSpec = { name: 'message', route: 'chat_message', dynamodb: {}, managesConnections: false, invokes: ['respond'] };
    const notInvoking: FunctionSpec = { ...invoking, invokes: [] };

    // Act
    const findings = [grantFindings(invoking, invoke), grantFindings(notInvoking, invoke), grantFindings(invoking, [])];

    // Assess
    expect(findings).toEqual([
      [],
      [
        'message: add lambda:InvokeFunction on respond (message.invokes in src/config/function-manifest.ts and lambda_invokes.message in terraform/iam.tf); called by test/integration/x.test.ts (in-process)',
      ],
      [
        'message: remove lambda:InvokeFunction on respond (message.invokes in src/config/function-manifest.ts and lambda_invokes.message in terraform/iam.tf): no suite called it; if it is needed, say why in message.unexercised',
      ],
    ]);
  });

  it('names a call on a table the manifest does not know', () => {
    // Act + Assess
    expect(grantOf(call({ service: 'dynamodb', action: 'dynamodb:GetItem', resource: 'dev-other' }))).toBe('dynamodb:GetItem on an unknown table or index (dev-other)');
  });
});
