import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigint,
  customType,
  doublePrecision,
  index,
  integer,
  json,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
};

/**
 * kopij_ts_config(language) is defined in the first (custom) migration: it maps a BCP 47
 * tag to an unaccenting text search configuration. Declared IMMUTABLE so it can feed a
 * stored generated column.
 */
const articleSearch = sql`
  setweight(to_tsvector(kopij_ts_config(language), headline), 'A') ||
  setweight(to_tsvector(kopij_ts_config(language), coalesce(standfirst, '')), 'B') ||
  setweight(jsonb_to_tsvector(kopij_ts_config(language), jsonb_path_query_array(body::jsonb, '$[*].text'), '["string"]'), 'C') ||
  setweight(jsonb_to_tsvector(kopij_ts_config(language), tags, '["string"]'), 'B')`;

/**
 * An article's tags if it is published, else null: the expression public tag filters compare
 * (list.ts) and the index articles_published_tags holds. Both must render the same expression.
 */
export const publishedTags = (t: { status: AnyPgColumn; tags: AnyPgColumn }) =>
  sql`(case when ${t.status} = 'published' then ${t.tags} end)`;

/**
 * The date editors' lists sort by: published_at, and for a draft (never published, no date)
 * infinity, so that drafts come first, newest first, and a cursor is never null. The
 * expression of the index articles_editor_order; list.ts must render the same.
 */
export const editorDate = (t: { publishedAt: AnyPgColumn }) =>
  sql`(coalesce(${t.publishedAt}, 'infinity'::timestamptz))`;

export const people = pgTable(
  'people',
  {
    id: uuid('id').primaryKey(),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    aliases: jsonb('aliases').$type<string[]>().notNull(),
    description: text('description'),
    wikidataId: text('wikidata_id'),
    /** Accent-folded, lower-cased name and aliases, kept by the app for trigram search. */
    searchNames: text('search_names').notNull(),
    version: integer('version').notNull(),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('people_slug_key').on(t.slug.op('text_pattern_ops')),
    index('people_search_names_trgm').using('gin', sql`${t.searchNames} gin_trgm_ops`),
    index('people_name_id').on(t.name, t.id),
    index('people_updated_id').on(t.updatedAt, t.id),
  ],
);

export const places = pgTable(
  'places',
  {
    id: uuid('id').primaryKey(),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    aliases: jsonb('aliases').$type<string[]>().notNull(),
    kind: text('kind').notNull(),
    countryCode: text('country_code'),
    lat: doublePrecision('lat'),
    lon: doublePrecision('lon'),
    parentId: uuid('parent_id').references((): AnyPgColumn => places.id, { onDelete: 'restrict' }),
    geonamesId: text('geonames_id'),
    wikidataId: text('wikidata_id'),
    searchNames: text('search_names').notNull(),
    version: integer('version').notNull(),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('places_slug_key').on(t.slug.op('text_pattern_ops')),
    index('places_parent_id').on(t.parentId),
    index('places_search_names_trgm').using('gin', sql`${t.searchNames} gin_trgm_ops`),
    index('places_name_id').on(t.name, t.id),
    index('places_updated_id').on(t.updatedAt, t.id),
  ],
);

