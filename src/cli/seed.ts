import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.js';
import { loadConfig } from '../config.js';
import { createKey, revokeKey } from '../resources/keys/repository.js';
import {
  ARTICLE_PLACES,
  DEMO_ARTICLE,
  DEMO_PEOPLE,
  DEMO_PLACES,
  DEMO_PUBLISHED_AT,
  DEMO_QUOTES,
  DEMO_SAID_AT,
} from './demo-content.js';

/**
 * Loads the demo newsroom through the public API (app.inject), so it passes the same
 * validation, write path and change log as any client's content. Safe to run again: what
 * exists (by slug) is reused, not duplicated.
 */
export async function seed(app: FastifyInstance): Promise<{ article: string; created: number }> {
  const { row: key, secret } = await createKey(app.db.db, 'seed (temporary)', ['write']);
  let created = 0;
  const call = async (method: 'GET' | 'POST', url: string, body?: unknown) => {
    const res = await app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${secret}` },
      ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
    });
    if (res.statusCode >= 400 && !(method === 'GET' && res.statusCode === 404)) {
      throw new Error(`${method} ${url} -> ${res.statusCode}: ${res.body}`);
    }
    if (method === 'POST' && res.statusCode === 201) created++;
    return res.statusCode === 404 ? undefined : res.json();
  };
  const ensure = async (collection: string, slug: string, body: Record<string, unknown>) =>
    (await call('GET', `/v1/${collection}/${slug}`)) ??
    (await call('POST', `/v1/${collection}`, { ...body, slug }));
  const slugOf = (name: string) =>
    name
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '');

  try {
    const people: string[] = [];
    for (const p of DEMO_PEOPLE)
      people.push((await ensure('people', slugOf(p.name), { ...p, aliases: [...p.aliases] })).id);
    const places = new Map<string, string>();
    for (const p of DEMO_PLACES) {
      const parentId = p.parent ? places.get(p.parent) : undefined;
      const place = await ensure('places', slugOf(String(p.body.name)), {
        ...p.body,
        ...(parentId ? { parentId } : {}),
      });
      places.set(p.key, place.id);
    }
    let article = await call('GET', `/v1/articles/${DEMO_ARTICLE.slug}`);
    if (!article) {
      article = await call('POST', '/v1/articles', {
        ...DEMO_ARTICLE,
        body: DEMO_ARTICLE.body.map((b) => ({ ...b })),
        tags: [...DEMO_ARTICLE.tags],
        personIds: people,
        placeIds: ARTICLE_PLACES.map((k) => places.get(k)!),
      });
      const zelensky = people[0]!;
      for (const q of DEMO_QUOTES) {
        await call('POST', '/v1/quotes', {
          text: q.text,
          language: 'nl',
          personId: zelensky,
          articleId: article.id,
          placeId: places.get('metro'),
          saidAt: DEMO_SAID_AT,
          context: q.context,
        });
      }
      await call('POST', `/v1/articles/${article.id}/publish`, { publishedAt: DEMO_PUBLISHED_AT });
    }
    return { article: article.slug, created };
  } finally {
    await revokeKey(app.db.db, key.id);
  }
}

if (process.argv[1]?.endsWith('seed.ts')) {
  const app = await buildApp(loadConfig(process.env), { logger: false });
  try {
    const result = await seed(app);
    process.stdout.write(
      `Seeded ${result.created} new resources. Try: curl http://127.0.0.1:3000/v1/articles/${result.article}?include=people,places,quotes\n`,
    );
  } finally {
    await app.close();
  }
}
