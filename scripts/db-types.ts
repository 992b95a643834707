// `npm run db:types`: prints the types kysely-codegen reads from a freshly migrated database (in
// memory), for reference when src/db/schema.ts must follow a new migration. schema.ts stays written
// by hand (its names and narrow types are used across the code); src/db/schema.test.ts checks it.
import { openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { generatedSchema } from '../test/schema-types.ts';

const database = await openDatabase({ pgliteDir: 'memory://' });
try {
  await migrateToLatest(database.db);
  process.stdout.write(await generatedSchema(database.db));
} finally {
  await database.close();
}