export const articles = pgTable(
  'articles',
  {
    id: uuid('id').primaryKey(),
    slug: text('slug').notNull(),
    language: text('language').notNull(),
    headline: text('headline').notNull(),
    standfirst: text('standfirst'),
    // json, not jsonb: PostgreSQL keeps the text Kopij wrote (the API's own bytes, keys in the
    // schema's order), so a list page sends it on as it is, neither re-parsed nor re-written
    // (migration 0014). jsonb would hand back its own text: keys re-ordered, spaces added.
    body: json('body').$type<unknown[]>().notNull(),
    byline: text('byline'),
    credit: text('credit'),
    tags: jsonb('tags').$type<string[]>().notNull(),
    // The ids of article_people and article_places in their order, kept with the row so that
    // reading an article needs no lookups. Writes set them; triggers (migration 0009) keep
    // them equal to the link tables whoever writes those.
    personIds: jsonb('person_ids').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    placeIds: jsonb('place_ids').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    canonicalUrl: text('canonical_url'),
    status: text('status').notNull(),
    publishedAt: timestamp('published_at', { withTimezone: true, mode: 'date' }),
    firstPublishedAt: timestamp('first_published_at', { withTimezone: true, mode: 'date' }),
    embargoedUntil: timestamp('embargoed_until', { withTimezone: true, mode: 'date' }),
    search: tsvector('search').generatedAlwaysAs(articleSearch),
    version: integer('version').notNull(),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('articles_slug_key').on(t.slug.op('text_pattern_ops')),
    index('articles_search').using('gin', t.search),
    index('articles_tags').using('gin', t.tags),
    // Public tag lists look the tag up here, not in articles_tags: ANALYZE keeps statistics of
    // this expression over published articles only, so a tag that only drafts carry (an
    // editor's working tag) is known to match nothing public, and the planner asks this index
    // (no rows) instead of walking every published article in date order looking for one.
    index('articles_published_tags').using('gin', publishedTags(t)),
    index('articles_status_published_id').on(t.status, t.publishedAt, t.id),
    // Editors' lists (every status; drafts, undated, first) in their own order (editorDate):
    // without it, a sort of the whole table. An expression, so that public lists, which
    // order by published_at itself, cannot take it and walk every draft before the first
    // published article.
    index('articles_editor_order').on(editorDate(t), t.id),
    index('articles_updated_id').on(t.updatedAt, t.id),
    index('articles_language_published_id').on(t.language, t.publishedAt, t.id),
  ],
);

