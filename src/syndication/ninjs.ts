import { and, eq, isNotNull } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../db/client.js';
import { articles } from '../db/schema.js';
import { fold } from '../http/fields.js';
import { component } from '../http/registry.js';
import type { ArticleWithIncludes } from '../resources/articles/includes.js';
import { articleRef } from '../resources/articles/repository.js';
import { bodyHtml, bodyText } from './html.js';

/** The article's identity across all its versions: never the slug, which editors may change. */
export const articleUri = (id: string) => `urn:kopij:article:${id}`;
export const wikidataEntity = (q: string) => `http://www.wikidata.org/entity/${q}`;
export const geonamesUri = (id: string) => `https://sws.geonames.org/${id}/`;

export type Relation = 'about' | 'mentions';

/** A letter or digit ends `before` / starts `after` (one code point, astral ones included). */
const WORD_END = /[\p{L}\p{N}]$/u;
const WORD_START = /^[\p{L}\p{N}]/u;

/** `word` occurs in `text` with no letter or digit right before or after it. */
export function containsWord(text: string, word: string): boolean {
  if (word === '') return false;
  for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + 1)) {
    const end = at + word.length;
    // Two code units: a whole code point even when it is a surrogate pair.
    if (!WORD_END.test(text.slice(Math.max(0, at - 2), at)) && !WORD_START.test(text.slice(end, end + 2)))
      return true;
  }
  return false;
}

/**
 * Kopij stores whom and what an article names, not how prominently. Wire practice is that an
 * item is *about* what its headline or standfirst names and merely *mentions* the rest, so
 * that is the rule: a whole-word, accent-folded match of the name, an alias or (for people)
 * the surname alone, since headlines say "Zelensky", not "Volodymyr Zelensky".
 * `relationIn` takes the lead folded once for all of an article's people and places: a
 * RegExp built per name was 41% of the CPU of a ninjs document built afresh.
 */
export function relationIn(foldedLead: string, names: readonly string[]): Relation {
  const hit = names.some((n) => {
    const word = fold(n).trim();
    return word.length >= 3 && containsWord(foldedLead, word);
  });
  return hit ? 'about' : 'mentions';
}

export const leadOf = (a: Pick<ArticleWithIncludes, 'headline' | 'standfirst'>) =>
  `${a.headline}\n${a.standfirst ?? ''}`;
export const surnameOf = (name: string) => name.trim().split(/\s+/).at(-1) ?? name;

const ref = {
  name: z.string(),
  rel: z.enum(['about', 'mentions']),
  uri: z.string().optional().meta({ description: 'Wikidata (or for places GeoNames) URI, when known.' }),
};
const text = z.object({ role: z.string(), contentType: z.string(), value: z.string() });

export const NinjsSchema = z
  .object({
    uri: z.string().meta({ description: 'Stable across versions.', example: articleUri('0190…') }),
    standard: z.object({ name: z.string(), version: z.string(), schema: z.string() }).optional(),
    type: z.literal('text').optional(),
    representationType: z.literal('full').optional(),
    version: z.string().meta({ description: "The article's version, as a string.", example: '3' }),
    firstCreated: z.string().optional(),
    versionCreated: z.string(),
    embargoedUntil: z.string().optional(),
    pubStatus: z.enum(['usable', 'withheld', 'canceled']).meta({
      description: 'usable: published; canceled: withdrawn (a kill); withheld: a draft (preview only).',
    }),
    edNote: z.string().optional(),
    language: z.string().optional(),
    headlines: z.array(text).optional(),
    descriptions: z.array(text).optional(),
    bodies: z.array(text.extend({ charCount: z.number().int(), wordCount: z.number().int() })).optional(),
    subjects: z.array(z.object({ name: z.string(), rel: z.literal('about') })).optional(),
    people: z.array(z.object(ref)).optional(),
    places: z
      .array(
        z.object({
          ...ref,
          geoJSON: z
            .object({ type: z.literal('Point'), coordinates: z.tuple([z.number(), z.number()]) })
            .optional()
            .meta({ description: 'GeoJSON Point, coordinates [lon, lat].' }),
        }),
      )
      .optional(),
    infoSources: z.array(z.object({ name: z.string(), role: z.string() })).optional(),
    by: z.string().optional(),
    altIds: z.array(z.object({ role: z.string(), value: z.string() })).optional(),
  })
  .meta({
    description:
      'An IPTC ninjs 3.1 news item. A withdrawn article answers callers without the preview scope with ' +
      'only uri, version, versionCreated and pubStatus "canceled", so partners can honour the kill.',
  });
