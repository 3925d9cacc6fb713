export { createDynamoStore, DynamoTicketStore, type DynamoStoreOptions } from './store.js';
export { ensureTable, tableDefinition, describeTable, CREATE_TABLE_COMMAND } from './table.js';
export { createDynamoClient } from './client.js';
