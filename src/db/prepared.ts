import type { Executor } from './client.js';

/**
 * Prepared statements for the hot reads, built on first use per database handle and variant.
 * drizzle renders a query from its AST on every call (about a sixth of an item GET's CPU); a
 * prepared one is rendered once. On PostgreSQL the name also makes each connection parse it
 * once and, after a few runs, reuse a generic plan. Keyed by handle because one process may
 * hold many databases (tests, the benchmark); a transaction gets its own, short-lived, set.
 *
 * The statement's name is `<prefix>_<key>`: the key must name everything that changes the SQL
 * text, because pg refuses one name for two texts on a connection.
 */
export function preparedPerDb<K extends string, P>(
  prefix: string,
  build: (db: Executor, key: K, name: string) => P,
): (db: Executor, key: K) => P {
  const cache = new WeakMap<Executor, Map<K, P>>();
  return (db, key) => {
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
      statement = build(db, key, name);
      byKey.set(key, statement);
    }
    return statement;
  };
}
