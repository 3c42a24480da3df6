import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { runMigrations } from '../src/db/migrate.js';
import { createCursorCodec } from '../src/http/cursor.js';
import { type BenchOptions, parseBenchArgs } from './args.js';
import { describeEnvironment } from './environment.js';
import { profileScenario, startKopij } from './kopij.js';
import {
  loadDataset,
  openTarget,
  readSample,
  recreatePostgres,
  storedCursorSecret,
  type Target,
} from './load.js';
import { measure, type RunResult } from './measure.js';
import { fmt } from './progress.js';
import { markdownTable, otherLoad, rssRatio, summarise } from './report.js';
import { type Scenario, scenarios } from './scenarios.js';
import {
  baseEnv,
  buildServers,
  CEILING_SCRIPT,
  type Child,
  freePort,
  ROOT,
  startNode,
  startWebhookSink,
} from './servers.js';
import { finalTidy, newContext, type ScenarioContext, tidy } from './writes.js';

const opts = parseBenchArgs(process.argv.slice(2), process.env);
const log = (line: string) => process.stderr.write(`${line}\n`);
const children = new Set<Child>();
const stopAll = async () => {
  await Promise.all([...children].map((c) => c.stop().catch(() => undefined)));
};
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    log(`\n${signal}: stopping the servers`);
    void stopAll().then(() => process.exit(130));
  });

/** The scenarios asked for, with the ceilings they are compared against (and the HTTP one). */
function selected(all: Scenario[], o: BenchOptions): Scenario[] {
  if (o.profile) {
    const one = all.find((s) => s.name === o.profile);
    if (!one) throw new Error(`no scenario ${o.profile}; one of ${all.map((s) => s.name).join(', ')}`);
    return [one];
  }
  if (!o.only.length) return all;
  const unknown = o.only.filter((n) => !all.some((s) => s.name === n));
  if (unknown.length) throw new Error(`unknown scenario(s) ${unknown.join(', ')}`);
  const wanted = new Set(['ceiling-http', ...o.only]);
  for (const s of all) if (wanted.has(s.name) && s.ceiling) wanted.add(`ceiling-${s.ceiling}`);
  return all.filter((s) => wanted.has(s.name));
}

async function prepare(o: BenchOptions) {
  let target: Target;
  let tempDir: string | undefined;
  if (o.embedded) {
    if (!o.dataDir) tempDir = mkdtempSync(join(tmpdir(), 'kopij-bench-'));
    const dataDir = o.dataDir ?? tempDir!;
    if (!o.reuse && existsSync(dataDir) && readdirSync(dataDir).length)
      throw new Error(
        `${dataDir} is not empty: pass --reuse to benchmark what it holds, or an empty directory`,
      );
    target = { kind: 'pglite', dataDir };
  } else {
    target = { kind: 'postgres', url: o.databaseUrl, adminUrl: o.adminUrl };
    if (!o.reuse) await recreatePostgres(target);
  }
  log(
    `dataset: ${o.reuse ? 'reusing' : 'loading into'} ${target.kind === 'pglite' ? target.dataDir : o.databaseUrl}`,
  );
  const database = await openTarget(target);
  try {
    let loadSeconds: number | undefined;
    if (o.reuse) await runMigrations(database);
    else
      loadSeconds = (await loadDataset(database, o.size, o.seed, randomBytes(32).toString('base64url')))
        .seconds;
    const secret = await storedCursorSecret(database);
    if (!secret) throw new Error('the database has no cursor secret: was it loaded by the bench?');
    const sample = await readSample(database);
    const version =
      target.kind === 'postgres'
        ? (
            (await database.db.execute(sql`show server_version`)) as unknown as {
              rows: { server_version: string }[];
            }
          ).rows[0]?.server_version
        : undefined;
    return { target, tempDir, loadSeconds, secret, sample, version };
  } finally {
    await database.close();
  }
}

