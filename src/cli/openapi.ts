import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.js';
import { loadConfig } from '../config.js';

export const OPENAPI_FILE = fileURLToPath(new URL('../../openapi/openapi.json', import.meta.url));

/** The document exactly as committed: stable key order, two-space indent, final newline. */
export function renderOpenapi(app: FastifyInstance): string {
  return `${JSON.stringify(app.swagger(), null, 2)}\n`;
}

export async function validateOpenapi(text: string): Promise<string[]> {
  const validator = new Validator();
  const result = await validator.validate(JSON.parse(text));
  return result.valid
    ? []
    : (result.errors as unknown as { instancePath?: string; message?: string }[]).map(
        (e) => `${e.instancePath ?? ''} ${e.message ?? JSON.stringify(e)}`,
      );
}

// `npm run openapi` writes the file; `npm run openapi:check` fails when it drifted or is invalid.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  const app = await buildApp(loadConfig({ DATABASE_URL: 'memory://', LOG_LEVEL: 'silent' }), {
    logger: false,
  });
  await app.ready();
  const text = renderOpenapi(app);
  await app.close();
  const errors = await validateOpenapi(text);
  if (errors.length) {
    process.stderr.write(`openapi document is invalid:\n${errors.join('\n')}\n`);
    process.exit(1);
  }
  if (check) {
    const committed = readFileSync(OPENAPI_FILE, 'utf8');
    if (committed !== text) {
      process.stderr.write(
        'openapi/openapi.json differs from the code: run `npm run openapi` and commit it.\n',
      );
      process.exit(1);
    }
    process.stdout.write('openapi/openapi.json matches the code and is a valid OpenAPI 3.1 document\n');
  } else {
    writeFileSync(OPENAPI_FILE, text);
    process.stdout.write(`wrote ${OPENAPI_FILE}\n`);
  }
}
