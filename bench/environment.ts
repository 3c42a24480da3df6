import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { cpuCores } from './procstat.js';
import { ROOT } from './servers.js';

const require = createRequire(import.meta.url);

function packageVersion(name: string): string {
  try {
    const file = join(ROOT, 'node_modules', name, 'package.json');
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    try {
      return (require(`${name}/package.json`) as { version: string }).version;
    } catch {
      return 'unknown';
    }
  }
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: ROOT }).toString().trim();
  } catch {
    return 'unknown';
  }
}

export interface Environment {
  machine: { nproc: number; cpuModel: string; memoryGb: number; loadavgAtStart: number[]; kernel: string };
  versions: Record<string, string>;
  kopij: { commit: string; dirty: boolean };
}

/** What the numbers were measured on and with, recorded next to them. */
export function describeEnvironment(postgresVersion: string | undefined): Environment {
  const model =
    /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model;
  return {
    machine: {
      nproc: cpuCores(),
      cpuModel: model ?? 'unknown',
      memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
      loadavgAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
      kernel: readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim(),
    },
    versions: {
      node: process.version,
      fastify: packageVersion('fastify'),
      'fastify-type-provider-zod': packageVersion('fastify-type-provider-zod'),
      zod: packageVersion('zod'),
      'drizzle-orm': packageVersion('drizzle-orm'),
      pg: packageVersion('pg'),
      postgresql: postgresVersion ?? 'n/a (PGlite)',
      pglite: packageVersion('@electric-sql/pglite'),
      autocannon: packageVersion('autocannon'),
    },
    kopij: {
      commit: git(['rev-parse', '--short', 'HEAD']),
      // Uncommitted changes under src/ mean the numbers are for a tree no commit names.
      dirty: git(['status', '--porcelain', '--', 'src', 'migrations']) !== '',
    },
  };
}
