import { describe, expect, it } from '@jest/globals';
import { TABLE_DEFINITIONS, type TableDefinition, tableName } from '../../src/data/table-definitions.ts';
import { block, exampleStack, resourcesOfType } from './support/fixture.ts';
import type { ResourceInstance } from './support/stack.ts';
import type { Value } from './support/values.ts';

const records = (value: Value | undefined): Array<Record<string, Value>> => (Array.isArray(value) ? (value as Array<Record<string, Value>>) : []);

/** The parts of a deployed table that the code's definition fixes. */
const fromTerraform = (table: ResourceInstance) => ({
  name: table.attributes.name,
  billingMode: table.attributes.billing_mode,
  hashKey: table.attributes.hash_key,
  rangeKey: table.attributes.range_key ?? null,
  attributes: records(table.attributes.attribute)
    .map((a) => `${String(a.name)}:${String(a.type)}`)
    .sort(),
  indexes: records(table.attributes.global_secondary_index).map((index) => ({
    name: index.name,
    hashKey: index.hash_key,
    rangeKey: index.range_key ?? null,
    projection: index.projection_type,
    nonKeyAttributes: index.non_key_attributes ?? null,
  })),
  ttl: block(table, 'ttl'),
});

const fromCode = (definition: TableDefinition) => ({
  name: tableName('prod', definition),
  billingMode: 'PAY_PER_REQUEST',
  hashKey: definition.partitionKey.name,
  rangeKey: definition.sortKey?.name ?? null,
  attributes: [definition.partitionKey, definition.sortKey, ...definition.globalSecondaryIndexes.map((g) => g.partitionKey)]
    .filter((a) => a !== undefined)
    .map((a) => `${a.name}:${a.type}`)
    .filter((a, i, all) => all.indexOf(a) === i)
    .sort(),
  indexes: definition.globalSecondaryIndexes.map((index) => ({
    name: index.name,
    hashKey: index.partitionKey.name,
    rangeKey: null,
    projection: index.projectionType,
    nonKeyAttributes: index.nonKeyAttributes ?? null,
  })),
  ttl: { attribute_name: definition.ttlAttribute, enabled: true },
});

describe('Terraform DynamoDB tables', () => {
  it.each(Object.entries(TABLE_DEFINITIONS))('declares the %s table exactly as src/data/table-definitions.ts does', async (key, definition) => {
    // Prepare
    const tables = resourcesOfType(await exampleStack(), 'aws_dynamodb_table');

    // Act
    const table = tables.find((t) => t.name === key) as ResourceInstance;

    // Assess
    expect(tables).toHaveLength(Object.keys(TABLE_DEFINITIONS).length);
    expect(fromTerraform(table)).toEqual(fromCode(definition));
  });

  it('notices a table that drifts from the code (self-check)', async () => {
    // Prepare
    const table = resourcesOfType(await exampleStack(), 'aws_dynamodb_table').find((t) => t.name === 'connections') as ResourceInstance;
    const drifted = { ...table, attributes: { ...table.attributes, global_secondary_index: [{ name: 'userId-index', hash_key: 'userId', projection_type: 'ALL' }] } };

    // Act
    const comparison = () => expect(fromTerraform(drifted)).toEqual(fromCode(TABLE_DEFINITIONS.connections));

    // Assess
    expect(comparison).toThrow();
  });
});
