import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLE_FILE } from '../src/cli/bundle.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The V8 flags `npm start` and the Dockerfile run the server with (package.json "start"). */
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=4', '--max-old-space-size=512', '--no-sparkplug'];

/**
 * The environment the Docker image runs the server with (`ENV` in its final stage), and so the
 * bench. Not in `npm start`, which must work in any shell npm uses (cmd.exe has no `VAR=x cmd`).
 * MALLOC_ARENA_MAX=2: glibc gives each thread that allocates (libuv's pool, V8's GC helpers)
 * an arena of its own, up to 8 per core, and memory freed in one is not reused by another:
 * 7-10 MB less RSS under the bench's load with two (BENCHMARKS.md, sixteenth session).
 */
export const SERVER_ENV = { MALLOC_ARENA_MAX: '2' } as const;

/** A server under test, in its own process: its pid is what /proc is read for. */
export interface Child {
  name: string;
  pid: number;
  url: string;
  /** The last lines it wrote, for the error message when it dies. */
  output(): string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Only what a server needs from the parent's environment: no stray DATABASE_URL or DATA_DIR. */
export function baseEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ']) if (process.env[k]) out[k] = process.env[k]!;
  return out;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/**
 * Starts `node [nodeArgs] <script> [args]` (compiled JavaScript, as deployed: see
 * buildServers) and waits until `readyPath` answers 200. Stopping sends SIGTERM (servers close gracefully, so a CPU profile gets written)
 * and SIGKILL if that takes longer than 30 s.
 */
export async function startNode(opts: {
  name: string;
  script: string;
  args?: string[];
  nodeArgs?: string[];
  env: Record<string, string>;
  port: number;
  readyPath: string;
  timeoutMs?: number;
}): Promise<Child> {
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), opts.script, ...(opts.args ?? [])], {
    cwd: ROOT,
    env: opts.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-8000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const url = `http://127.0.0.1:${opts.port}`;
  const handle: Child = {
    name: opts.name,
    pid: child.pid!,
    url,
    output: () => log,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited(child);
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 180_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${opts.name} exited with ${child.exitCode}:\n${log}`);
    try {
      const res = await fetch(`${url}${opts.readyPath}`);
      if (res.status === 200) return handle;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await handle.stop();
  throw new Error(`${opts.name} did not become ready in time:\n${log}`);
}

/** Where Kopij's webhook worker delivers during the write scenarios: answers 204 at once. */
export async function startWebhookSink(): Promise<{
  url: string;
  received: () => number;
  close(): Promise<void>;
}> {
  let count = 0;
  const server: Server = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => {
      count++;
      res.writeHead(204).end();
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}/hooks/kopij`,
    received: () => count,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * Compiles the servers the bench starts: Kopij as `npm start` runs it (`npm run build`: src ->
 * dist, then dist/bundle/server.js) and the bare ceilings the same way (bench/.build), so
 * neither carries a TypeScript loader (~20-30 MB of RSS and a slower start) that the other does
 * not.
 */
export function buildServers(): void {
  for (const project of ['tsconfig.build.json', 'tsconfig.bench.json'])
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', project], {
      cwd: ROOT,
      stdio: 'inherit',
    });
  execFileSync(process.execPath, [join(ROOT, 'dist/cli/bundle.js')], { cwd: ROOT, stdio: 'inherit' });
}

/** The server as `npm start` and the Docker image run it: one bundled file (src/cli/bundle.ts). */
export const KOPIJ_SCRIPT = BUNDLE_FILE;
/**
 * The same compiled server, one file per module: for CPU profiles, which attribute time to
 * packages and to Kopij's own modules by file.
 */
export const KOPIJ_MODULES_SCRIPT = 'dist/server.js';
export const CEILING_SCRIPT = 'bench/.build/bench/ceiling.js';
