import { z } from 'zod';

const boolean = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const databaseUrl = z.string().refine((v) => v === 'memory://' || /^postgres(ql)?:\/\/.+/.test(v), {
  message: 'must be postgres://… or memory://',
});

const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: databaseUrl.optional(),
  // A streaming replica of DATABASE_URL's server; an embedded database has none.
  DATABASE_READ_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/.+/, 'must be postgres://… (a streaming replica of DATABASE_URL)')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  ADMIN_KEY: z.string().min(16, 'must be at least 16 characters').max(200).optional(),
  PUBLIC_READ: boolean.default(true),
  CORS_ORIGINS: z
    .string()
    .optional()
    .transform((v) =>
      (v ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.url())),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(600),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WEBHOOK_ALLOW_PRIVATE: boolean.default(false),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).default(5000),
  DB_LOCK_TIMEOUT_MS: z.coerce.number().int().min(10).default(2000),
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).default(30_000),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  // Entries in the in-process response cache of anonymous single-resource reads; 0 turns it off.
  RESPONSE_CACHE_SIZE: z.coerce.number().int().min(0).max(10_000_000).default(10_000),
  // Bytes of kept bodies, in segments of up to 1 MiB that are reused oldest first (a body
  // larger than a segment is not kept). 8 MiB holds ~2,500 articles or ~170 pages of 20: what
  // a newsroom's front ends ask again. More is for a server with memory to spare: every MiB of
  // it is RSS under load (BENCHMARKS.md: 32 MiB made the server 1.9x the bare one's RSS, 8 MiB
  // 1.5x, at the same item and list rates in the benchmark).
  RESPONSE_CACHE_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(0)
    .default(8 * 1024 * 1024),
  // 0 turns the event-loop check off.
  MAX_EVENT_LOOP_DELAY_MS: z.coerce.number().int().min(0).default(2000),
  // Parse every response with its zod schema too (the test suite): drift answers 500.
  VALIDATE_RESPONSES: boolean.default(false),
});

export type Config = {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  databaseReadUrl: string | undefined;
  dataDir: string;
  adminKey: string | undefined;
  publicRead: boolean;
  corsOrigins: string[];
  rateLimitPerMinute: number;
  logLevel: string;
  webhookAllowPrivate: boolean;
  dbPoolSize: number;
  dbStatementTimeoutMs: number;
  dbLockTimeoutMs: number;
  requestTimeoutMs: number;
  bodyLimitBytes: number;
  maxEventLoopDelayMs: number;
  validateResponses: boolean;
  responseCacheSize: number;
  responseCacheMaxBytes: number;
};

export class ConfigError extends Error {}

/** Parses the environment once; throws one readable line naming the first bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = ConfigSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'environment');
    throw new ConfigError(`Invalid environment variable ${name}: ${issue.message}`);
  }
  const c = parsed.data;
  if (c.DATABASE_READ_URL && !c.DATABASE_URL?.startsWith('postgres')) {
    throw new ConfigError(
      'Invalid environment variable DATABASE_READ_URL: needs DATABASE_URL to name the PostgreSQL primary it replicates',
    );
  }
  return {
    port: c.PORT,
    host: c.HOST,
    databaseUrl: c.DATABASE_URL,
    databaseReadUrl: c.DATABASE_READ_URL,
    dataDir: c.DATA_DIR,
    adminKey: c.ADMIN_KEY,
    publicRead: c.PUBLIC_READ,
    corsOrigins: c.CORS_ORIGINS,
    rateLimitPerMinute: c.RATE_LIMIT_PER_MINUTE,
    logLevel: c.LOG_LEVEL,
    webhookAllowPrivate: c.WEBHOOK_ALLOW_PRIVATE,
    dbPoolSize: c.DB_POOL_SIZE,
    dbStatementTimeoutMs: c.DB_STATEMENT_TIMEOUT_MS,
    dbLockTimeoutMs: c.DB_LOCK_TIMEOUT_MS,
    requestTimeoutMs: c.REQUEST_TIMEOUT_MS,
    bodyLimitBytes: c.BODY_LIMIT_BYTES,
    maxEventLoopDelayMs: c.MAX_EVENT_LOOP_DELAY_MS,
    validateResponses: c.VALIDATE_RESPONSES,
    responseCacheSize: c.RESPONSE_CACHE_SIZE,
    responseCacheMaxBytes: c.RESPONSE_CACHE_MAX_BYTES,
  };
}
