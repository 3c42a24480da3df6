import { defineConfig } from 'drizzle-kit';

// drizzle-kit only generates SQL here; the app applies it (src/db/migrate.ts), because
// drizzle-kit's own migrator opens PGlite without the extensions our migrations need.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: './migrations',
});
