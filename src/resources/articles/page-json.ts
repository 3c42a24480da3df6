import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FastifySerializerCompiler } from 'fastify/types/schema.js';
import { z } from 'zod';
import type { CursorCodec } from '../../http/cursor.js';
import { listEnvelope, page } from '../../http/list.js';
import {
  checkedWriter,
  compileFast,
  responseSerializerCompiler,
  type Serialize,
} from '../../http/serializer.js';
import { type ArticleWithIncludes, ArticleWithIncludesSchema, withIncludes } from './includes.js';
import type { ListedRow, listArticles } from './list.js';
import type { Include } from './schemas.js';

/**
 * An article body as its json column holds it: the text Kopij wrote, blocks with their keys in
 * the schema's order (migration 0014 rewrote older bodies so), valid JSON by the column's type.
 */
export type StoredJson = string & { readonly storedJson: true };

/** An article on a list page: everything as the API shows it, the body as stored. */
export type ListedArticle = Omit<ArticleWithIncludes, 'body'> & { body: StoredJson };

interface ArticlePage {
  data: ListedArticle[];
  page: { next: string | null; limit: number };
}

const PageSchema = listEnvelope(ArticleWithIncludesSchema);

/**
 * fast-json-stringify writes the fields before the body and those after it, and the stored
 * body goes between them: the page's 20 bodies (most of its ~50 KB) are neither parsed by the
 * driver nor written again key by key. The bytes are those the route's schema would give,
 * field for field, since the stored text is what JSON.stringify made of the validated blocks.
 */
function compilePage(): Serialize {
  const shape = ArticleWithIncludesSchema.shape;
  const keys = Object.keys(shape) as (keyof typeof shape)[];
  const at = keys.indexOf('body');
  const part = (names: string[]) =>
    compileFast(z.object(Object.fromEntries(names.map((k) => [k, shape[k as keyof typeof shape]]))));
  const before = part(keys.slice(0, at));
  const after = part(keys.slice(at + 1));
  const page = compileFast(PageSchema.shape.page);
  const item = (a: ListedArticle) => {
    const head = before(a);
    const tail = after(a);
    return `${head.length > 2 ? `${head.slice(0, -1)},` : '{'}"body":${a.body}${tail.length > 2 ? `,${tail.slice(1)}` : '}'}`;
  };
  // Appended piece by piece, not joined: V8 keeps the pieces as a rope until the page is
  // written out, so the ~50 KB of text is copied once there, not also here (a join copies it
  // into a string of its own: a third more young-generation garbage per page, more scavenges).
  return (data) => {
    const p = data as ArticlePage;
    let out = '{"data":[';
    for (let i = 0; i < p.data.length; i++) out += i === 0 ? item(p.data[i]!) : `,${item(p.data[i]!)}`;
    return `${out}],"page":${page(p.page)}}`;
  };
}

let compiled: Serialize | undefined;

/** What the page's schema describes: the stored bodies parsed into blocks. */
function withParsedBodies(data: unknown): unknown {
  const p = data as ArticlePage;
  return { ...p, data: p.data.map((a) => ({ ...a, body: JSON.parse(a.body) as unknown })) };
}

/**
 * The serializer compiler of the routes answering with pages of articles: a 200 is written by
 * the page writer above (checked, in the tests), every other status (a problem) by the app's
 * own compiler, as on any route.
 */
export function articlePageSerializers<S>(app: FastifyInstance): FastifySerializerCompiler<S> {
  const validate = app.config.validateResponses;
  const others = responseSerializerCompiler({ validate, log: app.log });
  return (route) => {
    // Fastify types a route's own compiler by the route's whole schema; each call gets one response's.
    if (route.httpStatus !== '200') return others(route as unknown as Parameters<typeof others>[0]);
    compiled ??= compilePage();
    // In the tests a page is also written the slow way, its bodies parsed, and the bytes must
    // be equal: a stored body not in the API's text (keys in another order, spaces) answers 500
    // there, not a different page in production.
    return validate
      ? checkedWriter(PageSchema, route.method, route.url, compiled, withParsedBodies)
      : compiled;
  };
}

/**
 * A page of listed articles (with the relations asked for), with its Link header. Its bodies
 * are the stored text, which only the page writer (articlePageSerializers) reads: returned
 * typed as the route declares it, which documents the page (OpenAPI) as the API shows it.
 */
export function articlePage(
  request: FastifyRequest,
  reply: FastifyReply,
  listed: Awaited<ReturnType<typeof listArticles>>,
  opts: { limit: number; include: readonly Include[] | undefined; codec: CursorCodec },
): { data: ArticleWithIncludes[]; page: ArticlePage['page'] } {
  const toApi = (r: ListedRow): ListedArticle => withIncludes(r.article, r.embedded, opts.include);
  const body = page(request, reply, { ...listed, limit: opts.limit, codec: opts.codec, toApi });
  return body as unknown as { data: ArticleWithIncludes[]; page: ArticlePage['page'] };
}
