import fc from 'fast-check';

/**
 * fast-check arbitraries from the OpenAPI document's JSON Schemas: values that satisfy a
 * schema (so requests get past validation and reach the database), and hostile values
 * (wrong types, boundary lengths, NUL, lone surrogates, huge numbers, prototype keys).
 */
export type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  prefixItems?: JsonSchema[];
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  default?: unknown;
  example?: unknown;
  examples?: unknown[];
};

export interface GenContext {
  /** The document, for `#/…` references. */
  doc: unknown;
  /** Ids that exist, so references sometimes resolve (uuid-formatted fields draw from them). */
  knownIds: () => string[];
}

export function resolveRef(doc: unknown, ref: string): JsonSchema {
  if (!ref.startsWith('#/')) throw new Error(`unsupported $ref ${ref}`);
  let node = doc as Record<string, unknown>;
  for (const part of ref.slice(2).split('/')) {
    node = node[part.replace(/~1/g, '/').replace(/~0/g, '~')] as Record<string, unknown>;
    if (node === undefined) throw new Error(`dangling $ref ${ref}`);
  }
  return node as JsonSchema;
}

export function deref(ctx: GenContext, s: JsonSchema): JsonSchema {
  let out = s;
  for (let i = 0; out.$ref && i < 10; i++) out = resolveRef(ctx.doc, out.$ref);
  return out;
}

const LONE_SURROGATES = ['\ud800', '\udfff', 'a\ud83dz', '\udc00\ud800'];
const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  ...LONE_SURROGATES,
  "1' OR '1'='1",
  '%_%_%',
  '.*',
  '\\',
  '$1',
  '--',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  '\u202e\u0301\ufeff',
  '𝕂𝕠𝕡𝕚𝕛 👩🏽‍💻',
  'ﬁ',
  'null',
  'true',
  '1e309',
  '-0',
  '0x10',
  '__proto__',
  'constructor',
];

const HUGE_NUMBERS = [
  -1,
  0,
  -0,
  1.5,
  2 ** 31,
  2 ** 53 + 1,
  -(2 ** 63),
  1e21,
  1e308,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
];

/** Any string at all, weighted towards what breaks parsers and databases. */
export const nastyString = (): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom('a', 'é', '\u0000', '\ud800', 'x'),
          fc.constantFrom(199, 200, 201, 2000, 2001, 10_001),
        )
        .map(([c, n]) => c.repeat(n)),
    },
  );

export const hugeNumber = (): fc.Arbitrary<number> =>
  fc.oneof(fc.constantFrom(...HUGE_NUMBERS), fc.double({ noNaN: true, noDefaultInfinity: true }));

/** A JSON value of any type: the "wrong type" for most fields. */
export const anyJson = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 2, arbitrary: nastyString() },
    { weight: 2, arbitrary: hugeNumber() },
    { weight: 1, arbitrary: fc.boolean() },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.constant([]) },
    { weight: 1, arbitrary: fc.constant({}) },
    { weight: 1, arbitrary: fc.array(fc.integer(), { maxLength: 3 }) },
    { weight: 1, arbitrary: protoObject() },
  );

/** An object whose own keys include `__proto__` / `constructor` (as JSON.parse would make it). */
export const protoObject = (): fc.Arbitrary<Record<string, unknown>> =>
  fc
    .constantFrom(
      '{"__proto__":{"polluted":true}}',
      '{"constructor":{"prototype":{"polluted":true}}}',
      '{"__proto__":null}',
      '{"prototype":{"polluted":true}}',
    )
    .map((s) => JSON.parse(s));

function typesOf(s: JsonSchema): string[] {
  if (Array.isArray(s.type)) return s.type;
  if (s.type) return [s.type];
  if (s.properties) return ['object'];
  if (s.items || s.prefixItems) return ['array'];
  return [];
}

function stringFor(ctx: GenContext, s: JsonSchema): fc.Arbitrary<string> {
  const min = s.minLength ?? 0;
  const max = s.maxLength ?? Math.max(min, 30);
  const clip = (a: fc.Arbitrary<string>) => a.filter((v) => [...v].length >= min && [...v].length <= max);
  if (s.format === 'uuid') {
    const random = fc.uuid({ version: 7 });
    return fc.oneof(
      { weight: 3, arbitrary: fc.constant(null).chain(() => pick(ctx.knownIds()) ?? random) },
      { weight: 1, arbitrary: random },
    );
  }
  if (s.format === 'date-time') {
    return fc
      .date({
        min: new Date('1990-01-01T00:00:00Z'),
        max: new Date('2040-01-01T00:00:00Z'),
        noInvalidDate: true,
      })
      .map((d) => d.toISOString());
  }
  if (s.format === 'uri' || s.format === 'url') {
    return clip(fc.webUrl({ withQueryParameters: true }));
  }
  if (s.format === 'email') return clip(fc.emailAddress());
  if (s.pattern) {
    return clip(fc.stringMatching(new RegExp(s.pattern)).map((v) => v.slice(0, max)));
  }
  return fc
    .oneof(
      { weight: 4, arbitrary: fc.string({ minLength: Math.max(min, 1), maxLength: Math.min(max, 40) }) },
      {
        weight: 1,
        arbitrary: fc.string({ unit: 'grapheme', minLength: Math.max(min, 1), maxLength: Math.min(max, 20) }),
      },
      // The boundary itself: exactly max characters.
      { weight: 1, arbitrary: fc.constantFrom('a', 'ë', 'Я').map((c) => c.repeat(Math.max(max, min, 1))) },
    )
    .filter((v) => v.length >= min && v.length <= max);
}

