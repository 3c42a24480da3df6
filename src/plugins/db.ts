import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import { settings } from '../db/schema.js';
import { type CursorCodec, createCursorCodec } from '../http/cursor.js';

declare module 'fastify' {
  interface FastifyInstance {
    db: Database;
    config: Config;
    cursors: CursorCodec;
  }
}

/**
 * The cursor secret is made on first start and kept in the database, so cursors stay valid
 * across restarts and across instances sharing the database.
 */
async function cursorSecret(database: Database): Promise<string> {
  const { db } = database;
  await db
    .insert(settings)
    .values({ key: 'cursor_secret', value: randomBytes(32).toString('base64url') })
    .onConflictDoNothing();
  const [row] = await db.select().from(settings).where(eq(settings.key, 'cursor_secret'));
  return row!.value;
}

export default fp(
  async function dbPlugin(
    app: FastifyInstance,
    opts: { database: Database; config: Config; owned: boolean },
  ) {
    app.decorate('db', opts.database);
    app.decorate('config', opts.config);
    app.decorate('cursors', createCursorCodec(await cursorSecret(opts.database)));
    if (opts.owned) app.addHook('onClose', async () => opts.database.close());
  },
  { name: 'kopij-db' },
);
