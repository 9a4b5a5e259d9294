/**
 * The two tables, defined once. DynamoDB Local's tables are created from these, and a Terraform test
 * fails when `terraform/` declares anything different.
 */
interface KeyAttribute {
  name: string;
  type: 'S' | 'N';
}

interface TableDefinition {
  /** Table name is `{env}-{nameSuffix}`. */
  nameSuffix: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  ttlAttribute: string;
  globalSecondaryIndexes: Array<{
    name: string;
    partitionKey: KeyAttribute;
    projectionType: 'ALL' | 'KEYS_ONLY' | 'INCLUDE';
    nonKeyAttributes?: string[];
  }>;
}

const CONNECTIONS_TABLE: TableDefinition = {
  nameSuffix: 'chatbot-connections',
  partitionKey: { name: 'connectionId', type: 'S' },
  ttlAttribute: 'expiresAt',
  globalSecondaryIndexes: [
    {
      name: 'userId-index',
      partitionKey: { name: 'userId', type: 'S' },
      // expiresAt rides along so recipient queries can tell live rows from ended ones without a second read;
      // connectedAt ranks connects that race for the last places under the per-user cap.
      projectionType: 'INCLUDE',
      nonKeyAttributes: ['expiresAt', 'connectedAt'],
    },
  ],
};

const MESSAGES_TABLE: TableDefinition = {
  nameSuffix: 'chatbot-messages',
  partitionKey: { name: 'sessionKey', type: 'S' },
  sortKey: { name: 'itemKey', type: 'S' },
  ttlAttribute: 'expiresAt',
  globalSecondaryIndexes: [],
};

const TABLE_DEFINITIONS = { connections: CONNECTIONS_TABLE, messages: MESSAGES_TABLE } as const;

const USER_ID_INDEX = 'userId-index';

const tableName = (environment: string, definition: TableDefinition): string => `${environment}-${definition.nameSuffix}`;

/** The CreateTable input for a definition (on-demand billing, as deployed). */
const toCreateTableInput = (definition: TableDefinition, name: string) => {
  const keyAttributes = [definition.partitionKey, definition.sortKey, ...definition.globalSecondaryIndexes.map((g) => g.partitionKey)].filter(
    (attribute): attribute is KeyAttribute => attribute !== undefined,
  );
  const uniqueAttributes = [...new Map(keyAttributes.map((a) => [a.name, a])).values()];
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: uniqueAttributes.map((a) => ({ AttributeName: a.name, AttributeType: a.type })),
    KeySchema: [
      { AttributeName: definition.partitionKey.name, KeyType: 'HASH' as const },
      ...(definition.sortKey ? [{ AttributeName: definition.sortKey.name, KeyType: 'RANGE' as const }] : []),
    ],
    ...(definition.globalSecondaryIndexes.length > 0
      ? {
          GlobalSecondaryIndexes: definition.globalSecondaryIndexes.map((index) => ({
            IndexName: index.name,
            KeySchema: [{ AttributeName: index.partitionKey.name, KeyType: 'HASH' as const }],
            Projection: {
              ProjectionType: index.projectionType,
              ...(index.nonKeyAttributes ? { NonKeyAttributes: index.nonKeyAttributes } : {}),
            },
          })),
        }
      : {}),
  };
};

export type { KeyAttribute, TableDefinition };
export { CONNECTIONS_TABLE, MESSAGES_TABLE, TABLE_DEFINITIONS, tableName, toCreateTableInput, USER_ID_INDEX };
