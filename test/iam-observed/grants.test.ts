/**
 * How recorded SDK commands become IAM grants, and how a difference from the manifest is reported.
 */
import { describe, expect, it } from '@jest/globals';
import { callShapes, type ObservedCall } from '#testkit/sdk-calls/call-recorder.ts';
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

  it('names a call on a table the manifest does not know', () => {
    // Act + Assess
    expect(grantOf(call({ service: 'dynamodb', action: 'dynamodb:GetItem', resource: 'dev-other' }))).toBe('dynamodb:GetItem on an unknown table or index (dev-other)');
  });
});
