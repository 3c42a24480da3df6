import type { Executor } from './client.js';

/**
 * Prepared statements for the hot reads, built on first use per database handle and variant.
 * drizzle renders a query from its AST on every call (about a sixth of an item GET's CPU); a
 * prepared one is rendered once. On PostgreSQL the name also makes each connection parse it
 * once and, after a few runs, reuse a generic plan. Keyed by handle because one process may
 * hold many databases (tests, the benchmark); a transaction gets its own, short-lived, set.
 *
 * The statement's name is `<prefix>_<key>`: the key must name everything that changes the SQL
 * text, because pg refuses one name for two texts on a connection. `args` are handed to
 * `build` on first use only, so they must not change the SQL beyond what the key names.
 * Past `max` variants per handle, statements are built afresh on every call (and not kept).
 */
export function preparedPerDb<K extends string, A extends unknown[], P>(
  prefix: string,
  build: (db: Executor, key: K, name: string, ...args: A) => P,
  max = Number.POSITIVE_INFINITY,
): (db: Executor, key: K, ...args: A) => P {
  const cache = new WeakMap<Executor, Map<K, P>>();
  return (db, key, ...args) => {
    let byKey = cache.get(db);
    if (!byKey) {
      byKey = new Map();
      cache.set(db, byKey);
    }
    let statement = byKey.get(key);
    if (!statement) {
      const name = `${prefix}_${key}`;
      // PostgreSQL cuts names at 63 bytes: two long names could become one.
      if (Buffer.byteLength(name) > 63) throw new Error(`prepared statement name too long: ${name}`);
      statement = build(db, key, name, ...args);
      if (byKey.size < max) byKey.set(key, statement);
    }
    return statement;
  };
}

type WithAll = { all(values: Record<string, unknown>): Promise<unknown[]> };

/**
 * A prepared select's rows as the driver returns them, without drizzle's mapping: keyed by SQL
 * column name, timestamps as PostgreSQL's text. Both drivers' prepared queries have `all`
 * (node-postgres and PGlite); pg-core's abstract type leaves it out.
 */
export async function driverRows(statement: object, values: Record<string, unknown>) {
  return (await (statement as WithAll).all(values)) as Record<string, unknown>[];
}
