import { parseArgs } from 'node:util';
import { type DatasetSize, DEFAULT_SIZE } from './dataset.js';
import { scenarios } from './scenarios.js';

export interface BenchOptions {
  embedded: boolean;
  size: DatasetSize;
  seed: number;
  /** Seconds of measured load per scenario and round. */
  duration: number;
  /** Seconds of unmeasured load before each measurement. */
  warmup: number;
  rounds: number;
  connections: number;
  /** Scenario names to run (all when empty). */
  only: string[];
  /** Use the database as it is: no drop, no load (it must hold a dataset). */
  reuse: boolean;
  /** Keep the PGlite directory after the run (the PostgreSQL database is always kept). */
  keep: boolean;
  dataDir: string | undefined;
  /** The in-process response cache of anonymous reads (off: every request reaches the database). */
  responseCache: boolean;
  /** Run one scenario against a server under `node --cpu-prof` and summarise the profile. */
  profile: string | undefined;
  /** Node/V8 flags for Kopij's server besides those `npm start` uses (trials, not the report's default). */
  nodeFlags: string[];
  databaseUrl: string;
  adminUrl: string;
}

const USAGE = `npm run bench -- [options]
  --embedded              PGlite in a temporary DATA_DIR instead of PostgreSQL
  --articles N            default ${DEFAULT_SIZE.articles}; people, places and quotes scale with it
  --people N --places N --quotes N   override (defaults ${DEFAULT_SIZE.people}, ${DEFAULT_SIZE.places}, ${DEFAULT_SIZE.quotes} at 100k)
  --seed N                dataset seed (default 1)
  --duration S            measured seconds per scenario and round (default 5)
  --warmup S              warm-up seconds before each measurement (default 2)
  --rounds N              rounds, each in a rotated scenario order (default 3)
  --connections N         autocannon connections (default 16)
  --only a,b              only these scenarios (ceilings they are compared with are added)
  --reuse                 keep the existing dataset (skip drop and load)
  --data-dir DIR          PGlite directory to use (kept); default a temporary one
  --keep                  keep the temporary PGlite directory
  --profile SCENARIO      profile the server during one scenario (node --cpu-prof)
  --no-response-cache     run Kopij with RESPONSE_CACHE_SIZE=0: what the queries alone do
  --node-flags="F G"      extra node/V8 flags for Kopij's server (after npm start's own), for trials
environment: BENCH_DATABASE_URL (default postgres://kopij:kopij@127.0.0.1:5432/kopij_bench),
             BENCH_ADMIN_DATABASE_URL (default: the same server, database kopij)`;

function positive(name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number >= ${min}`);
  return n;
}

export function parseBenchArgs(argv: string[], env: Record<string, string | undefined>): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      embedded: { type: 'boolean', default: false },
      articles: { type: 'string' },
      people: { type: 'string' },
      places: { type: 'string' },
      quotes: { type: 'string' },
      seed: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
      connections: { type: 'string' },
      only: { type: 'string' },
      reuse: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
      profile: { type: 'string' },
      'node-flags': { type: 'string' },
      'no-response-cache': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      `${USAGE}\nscenarios: ${scenarios()
        .map((s) => s.name)
        .join(', ')}\n`,
    );
    process.exit(0);
  }
  const databaseUrl = env.BENCH_DATABASE_URL || 'postgres://kopij:kopij@127.0.0.1:5432/kopij_bench';
  const admin = new URL(databaseUrl);
  admin.pathname = '/kopij';
  // Without their own flags, people, places and quotes keep the default proportions to articles.
  const articles = positive('articles', values.articles, DEFAULT_SIZE.articles);
  const scale = (n: number, min: number) => Math.max(min, Math.round((n * articles) / DEFAULT_SIZE.articles));
  return {
    embedded: values.embedded,
    size: {
      articles,
      people: positive('people', values.people, scale(DEFAULT_SIZE.people, 100)),
      places: positive('places', values.places, scale(DEFAULT_SIZE.places, 50)),
      quotes: positive('quotes', values.quotes, scale(DEFAULT_SIZE.quotes, 0), 0),
    },
    seed: positive('seed', values.seed, 1, 0),
    duration: positive('duration', values.duration, 5),
    warmup: positive('warmup', values.warmup, 2, 0),
    rounds: positive('rounds', values.rounds, 3),
    connections: positive('connections', values.connections, 16),
    only: values.only ? values.only.split(',').map((s) => s.trim()) : [],
    reuse: values.reuse,
    keep: values.keep,
    dataDir: values['data-dir'],
    profile: values.profile,
    nodeFlags: values['node-flags']?.split(/\s+/).filter(Boolean) ?? [],
    responseCache: !values['no-response-cache'],
    databaseUrl,
    adminUrl: env.BENCH_ADMIN_DATABASE_URL || admin.toString(),
  };
}
