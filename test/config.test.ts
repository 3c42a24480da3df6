import t from 'tap';
import { ConfigError, loadConfig } from '../src/config.js';

t.test('defaults match the contract', async (t) => {
  const c = loadConfig({});
  t.equal(c.port, 3000);
  t.equal(c.host, '127.0.0.1');
  t.equal(c.dataDir, './data');
  t.equal(c.databaseUrl, undefined);
  t.equal(c.publicRead, true);
  t.equal(c.rateLimitPerMinute, 600);
  t.equal(c.bodyLimitBytes, 1024 * 1024);
  t.same(c.corsOrigins, []);
  // README's configuration table and BENCHMARKS.md's RSS figures are for this budget.
  t.equal(c.responseCacheMaxBytes, 8 * 1024 * 1024, 'the response cache keeps up to 8 MiB of bodies');
  t.equal(c.validateResponses, false, 'responses are not parsed by zod in production');
  t.equal(loadConfig({ VALIDATE_RESPONSES: 'true' }).validateResponses, true);
});

t.test('a bad variable stops the start with one line naming it', async (t) => {
  const cases: [Record<string, string>, string][] = [
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ PUBLIC_READ: 'maybe' }, 'PUBLIC_READ'],
    [{ RATE_LIMIT_PER_MINUTE: '0' }, 'RATE_LIMIT_PER_MINUTE'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ CORS_ORIGINS: 'not a url' }, 'CORS_ORIGINS'],
    [{ ADMIN_KEY: 'short' }, 'ADMIN_KEY'],
    [{ DATABASE_URL: 'postgres://p/db', DATABASE_READ_URL: 'memory://' }, 'DATABASE_READ_URL'],
    // A replica of the embedded database cannot exist.
    [{ DATABASE_READ_URL: 'postgres://r/db' }, 'DATABASE_READ_URL'],
    [{ DATABASE_URL: 'memory://', DATABASE_READ_URL: 'postgres://r/db' }, 'DATABASE_READ_URL'],
  ];
  for (const [env, name] of cases) {
    try {
      loadConfig(env);
      t.fail(`${name} should be refused`);
    } catch (err) {
      t.ok(err instanceof ConfigError, name);
      const message = (err as Error).message;
      t.match(message, new RegExp(`^Invalid environment variable ${name}: `), name);
      t.notMatch(message, /\n/, 'one line');
    }
  }
});

t.test('parses the documented forms', async (t) => {
  const c = loadConfig({
    PUBLIC_READ: 'false',
    CORS_ORIGINS: 'https://a.example, https://b.example',
    DATABASE_URL: 'postgres://u:p@localhost:5432/db',
    DATABASE_READ_URL: 'postgresql://u:p@replica:5432/db',
  });
  t.equal(c.databaseReadUrl, 'postgresql://u:p@replica:5432/db');
  t.equal(c.publicRead, false);
  t.same(c.corsOrigins, ['https://a.example', 'https://b.example']);
  t.equal(c.databaseUrl, 'postgres://u:p@localhost:5432/db');
  t.equal(loadConfig({ DATABASE_URL: 'memory://' }).databaseUrl, 'memory://');
});
