import { z } from 'zod';
import { fold } from '../http/fields.js';
import { component } from '../http/registry.js';
import type { ArticleWithIncludes } from '../resources/articles/includes.js';
import type { Person } from '../resources/people/schemas.js';
import type { Place } from '../resources/places/schemas.js';
import { bodyText } from './html.js';
import { articleUri, geonamesUri, leadOf, type Relation, relationIn, surnameOf } from './ninjs.js';

/** schema.org links to the Wikidata page (what a browser or a search engine can open). */
export const wikidataPage = (q: string) => `https://www.wikidata.org/wiki/${q}`;

const Organization = z.object({ '@type': z.literal('Organization'), name: z.string() });
const PersonRef = z.object({
  '@type': z.literal('Person'),
  name: z.string(),
  description: z.string().optional(),
  sameAs: z.array(z.string()).optional(),
});
const PlaceRef = z.object({
  '@type': z.literal('Place'),
  name: z.string(),
  sameAs: z.array(z.string()).optional(),
  geo: z
    .object({ '@type': z.literal('GeoCoordinates'), latitude: z.number(), longitude: z.number() })
    .optional(),
  address: z.object({ '@type': z.literal('PostalAddress'), addressCountry: z.string() }).optional(),
});
const Thing = z.discriminatedUnion('@type', [PersonRef, PlaceRef]);

export const NewsArticleSchema = z
  .object({
    '@context': z.literal('https://schema.org'),
    '@type': z.literal('NewsArticle'),
    '@id': z.string().meta({ description: 'Stable across versions, like the ninjs uri.' }),
    url: z.string().optional(),
    mainEntityOfPage: z.string().optional(),
    identifier: z.string(),
    headline: z.string(),
    description: z.string().optional(),
    inLanguage: z.string(),
    dateCreated: z.string(),
    datePublished: z.string().optional(),
    dateModified: z.string(),
    creativeWorkStatus: z.enum(['Draft', 'Published', 'Withdrawn']),
    articleBody: z.string().meta({ description: 'Plain text, blocks separated by a blank line.' }),
    keywords: z.array(z.string()),
    author: z.union([Organization, PersonRef]).optional(),
    sourceOrganization: Organization.optional(),
    about: z.array(Thing),
    mentions: z.array(Thing),
  })
  .meta({ description: 'A schema.org NewsArticle (application/ld+json).' });
component(NewsArticleSchema, 'NewsArticle');
export type NewsArticle = z.infer<typeof NewsArticleSchema>;
type ThingLd = z.infer<typeof Thing>;

function personLd(p: Person): ThingLd {
  return {
    '@type': 'Person',
    name: p.name,
    ...(p.description ? { description: p.description } : {}),
    ...(p.wikidataId ? { sameAs: [wikidataPage(p.wikidataId)] } : {}),
  };
}

function placeLd(p: Place): ThingLd {
  const sameAs = [
    ...(p.wikidataId ? [wikidataPage(p.wikidataId)] : []),
    ...(p.geonamesId ? [geonamesUri(p.geonamesId)] : []),
  ];
  return {
    '@type': 'Place',
    name: p.name,
    ...(sameAs.length ? { sameAs } : {}),
    ...(p.location
      ? { geo: { '@type': 'GeoCoordinates', latitude: p.location.lat, longitude: p.location.lon } }
      : {}),
    ...(p.countryCode ? { address: { '@type': 'PostalAddress', addressCountry: p.countryCode } } : {}),
  };
}

const STATUS = { draft: 'Draft', published: 'Published', withdrawn: 'Withdrawn' } as const;

/** The NewsArticle of an article read with its people and places. */
export function toNewsArticle(a: ArticleWithIncludes): NewsArticle {
  const lead = fold(leadOf(a));
  const related: { rel: Relation; thing: ThingLd }[] = [
    ...(a.people ?? []).map((p) => ({
      rel: relationIn(lead, [p.name, surnameOf(p.name), ...p.aliases]),
      thing: personLd(p),
    })),
    ...(a.places ?? []).map((p) => ({ rel: relationIn(lead, [p.name, ...p.aliases]), thing: placeLd(p) })),
  ];
  const agency = a.credit ? { '@type': 'Organization' as const, name: a.credit } : undefined;
  const doc: NewsArticle = {
    '@context': 'https://schema.org',
    '@type': 'NewsArticle',
    '@id': articleUri(a.id),
    identifier: a.id,
    headline: a.headline,
    inLanguage: a.language,
    dateCreated: a.createdAt,
    dateModified: a.updatedAt,
    creativeWorkStatus: STATUS[a.status],
    articleBody: bodyText(a.body),
    keywords: a.tags,
    about: related.filter((r) => r.rel === 'about').map((r) => r.thing),
    mentions: related.filter((r) => r.rel === 'mentions').map((r) => r.thing),
  };
  if (a.canonicalUrl) Object.assign(doc, { url: a.canonicalUrl, mainEntityOfPage: a.canonicalUrl });
  if (a.standfirst) doc.description = a.standfirst;
  if (a.publishedAt) doc.datePublished = a.publishedAt;
  // A byline names the writer; the credited agency is the source either way.
  if (a.byline) doc.author = { '@type': 'Person', name: a.byline };
  else if (agency) doc.author = agency;
  if (agency) doc.sourceOrganization = agency;
  return doc;
}

/**
 * JSON-LD is mostly pasted into a page's `<script type="application/ld+json">`, where a headline
 * containing `</script>` would end the script. `<`, `>` and `&` go out as JSON escapes: the same
 * JSON to every parser, inert in HTML. Applied to the serialized body, after schema validation.
 */
export const scriptSafeJson = (json: string) =>
  json.replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
