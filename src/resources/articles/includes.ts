import { getTableColumns, type SQL, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import { articlePeople, articlePlaces, articles, people, places, quotes } from '../../db/schema.js';
import { compositeEtag } from '../../http/etag.js';
import { component } from '../../http/registry.js';
import { toPerson } from '../people/repository.js';
import { PersonSchema } from '../people/schemas.js';
import { toPlace } from '../places/repository.js';
import { PlaceSchema } from '../places/schemas.js';
import { quoteColumns, toQuote } from '../quotes/repository.js';
import { QuoteSchema } from '../quotes/schemas.js';
import { type Article, ArticleSchema, INCLUDES, type Include } from './schemas.js';

export const ArticleWithIncludesSchema = ArticleSchema.extend({
  people: z.array(PersonSchema).optional().meta({ description: 'With include=people, in article order.' }),
  places: z.array(PlaceSchema).optional().meta({ description: 'With include=places, in article order.' }),
  quotes: z
    .array(QuoteSchema)
    .optional()
    .meta({ description: 'With include=quotes: quotes taken from the article, oldest first.' }),
}).meta({ description: 'An article, with the related resources asked for by `include`.' });
component(ArticleWithIncludesSchema, 'ArticleWithIncludes');
export type ArticleWithIncludes = z.infer<typeof ArticleWithIncludesSchema>;

type Embedded = Pick<ArticleWithIncludes, 'people' | 'places' | 'quotes'>;

/** The included relations as selected next to the article: a JSON array each, or null when not asked. */
export interface EmbeddedRow {
  people: unknown;
  places: unknown;
  quotes: unknown;
}

// Stored columns only: the search helpers are for indexes, never shown.
const { searchNames: _pn, ...personColumns } = getTableColumns(people);
const { searchNames: _ln, ...placeColumns } = getTableColumns(places);

/** json_build_object over columns, keyed by their TypeScript names (our own identifiers, never input). */
function jsonObject(columns: Record<string, PgColumn>): SQL {
  const pairs = Object.entries(columns).map(([key, column]) => sql`${sql.raw(`'${key}'`)}, ${column}`);
  return sql`json_build_object(${sql.join(pairs, sql`, `)})`;
}

/** A JSON row back into what drizzle's own select would have returned (dates, numbers). */
function fromJson<R>(columns: Record<string, PgColumn>, json: Record<string, unknown>): R {
  const row: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(columns)) {
    const value = json[key];
    row[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return row as R;
}

const jsonArray = (agg: SQL) => sql`coalesce((${agg}), '[]'::json)`;

/*
 * Each relation is a correlated subquery in the article's own statement: one round trip for an
 * article or a whole page, whatever is included. Quotes need no visibility condition of their
 * own: a quote is as visible as its article (quoteVisible), and these are quotes of an article
 * the same statement has just found visible, with the same now().
 */
const INCLUDE_SQL: Record<Include, SQL> = {
  people: jsonArray(
    sql`select json_agg(${jsonObject(personColumns)} order by ${articlePeople.position}) from ${articlePeople} join ${people} on ${people.id} = ${articlePeople.personId} where ${articlePeople.articleId} = ${articles.id}`,
  ),
  places: jsonArray(
    sql`select json_agg(${jsonObject(placeColumns)} order by ${articlePlaces.position}) from ${articlePlaces} join ${places} on ${places.id} = ${articlePlaces.placeId} where ${articlePlaces.articleId} = ${articles.id}`,
  ),
  quotes: jsonArray(
    sql`select json_agg(${jsonObject(quoteColumns)} order by ${quotes.createdAt}, ${quotes.id}) from ${quotes} where ${quotes.articleId} = ${articles.id}`,
  ),
};
const NOT_INCLUDED = sql`null`;

/**
 * Columns to select with `articles` for the relations asked for (always the same three names,
 * which are also their SQL names: rows read without drizzle's mapping find them there).
 */
export function includeColumns(include: readonly Include[] | undefined) {
  const column = (name: Include) => (include?.includes(name) ? INCLUDE_SQL[name] : NOT_INCLUDED).as(name);
  return { people: column('people'), places: column('places'), quotes: column('quotes') };
}

/** A short, stable key naming which relations are included (for prepared statement names). */
export const includeKey = (include: readonly Include[] | undefined) =>
  INCLUDES.filter((name) => include?.includes(name)).join('-') || 'none';

/**
 * The article with the relations asked for, in the order people, places, quotes. Its body
 * stays as given: blocks, or on a list page the stored text (page-json.ts).
 */
export function withIncludes<A extends Omit<Article, 'body'>>(
  article: A,
  row: EmbeddedRow,
  include: readonly Include[] | undefined,
): A & Embedded {
  if (!include?.length) return article;
  const embedded: Embedded = {};
  const rows = (v: unknown) => (v ?? []) as Record<string, unknown>[];
  if (include.includes('people'))
    embedded.people = rows(row.people).map((p) => toPerson(fromJson(personColumns, p)));
  if (include.includes('places'))
    embedded.places = rows(row.places).map((p) => toPlace(fromJson(placeColumns, p)));
  if (include.includes('quotes'))
    embedded.quotes = rows(row.quotes).map((q) => toQuote(fromJson(quoteColumns, q)));
  return { ...article, ...embedded };
}

/** The ETag of an article with its includes: it changes when any included resource does. */
export function includesEtag(a: ArticleWithIncludes): string {
  return compositeEtag(a.version, [...(a.people ?? []), ...(a.places ?? []), ...(a.quotes ?? [])]);
}