component(NinjsSchema, 'Ninjs');
export type Ninjs = z.infer<typeof NinjsSchema>;

const STANDARD = {
  name: 'ninjs',
  version: '3.1',
  schema: 'http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json#',
};

const PUB_STATUS = { published: 'usable', withdrawn: 'canceled', draft: 'withheld' } as const;

/** The full ninjs document of an article read with its people and places. */
export function toNinjs(a: ArticleWithIncludes): Ninjs {
  const lead = fold(leadOf(a));
  const plain = bodyText(a.body);
  const doc: Ninjs = {
    uri: articleUri(a.id),
    standard: STANDARD,
    type: 'text',
    representationType: 'full',
    version: String(a.version),
    firstCreated: a.createdAt,
    versionCreated: a.updatedAt,
    pubStatus: PUB_STATUS[a.status],
    language: a.language,
    headlines: [{ role: 'main', contentType: 'text/plain', value: a.headline }],
    bodies: [
      {
        role: 'main',
        contentType: 'text/html',
        value: bodyHtml(a.body),
        charCount: [...plain].length,
        wordCount: plain.split(/\s+/).filter(Boolean).length,
      },
    ],
    subjects: a.tags.map((name) => ({ name, rel: 'about' as const })),
    people: (a.people ?? []).map((p) => ({
      name: p.name,
      rel: relationIn(lead, [p.name, surnameOf(p.name), ...p.aliases]),
      ...(p.wikidataId ? { uri: wikidataEntity(p.wikidataId) } : {}),
    })),
    places: (a.places ?? []).map((p) => {
      const uri = p.wikidataId ? wikidataEntity(p.wikidataId) : p.geonamesId && geonamesUri(p.geonamesId);
      return {
        name: p.name,
        rel: relationIn(lead, [p.name, ...p.aliases]),
        ...(uri ? { uri } : {}),
        ...(p.location
          ? {
              geoJSON: {
                type: 'Point' as const,
                coordinates: [p.location.lon, p.location.lat] as [number, number],
              },
            }
          : {}),
      };
    }),
    altIds: [
      { role: 'id', value: a.id },
      { role: 'slug', value: a.slug },
      ...(a.canonicalUrl ? [{ role: 'url', value: a.canonicalUrl }] : []),
    ],
  };
  if (a.embargoedUntil) doc.embargoedUntil = a.embargoedUntil;
  if (a.status === 'withdrawn') doc.edNote = 'Withdrawn: remove this item wherever it was used.';
  if (a.standfirst) doc.descriptions = [{ role: 'summary', contentType: 'text/plain', value: a.standfirst }];
  if (a.credit) doc.infoSources = [{ name: a.credit, role: 'source' }];
  if (a.byline) doc.by = a.byline;
  return doc;
}

/** The kill notice: enough for a partner to find and remove the item, nothing of its content. */
export const canceledStub = (k: KilledArticle): Ninjs => ({
  uri: articleUri(k.id),
  version: String(k.version),
  versionCreated: k.updatedAt.toISOString(),
  pubStatus: 'canceled',
});

export type KilledArticle = { id: string; version: number; updatedAt: Date };

/**
 * A withdrawn article that was once published (the same "once public" rule that makes its
 * withdrawal a public change): callers who cannot see it may still learn that it was killed.
 * Drafts never qualify.
 */
export async function findKilledArticle(tx: Executor, ref: string): Promise<KilledArticle | undefined> {
  const rows = await tx
    .select({ id: articles.id, version: articles.version, updatedAt: articles.updatedAt })
    .from(articles)
    .where(and(articleRef(ref), eq(articles.status, 'withdrawn'), isNotNull(articles.firstPublishedAt)))
    .limit(1);
  return rows[0];
}