async function main() {
  const chosen = selected(scenarios(), opts);
  const started = Date.now();
  process.stderr.write('  compiling the servers (npm run build, bench/.build)…\n');
  buildServers();
  const prepared = await prepare(opts);
  const { target, sample } = prepared;
  const environment = describeEnvironment(prepared.version);
  const dbName = target.kind === 'postgres' ? new URL(target.url).pathname.slice(1) : undefined;
  // PGlite allows one process per directory: the ceilings get their own copy.
  let ceilingDir: string | undefined;
  if (target.kind === 'pglite' && chosen.some((s) => s.server !== 'kopij' && s.server !== 'static')) {
    ceilingDir = `${target.dataDir}-ceiling`;
    rmSync(ceilingDir, { recursive: true, force: true });
    cpSync(target.dataDir, ceilingDir, { recursive: true });
  }

  const sink = await startWebhookSink();
  const kopijOpts = {
    target,
    webhookUrl: sink.url,
    children,
    responseCache: opts.responseCache,
    nodeArgs: opts.nodeFlags,
  };
  const results = join(ROOT, 'bench', 'results');
  mkdirSync(results, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  try {
    if (opts.profile) {
      const summary = await profileScenario(chosen[0]!, {
        ...kopijOpts,
        opts,
        sample,
        secret: prepared.secret,
        dir: join(results, `profile-${stamp}`),
      });
      process.stdout.write(`${summary}\n`);
      return;
    }
    const kopij = await startKopij(kopijOpts);
    const ctx = newContext(sample, kopij.keys, createCursorCodec(prepared.secret), opts.seed);
    const skipped: string[] = [];
    const runnable: Scenario[] = [];
    for (const s of chosen) {
      const probe = s.probe?.(ctx);
      if (probe && (await fetch(`${kopij.child.url}${probe}`)).status === 404) {
        skipped.push(s.name);
        log(`skipping ${s.name}: ${probe} answers 404 (route not in this build)`);
      } else runnable.push(s);
    }
    const perRun = opts.warmup + opts.duration + 1;
    log(
      `running ${runnable.length} scenarios × ${opts.rounds} rounds × ~${perRun}s ≈ ${Math.ceil((runnable.length * opts.rounds * perRun) / 60)} min, ${opts.connections} connections`,
    );
    const runs: RunResult[] = [];
    const stride = Math.ceil(runnable.length / opts.rounds);
    for (let round = 1; round <= opts.rounds; round++) {
      const shift = ((round - 1) * stride) % runnable.length;
      const order = [...runnable.slice(shift), ...runnable.slice(0, shift)];
      for (const s of order) {
        const run = await runOne(s, round, kopij.child, ctx, dbName, ceilingDir);
        runs.push(run);
        const extra = Object.entries(run.other)
          .map(([k, v]) => ` ${k}×${v}`)
          .join('');
        log(
          `  [${round}/${opts.rounds}] ${s.name.padEnd(20)} ${fmt(Math.round(run.rps)).padStart(7)} req/s  p50 ${run.p50.toFixed(1)} ms  p99 ${run.p99.toFixed(1)} ms  rss ${Math.round(run.rssMaxMb)} MB${extra}`,
        );
      }
    }
    // Leave the database as it was loaded, for the next --reuse.
    await finalTidy(ctx, kopij.child.url);
    const summary = summarise(runnable, runs);
    const rss = rssRatio(summary);
    const report = {
      date: new Date().toISOString(),
      options: opts,
      database: target.kind,
      environment,
      dataset: { counts: sample.counts, loadSeconds: prepared.loadSeconds },
      skipped,
      webhookDeliveries: sink.received(),
      summary,
      rss,
      runs,
      wallSeconds: (Date.now() - started) / 1000,
    };
    const table = markdownTable(summary);
    const md = [
      `- Kopij bench ${report.date} on ${target.kind}: ${Object.entries(sample.counts)
        .map(([k, v]) => `${fmt(v)} ${k}`)
        .join(', ')}`,
      `- ${environment.machine.nproc} × ${environment.machine.cpuModel}, ${environment.machine.memoryGb} GB; load average at start ${environment.machine.loadavgAtStart.join(' ')}`,
      `- node ${environment.versions.node}, fastify ${environment.versions.fastify}, PostgreSQL ${environment.versions.postgresql}, PGlite ${environment.versions.pglite}; kopij ${environment.kopij.commit}${environment.kopij.dirty ? ' + uncommitted changes' : ''}`,
      `- ${opts.rounds} rounds × ${opts.duration}s (warm-up ${opts.warmup}s), ${opts.connections} connections${opts.responseCache ? '' : '; response cache off'}${opts.nodeFlags.length ? `; server flags added: ${opts.nodeFlags.join(' ')}` : ''}${skipped.length ? `; skipped: ${skipped.join(', ')}` : ''}`,
      `- other processes on the machine used ${otherLoad(summary).toFixed(2)} of ${environment.machine.nproc} cores (median over runs)`,
      '',
      table,
      '',
      rss
        ? `RSS under load: Kopij ${Math.round(rss.kopij)} MB vs bare item server ${Math.round(rss.ceiling)} MB = ${rss.ratio.toFixed(2)}× (target ≤ 1.5×)`
        : '',
    ].join('\n');
    writeFileSync(join(results, `${stamp}.json`), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(results, `${stamp}.md`), `${md}\n`);
    process.stdout.write(
      `${md}\n\nresults: bench/results/${stamp}.json (${Math.round(report.wallSeconds)} s in all)\n`,
    );
  } finally {
    await stopAll();
    await sink.close();
    if (ceilingDir) rmSync(ceilingDir, { recursive: true, force: true });
    if (prepared.tempDir && !opts.keep) rmSync(prepared.tempDir, { recursive: true, force: true });
    else if (target.kind === 'pglite')
      log(`PGlite data kept in ${target.dataDir} (--data-dir … --reuse to run again)`);
  }
}

async function runOne(
  s: Scenario,
  round: number,
  kopij: Child,
  ctx: ScenarioContext,
  database: string | undefined,
  ceilingDir: string | undefined,
): Promise<RunResult> {
  const run = (child: Child, db: string | undefined) =>
    measure(s.name, round, { url: child.url, pid: child.pid, database: db }, s.requests(ctx), opts, () =>
      child === kopij ? tidy(ctx, kopij.url) : Promise.resolve(),
    );
  if (s.server === 'kopij') return run(kopij, database);
  const port = await freePort();
  const source =
    s.server === 'static'
      ? []
      : ceilingDir
        ? ['--data-dir', ceilingDir]
        : ['--database-url', opts.databaseUrl];
  const child = await startNode({
    name: `ceiling ${s.server}`,
    script: CEILING_SCRIPT,
    args: ['--kind', s.server, '--port', String(port), ...source],
    env: baseEnv(),
    port,
    readyPath: '/ready',
  });
  children.add(child);
  try {
    return await run(child, ceilingDir ? undefined : database);
  } finally {
    await child.stop();
    children.delete(child);
  }
}

main().catch(async (err) => {
  log(err instanceof Error ? (err.stack ?? err.message) : String(err));
  await stopAll();
  process.exit(1);
});