export const articlePeople = pgTable(
  'article_people',
  {
    articleId: uuid('article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    personId: uuid('person_id')
      .notNull()
      .references(() => people.id, { onDelete: 'restrict' }),
    position: integer('position').notNull(),
  },
  (t) => [primaryKey({ columns: [t.articleId, t.personId] }), index('article_people_person').on(t.personId)],
);

export const articlePlaces = pgTable(
  'article_places',
  {
    articleId: uuid('article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    placeId: uuid('place_id')
      .notNull()
      .references(() => places.id, { onDelete: 'restrict' }),
    position: integer('position').notNull(),
  },
  (t) => [primaryKey({ columns: [t.articleId, t.placeId] }), index('article_places_place').on(t.placeId)],
);

export const quotes = pgTable(
  'quotes',
  {
    id: uuid('id').primaryKey(),
    text: text('text').notNull(),
    language: text('language').notNull(),
    personId: uuid('person_id')
      .notNull()
      .references(() => people.id, { onDelete: 'restrict' }),
    articleId: uuid('article_id').references(() => articles.id, { onDelete: 'restrict' }),
    placeId: uuid('place_id').references(() => places.id, { onDelete: 'restrict' }),
    saidAt: text('said_at'),
    context: text('context'),
    search: tsvector('search').generatedAlwaysAs(
      sql`to_tsvector(kopij_ts_config(language), text) || to_tsvector(kopij_ts_config(language), coalesce(context, ''))`,
    ),
    version: integer('version').notNull(),
    ...timestamps,
  },
  (t) => [
    index('quotes_person_created_id').on(t.personId, t.createdAt, t.id),
    index('quotes_article_id').on(t.articleId),
    index('quotes_place_id').on(t.placeId),
    index('quotes_created_id').on(t.createdAt, t.id),
    index('quotes_updated_id').on(t.updatedAt, t.id),
    index('quotes_search').using('gin', t.search),
  ],
);

export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey(),
    name: text('name').notNull(),
    /** The first characters of the secret, so an admin can tell keys apart. */
    prefix: text('prefix').notNull(),
    /** SHA-256 of the secret: keys are long random strings, so a fast hash suffices. */
    hash: text('hash').notNull(),
    scopes: jsonb('scopes').$type<string[]>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [uniqueIndex('api_keys_hash_key').on(t.hash)],
);

/** Every version of every resource, written by the shared write path. */
export const revisions = pgTable(
  'revisions',
  {
    resourceType: text('resource_type').notNull(),
    resourceId: uuid('resource_id').notNull(),
    version: integer('version').notNull(),
    action: text('action').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    changedBy: text('changed_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.resourceType, t.resourceId, t.version] })],
);

/** The ordered change log that partners mirror (and that invalidates caches). */
export const changes = pgTable(
  'changes',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    resourceType: text('resource_type').notNull(),
    resourceId: uuid('resource_id').notNull(),
    action: text('action').notNull(),
    version: integer('version').notNull(),
    /** 'public' (anyone), 'embargo' (partners with the embargo scope) or 'private' (editors). */
    audience: text('audience').notNull(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    // Partners and anonymous readers page through what is not private, in log order: in a
    // newsroom most entries are drafts' (private), which this index leaves out rather than
    // having every page skip them.
    index('changes_visible_seq').on(t.seq).where(sql`${t.audience} <> 'private'`),
    index('changes_resource').on(t.resourceId),
  ],
);

/** Server-wide settings created on first start (the cursor signing secret). */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

/**
 * Idempotency-Key records, per caller. A record becomes 'done' inside the transaction of
 * the write it guards (see content/write.ts), so a replay can never repeat a committed write.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    principal: text('principal').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    state: text('state').notNull(),
    status: integer('status'),
    body: jsonb('body'),
    headers: jsonb('headers').$type<Record<string, string>>(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.principal, t.key] }), index('idempotency_keys_created').on(t.createdAt)],
);

export const webhooks = pgTable('webhooks', {
  id: uuid('id').primaryKey(),
  url: text('url').notNull(),
  events: jsonb('events').$type<string[]>().notNull(),
  /** `whsec_…`: kept as is because signing needs it; shown to the admin once. */
  secret: text('secret').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  disabledAt: timestamp('disabled_at', { withTimezone: true, mode: 'date' }),
  disabledReason: text('disabled_reason'),
});

/**
 * The outbox: one row per (webhook, change), written in the transaction of the change.
 * Its id is the Standard Webhooks message id, the same on every retry.
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: uuid('id').primaryKey(),
    webhookId: uuid('webhook_id')
      .notNull()
      .references(() => webhooks.id, { onDelete: 'cascade' }),
    event: text('event').notNull(),
    changeSeq: bigint('change_seq', { mode: 'number' }).notNull(),
    payload: jsonb('payload').notNull(),
    /** pending | delivered | failed (gave up or the webhook was disabled) */
    status: text('status').notNull(),
    attempts: integer('attempts').notNull(),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date' }).notNull(),
    /** A worker's claim: others skip the row until then (a crashed worker's claim expires). */
    lockedUntil: timestamp('locked_until', { withTimezone: true, mode: 'date' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    index('webhook_deliveries_due').on(t.status, t.nextAttemptAt),
    index('webhook_deliveries_webhook').on(t.webhookId, t.createdAt),
  ],
);

export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    deliveryId: uuid('delivery_id')
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: 'cascade' }),
    attempt: integer('attempt').notNull(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull(),
    statusCode: integer('status_code'),
    error: text('error'),
    durationMs: integer('duration_ms').notNull(),
  },
  (t) => [index('webhook_attempts_delivery').on(t.deliveryId, t.attempt)],
);

/**
 * Embargoed articles waiting for their embargo to lift: the embargo worker turns each into
 * a public 'published' change (feeds, changes, webhooks) once release_at has passed.
 */
export const pendingReleases = pgTable(
  'pending_releases',
  {
    articleId: uuid('article_id')
      .primaryKey()
      .references(() => articles.id, { onDelete: 'cascade' }),
    releaseAt: timestamp('release_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [index('pending_releases_due').on(t.releaseAt)],
);
