import { loadConfig } from '../config.js';
import { createDb } from '../db/client.js';
import { runMigrations } from '../db/migrate.js';

/**
 * `npm run migrate`: applies pending migrations to the configured database (DATABASE_URL, else
 * the embedded one in DATA_DIR) and exits, for deployments that migrate before starting new
 * instances. The server applies them at start as well; both take the same lock.
 */
const database = await createDb(loadConfig(process.env));
try {
  await runMigrations(database);
  process.stdout.write(`Migrations applied (${database.kind}).\n`);
} finally {
  await database.close();
}
