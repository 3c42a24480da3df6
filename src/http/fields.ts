import { z } from 'zod';

/**
 * What the database can store and give back byte for byte: PostgreSQL rejects NUL in text
 * (22021) and a lone surrogate cannot be encoded as UTF-8 (a driver silently stores U+FFFD),
 * so both are refused up front. For every string a client sends that is stored.
 */
export function storable<T extends z.ZodType<string>>(schema: T): T {
  return schema
    .refine((s) => !s.includes('\u0000'), { message: 'must not contain NUL characters' })
    .refine((s) => s.isWellFormed(), { message: 'must not contain unpaired UTF-16 surrogates' });
}

/** Free text of at most `max` characters, storable. */
export function text(max: number, min = 1) {
  return storable(z.string().min(min).max(max));
}

export const IdSchema = z.uuid().meta({ description: 'UUIDv7 assigned by the service.' });

export const SlugSchema = z
  .string()
  .min(1)
  .max(120)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be lowercase a-z, 0-9 and single hyphens')
  .meta({ example: 'antonio-guterres' });

export const RefParamsSchema = z.strictObject({
  ref: z
    .string()
    .min(1)
    .max(120)
    .regex(/^[A-Za-z0-9-]+$/, 'must be an id or a slug')
    .meta({ description: 'The id or the slug.', example: 'antonio-guterres' }),
});

/** A query filter naming a related resource by id or slug (`person=volodymyr-zelensky`). */
export const refFilter = (what: string, example: string) =>
  z
    .string()
    .max(120)
    .regex(/^[A-Za-z0-9-]+$/, 'must be an id or a slug')
    .optional()
    .meta({ description: what, example });

export const WikidataIdSchema = z
  .string()
  .regex(/^Q[1-9][0-9]{0,11}$/, 'must be a Wikidata item id like Q42')
  .meta({ example: 'Q3874799' });

export const LanguageSchema = z
  .string()
  .min(2)
  .max(35)
  .regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$/, 'must be a BCP 47 language tag such as nl or en-GB')
  .meta({ example: 'nl' });

export const TimestampSchema = z.iso.datetime({ offset: true }).meta({ example: '2026-11-24T10:00:00.000Z' });

/**
 * An instant a client gives Kopij to store: in the years 1000 to 9999 (UTC). JavaScript's Date
 * reads PostgreSQL's text of years 1 to 99 as 19xx or 20xx, and has no four-digit form past 9999,
 * so such an instant would not come back as it was sent.
 */
export const StoredTimestampSchema = TimestampSchema.refine(
  (s) => {
    const year = new Date(s).getUTCFullYear();
    return year >= 1000 && year <= 9999;
  },
  { message: 'must be in the years 1000 to 9999 (UTC)' },
).meta({ example: '2026-11-24T10:00:00.000Z' });

export const aliasList = z
  .array(text(200))
  .max(50)
  .meta({
    description: 'Other names, in any script, kept byte for byte.',
    example: ['Zelenskyy', 'Зеленський'],
  });

export const storedFields = {
  id: IdSchema,
  version: z.number().int().min(1).meta({ description: '1 on create, +1 on every change.', example: 1 }),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
};

/** Field names a client may never send: the service owns them. */
export const READ_ONLY_FIELDS = ['id', 'version', 'createdAt', 'updatedAt'] as const;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (s: string) => UUID_RE.test(s);

/** A path ref as a prepared lookup wants it: which column, and the value to compare. */
export const splitRef = (ref: string): { by: 'id' | 'slug'; value: string } =>
  isUuid(ref) ? { by: 'id', value: ref.toLowerCase() } : { by: 'slug', value: ref };

/** Lowercases and strips diacritics, for the app-maintained trigram search columns. */
export function fold(s: string): string {
  return s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}
