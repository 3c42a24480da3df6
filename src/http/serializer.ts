import fastJson from 'fast-json-stringify';
import type { FastifyBaseLogger } from 'fastify';
import type { FastifySerializerCompiler } from 'fastify/types/schema.js';
import { ResponseSerializationError } from 'fastify-type-provider-zod';
import { z } from 'zod';

export type Serialize = (data: unknown) => string;

/**
 * Keywords that only validate. fast-json-stringify never checks them while writing, except to
 * pick a branch of an anyOf/oneOf (body blocks), where a per-value regex or length count is
 * pure cost: the branches differ by their `type` constant and properties.
 */
const VALIDATION_ONLY = [
  'format',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'minItems',
  'maxItems',
] as const;

/** A JSON Schema fast-json-stringify writes exactly as JSON.stringify writes valid data. */
function toJsonSchema(schema: z.core.$ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, {
    io: 'output',
    // fast-json-stringify speaks draft 7: tuples as `items: [...]`, refs under `definitions`.
    target: 'draft-07',
    // An empty registry: `.meta()` descriptions and examples are documentation, not shape.
    metadata: z.registry(),
    unrepresentable: 'throw',
    cycles: 'ref',
    reused: 'inline',
    // Stripped, `X.nullable()` becomes `type: [X, 'null']` rather than an anyOf that
    // fast-json-stringify could only resolve by validating each value.
    override: ({ jsonSchema }) => {
      for (const k of VALIDATION_ONLY) delete jsonSchema[k];
      keepPropertyOrder(jsonSchema);
    },
  }) as Record<string, unknown>;
}

/**
 * fast-json-stringify writes required properties before optional ones; zod (and so the
 * contract's examples and every client's fixtures) in declaration order. Where the two differ
 * (ninjs, JSON Feed, JSON-LD put optional fields early), `required` goes: fast-json-stringify
 * then keeps the declared order, and the zod check in the tests still refuses a missing field.
 */
function keepPropertyOrder(json: z.core.JSONSchema.BaseSchema): void {
  const required = json.required;
  if (!json.properties || !required) return;
  const keys = Object.keys(json.properties);
  const firstOptional = keys.findIndex((k) => !required.includes(k));
  if (firstOptional >= 0 && keys.slice(firstOptional).some((k) => required.includes(k))) delete json.required;
}

/** A writer for one schema, as the response serializer compiles it (fast-json-stringify). */
export function compileFast(schema: z.core.$ZodType): Serialize {
  return fastJson(toJsonSchema(schema)) as Serialize;
}

/**
 * Response serialisation: each route's zod response schema is compiled once to JSON Schema and
 * written by fast-json-stringify, which (like zod's parse) leaves out undeclared properties.
 * With `validate`, every response is also parsed by zod first (drift answers 500) and the bytes
 * must equal JSON.stringify of zod's output: the test suite runs this way, so a schema that
 * fast-json-stringify would write differently from zod fails there, not in production.
 * A schema it cannot compile is served by zod and JSON.stringify instead, logged once.
 */
export function responseSerializerCompiler(opts: {
  validate: boolean;
  log: FastifyBaseLogger;
}): FastifySerializerCompiler<z.core.$ZodType> {
  const compiled = new WeakMap<z.core.$ZodType, Serialize | null>();

  const compile = (schema: z.core.$ZodType): Serialize | null => {
    if (compiled.has(schema)) return compiled.get(schema) ?? null;
    let fast: Serialize | null = null;
    // 204 and 304 declare z.undefined(): there is never a body to write.
    if (schema._zod.def.type !== 'undefined') {
      try {
        fast = compileFast(schema);
      } catch (err) {
        opts.log.warn({ err }, 'response schema served through zod: fast-json-stringify cannot compile it');
      }
    }
    compiled.set(schema, fast);
    return fast;
  };

  return ({ schema, method, url }) => {
    // A plugin's plain JSON Schema response, as Fastify's own compiler would take it.
    if (!(schema instanceof z.core.$ZodType)) return fastJson(schema as object) as Serialize;
    const fast = compile(schema);
    if (!fast) return zodWriter(schema, method, url);
    return opts.validate ? checkedWriter(schema, method, url, fast) : fast;
  };
}

/** zod's encoding of a response, written by JSON.stringify; a response that fails it is a 500. */
function zodWriter(schema: z.core.$ZodType, method: string, url: string): Serialize {
  return (data) => {
    const result = z.safeEncode(schema, data);
    if (!result.success) throw new ResponseSerializationError(method, url, { cause: result.error });
    return JSON.stringify(result.data);
  };
}

/**
 * `write`, checked (the test suite runs so): its bytes must equal zod + JSON.stringify of
 * `asZodSees(data)`, else the response is a 500 naming both. `asZodSees` turns what `write`
 * takes into what the schema describes (a list page's stored bodies, parsed).
 */
export function checkedWriter(
  schema: z.core.$ZodType,
  method: string,
  url: string,
  write: Serialize,
  asZodSees: (data: unknown) => unknown = (data) => data,
): Serialize {
  const slow = zodWriter(schema, method, url);
  return (data) => {
    const expected = slow(asZodSees(data));
    const written = write(data);
    if (written !== expected) {
      throw new ResponseSerializationError(method, url, {
        cause: new z.ZodError([
          { code: 'custom', path: [], input: data, message: `written as ${written}, zod gives ${expected}` },
        ]),
      });
    }
    return written;
  };
}
