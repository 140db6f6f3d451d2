export { openDatabase, migrationsFolder, type Database, type Db } from './client.ts';
export * as schema from './schema/index.ts';
export { calls, prompts, type CallRow, type CallSelect } from './schema/index.ts';