function pick(list: string[]): fc.Arbitrary<string> | undefined {
  return list.length ? fc.constantFrom(...list) : undefined;
}

/** Values that satisfy the schema (as far as this generator understands it). */
export function validValue(ctx: GenContext, schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  const s = deref(ctx, schema);
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  if (s.anyOf || s.oneOf) {
    const options = (s.anyOf ?? s.oneOf)!.filter((o) => depth < 4 || typesOf(deref(ctx, o))[0] === 'null');
    return fc.oneof(
      ...(options.length ? options : (s.anyOf ?? s.oneOf)!).map((o) => validValue(ctx, o, depth + 1)),
    );
  }
  if (s.allOf) return validValue(ctx, Object.assign({}, ...s.allOf.map((o) => deref(ctx, o))), depth);
  const [type] = typesOf(s);
  switch (type) {
    case 'string':
      return stringFor(ctx, s);
    case 'integer': {
      const min = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : -1000);
      const max = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : 1000);
      return fc.oneof(fc.integer({ min, max }), fc.constantFrom(min, max));
    }
    case 'number': {
      const min = s.minimum ?? -1e6;
      const max = s.maximum ?? 1e6;
      return fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
    }
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      if (s.prefixItems) return fc.tuple(...s.prefixItems.map((p) => validValue(ctx, p, depth + 1)));
      const maxItems = Math.min(s.maxItems ?? 4, depth > 2 ? 1 : 4);
      const minItems = Math.min(s.minItems ?? 0, maxItems);
      return fc.array(s.items ? validValue(ctx, s.items, depth + 1) : anyJson(), {
        minLength: minItems,
        maxLength: maxItems,
      });
    }
    case 'object': {
      const props = s.properties ?? {};
      const required = new Set(s.required ?? []);
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, v] of Object.entries(props)) record[k] = validValue(ctx, v, depth + 1);
      return fc.record(record, { requiredKeys: [...required].filter((k) => k in props) });
    }
    default:
      return anyJson();
  }
}

/** A value that breaks the schema somewhere (or, at the edges, barely satisfies it). */
export function invalidValue(ctx: GenContext, schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  const s = deref(ctx, schema);
  const [type] = typesOf(s);
  const generic = anyJson();
  if (type === 'object' && s.properties && depth < 3) {
    const props = Object.keys(s.properties);
    const valid = validValue(ctx, s, depth) as fc.Arbitrary<Record<string, unknown>>;
    return fc.oneof(
      // One field replaced by a hostile value (or a hostile value one level down).
      fc
        .tuple(valid, fc.constantFrom(...props))
        .chain(([v, k]) =>
          fc
            .oneof(anyJson(), invalidValue(ctx, s.properties![k]!, depth + 1))
            .map((bad) => ({ ...v, [k]: bad })),
        ),
      // A required field missing.
      fc.tuple(valid, fc.constantFrom(...(s.required?.length ? s.required : props))).map(([v, k]) => {
        const copy = { ...v };
        delete copy[k];
        return copy;
      }),
      // Unknown, read-only or prototype keys alongside valid ones.
      fc
        .tuple(
          valid,
          fc.constantFrom('evil', 'id', 'version', 'createdAt', 'status', 'publishedAt', 'authorId', 'role'),
          anyJson(),
        )
        .map(([v, k, x]) => ({ ...v, [k]: x })),
      fc.tuple(valid, protoObject()).map(([v, p]) => Object.assign(JSON.parse(JSON.stringify(v)), p)),
      generic,
    );
  }
  if (type === 'array') {
    return fc.oneof(
      fc.array(s.items ? invalidValue(ctx, s.items, depth + 1) : anyJson(), { minLength: 1, maxLength: 3 }),
      fc.constant(Array.from({ length: (s.maxItems ?? 100) + 1 }, () => 'x')),
      generic,
    );
  }
  if (type === 'string') {
    return fc.oneof(
      nastyString(),
      fc.constant('x'.repeat((s.maxLength ?? 1000) + 1)),
      fc.constant('x'.repeat(s.maxLength ?? 1)),
      generic,
    );
  }
  if (type === 'integer' || type === 'number') {
    return fc.oneof(
      hugeNumber(),
      fc.constantFrom((s.minimum ?? 0) - 1, (s.maximum ?? 0) + 1, 1.5),
      fc.constantFrom('1', '1e3', 'abc'),
      generic,
    );
  }
  return generic;
}
