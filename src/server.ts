import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { createKey, keyCount } from './resources/keys/repository.js';

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(process.env);
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  throw err;
}

const app = await buildApp(config, { workers: true });

// First start on an empty database with no ADMIN_KEY: make an admin key and show it once.
if (!config.adminKey && (await keyCount(app.db.db)) === 0) {
  const { secret } = await createKey(app.db.db, 'bootstrap admin', ['admin']);
  app.log.warn(`Created the first admin API key (shown only now, store it safely): ${secret}`);
}

closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
  if (err) app.log.error({ err }, 'closing after an uncaught error');
  else app.log.info({ signal }, 'shutting down gracefully');
  await app.close();
});

await app.listen({ port: config.port, host: config.host });
