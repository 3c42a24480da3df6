import { createHash } from 'node:crypto';
import { XMLBuilder } from 'fast-xml-parser';
import { z } from 'zod';
import { component } from '../http/registry.js';
import type { Article } from '../resources/articles/schemas.js';
import { bodyHtml } from './html.js';
import { articleUri } from './ninjs.js';

/** What a feed is, independent of its format: who it is for and where it lives. */
export interface FeedMeta {
  /** Stable per filter set, so a reader keeps its state across polls. */
  id: string;
  title: string;
  /** Path and query of this feed in each format (absent for filtered feeds). */
  atomPath?: string;
  jsonPath?: string;
  language?: string;
}

const PUBLISHER = 'Kopij';

/** A strong ETag over a feed's bytes: every change to any item changes it. */
export const contentEtag = (body: string) =>
  `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;

/** The instant the feed last changed in a way its items show; stable between polls (never "now"). */
const lastUpdated = (items: Article[]) =>
  new Date(Math.max(0, ...items.map((a) => Date.parse(a.updatedAt)))).toISOString();

/** The people who wrote an article and the agency it came from, as feed authors. */
const authorsOf = (a: Article) =>
  [a.byline, a.credit].filter((n): n is string => !!n).map((name) => ({ name }));

// XML 1.0 cannot carry most C0 controls or U+FFFE/U+FFFF even as references; JSON can, XML drops them.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

function xmlSafe<T>(value: T): T {
  if (typeof value === 'string') return value.replace(NOT_XML, '') as T;
  if (Array.isArray(value)) return value.map(xmlSafe) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, xmlSafe(v)])) as T;
  return value;
}

// fast-xml-parser escapes &, <, >, " and ' in text and attributes alike, including an `&amp;`
// the editor typed (some builders leave existing entities alone, which would turn escaped
// HTML back into markup).
const xml = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  format: true,
  suppressEmptyNode: true,
});

function atomEntry(a: Article) {
  return {
    id: articleUri(a.id),
    title: { '@_type': 'text', '#text': a.headline },
    updated: a.updatedAt,
    ...(a.publishedAt ? { published: a.publishedAt } : {}),
    ...(authorsOf(a).length ? { author: authorsOf(a) } : {}),
    link: [
      ...(a.canonicalUrl ? [{ '@_rel': 'alternate', '@_type': 'text/html', '@_href': a.canonicalUrl }] : []),
      { '@_rel': 'alternate', '@_type': 'application/json', '@_href': `/v1/articles/${a.id}` },
    ],
    ...(a.standfirst ? { summary: { '@_type': 'text', '#text': a.standfirst } } : {}),
    content: { '@_type': 'html', '#text': bodyHtml(a.body) },
    ...(a.tags.length ? { category: a.tags.map((term) => ({ '@_term': term })) } : {}),
  };
}

/** An Atom 1.0 (RFC 4287) feed of the articles, in the order given. */
export function atomFeed(meta: FeedMeta, items: Article[]): string {
  const doc = {
    '?xml': { '@_version': '1.0', '@_encoding': 'utf-8' },
    feed: {
      '@_xmlns': 'http://www.w3.org/2005/Atom',
      ...(meta.language ? { '@_xml:lang': meta.language } : {}),
      id: meta.id,
      title: meta.title,
      updated: lastUpdated(items),
      author: { name: PUBLISHER },
      generator: PUBLISHER,
      ...(meta.atomPath && meta.jsonPath
        ? {
            link: [
              { '@_rel': 'self', '@_type': 'application/atom+xml', '@_href': meta.atomPath },
              { '@_rel': 'alternate', '@_type': 'application/feed+json', '@_href': meta.jsonPath },
            ],
          }
        : {}),
      entry: items.map(atomEntry),
    },
  };
  return xml.build(xmlSafe(doc));
}

const Author = z.object({ name: z.string() });

export const JsonFeedItemSchema = z.object({
  id: z.string().meta({ description: 'Stable across versions: the ninjs uri.' }),
  url: z.string().optional().meta({ description: 'The canonical URL, when set.' }),
  title: z.string(),
  summary: z.string().optional(),
  content_html: z.string().meta({ description: 'The body as HTML, every character of its text escaped.' }),
  date_published: z.string(),
  date_modified: z.string(),
  authors: z.array(Author).optional(),
  tags: z.array(z.string()).optional(),
  language: z.string(),
});

export const JsonFeedSchema = z
  .object({
    version: z.literal('https://jsonfeed.org/version/1.1'),
    title: z.string(),
    feed_url: z.string().optional(),
    language: z.string().optional(),
    authors: z.array(Author),
    items: z.array(JsonFeedItemSchema),
  })
  .meta({ description: 'A JSON Feed 1.1 (application/feed+json), newest published first.' });
component(JsonFeedSchema, 'JsonFeed');
export type JsonFeed = z.infer<typeof JsonFeedSchema>;

/** A JSON Feed 1.1 of the articles, in the order given. */
export function jsonFeed(meta: FeedMeta, items: Article[]): JsonFeed {
  return {
    version: 'https://jsonfeed.org/version/1.1',
    title: meta.title,
    ...(meta.jsonPath ? { feed_url: meta.jsonPath } : {}),
    ...(meta.language ? { language: meta.language } : {}),
    authors: [{ name: PUBLISHER }],
    items: items.map((a) => ({
      id: articleUri(a.id),
      ...(a.canonicalUrl ? { url: a.canonicalUrl } : {}),
      title: a.headline,
      ...(a.standfirst ? { summary: a.standfirst } : {}),
      content_html: bodyHtml(a.body),
      date_published: a.publishedAt ?? a.updatedAt,
      date_modified: a.updatedAt,
      ...(authorsOf(a).length ? { authors: authorsOf(a) } : {}),
      ...(a.tags.length ? { tags: a.tags } : {}),
      language: a.language,
    })),
  };
}
