import type { Audience, ChangeAction, ResourceType } from '../src/content/write.js';
import type {
  articlePeople,
  articlePlaces,
  articles,
  changes,
  pendingReleases,
  people,
  places,
  quotes,
  revisions,
} from '../src/db/schema.js';
import { type ArticleRow, toArticle } from '../src/resources/articles/repository.js';
import { searchNamesOf, toPerson } from '../src/resources/people/repository.js';
import { toPlace } from '../src/resources/places/repository.js';
import { toQuote } from '../src/resources/quotes/repository.js';
import {
  COUNTRIES,
  FIRST_NAMES,
  LAST_NAMES,
  PLACE_HEADS,
  PLACE_MIDS,
  PLACE_TAILS,
  QUOTE_CONTEXTS,
  ROLES,
  TOPICS,
} from './corpus.js';
import { Rng, uuid7At, Zipf } from './random.js';
import { body, headline, quoteText, type Subject, standfirst } from './text.js';
import { UniqueSlugs } from './unique-slugs.js';

/**
 * The benchmark dataset: a newsroom archive generated in time order, in batches small
 * enough that a million articles never sit in memory. Every row comes with the revisions
 * and change-log entries the real write path would have left, so history and changes
 * scenarios read realistic tables.
 */
export interface DatasetSize {
  articles: number;
  people: number;
  places: number;
  quotes: number;
}

export const DEFAULT_SIZE: DatasetSize = {
  articles: 100_000,
  people: 20_000,
  places: 5_000,
  quotes: 200_000,
};

type Row<T extends { $inferInsert: unknown }> = T['$inferInsert'];
type PersonRow = typeof people.$inferSelect;
type PlaceRow = typeof places.$inferSelect;

export interface Batch {
  kind: 'people' | 'places' | 'articles';
  /** Rows of `kind` in this batch, for the progress line. */
  count: number;
  people?: PersonRow[];
  places?: PlaceRow[];
  articles?: Row<typeof articles>[];
  articlePeople?: Row<typeof articlePeople>[];
  articlePlaces?: Row<typeof articlePlaces>[];
  quotes?: Row<typeof quotes>[];
  revisions: Row<typeof revisions>[];
  changes: Row<typeof changes>[];
  pendingReleases?: Row<typeof pendingReleases>[];
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const BATCH = 250;
const ACTOR = 'bench import';

interface Step {
  action: ChangeAction;
  at: Date;
  audience: Audience;
  data: Record<string, unknown>;
}

function history(b: Batch, type: ResourceType, id: string, steps: Step[]) {
  steps.forEach((s, i) => {
    const version = i + 1;
    b.revisions.push({
      resourceType: type,
      resourceId: id,
      version,
      action: s.action,
      data: s.data,
      changedBy: ACTOR,
      createdAt: s.at,
    });
    b.changes.push({
      resourceType: type,
      resourceId: id,
      action: s.action,
      version,
      audience: s.audience,
      at: s.at,
    });
  });
}

const batch = (kind: Batch['kind']): Batch => ({ kind, count: 0, revisions: [], changes: [] });

export function* generate(size: DatasetSize, seed: number, now = Date.now()): Generator<Batch> {
  const rng = new Rng(seed);
  const slugs = new UniqueSlugs();
  const archiveStart = now - 3 * 365 * DAY;
  const span = now - HOUR - archiveStart;

  const personNames: string[] = [];
  const personIds: string[] = [];
  for (let i = 0; i < size.people; ) {
    const b = batch('people');
    b.people = [];
    for (; i < size.people && b.people.length < BATCH; i++) {
      const at = new Date(archiveStart - DAY * 365 + (i / size.people) * DAY * 365);
      const name = `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`;
      const aliases = rng.chance(0.3) ? [`${name.charAt(0)}. ${name.split(' ').slice(1).join(' ')}`] : [];
      const row: PersonRow = {
        id: uuid7At(at.getTime(), rng),
        slug: slugs.take('people', name),
        name,
        aliases,
        description: rng.chance(0.7) ? rng.pick(ROLES) : null,
        wikidataId: rng.chance(0.2) ? `Q${rng.between(1000, 9_999_999)}` : null,
        searchNames: searchNamesOf(name, aliases),
        version: 1,
        createdAt: at,
        updatedAt: at,
      };
      b.people.push(row);
      personNames.push(name);
      personIds.push(row.id);
      history(b, 'person', row.id, [{ action: 'created', at, audience: 'public', data: toPerson(row) }]);
    }
    b.count = b.people.length;
    yield b;
  }

  const placeNames: string[] = [];
  const placeIds: string[] = [];
  const regions = Math.max(1, Math.floor(size.places * 0.1));
  for (let i = 0; i < size.places; ) {
    const b = batch('places');
    b.places = [];
    for (; i < size.places && b.places.length < BATCH; i++) {
      const at = new Date(archiveStart - DAY * 400 + (i / size.places) * DAY * 30);
      const country = i < COUNTRIES.length ? COUNTRIES[i]! : undefined;
      const name = country
        ? country.name
        : `${rng.pick(PLACE_HEADS)}${rng.pick(PLACE_MIDS)}${rng.pick(PLACE_TAILS)}`;
      const countries = Math.min(COUNTRIES.length, size.places);
      const kind = country
        ? 'country'
        : i < countries + regions
          ? 'region'
          : i % 10 === 0
            ? 'district'
            : 'city';
      // Regions sit in countries, cities in regions, districts in earlier cities: three deep.
      const parentIndex =
        kind === 'country'
          ? undefined
          : kind === 'region'
            ? rng.int(countries)
            : kind === 'city'
              ? countries + rng.int(Math.min(regions, i - countries))
              : countries + regions + rng.int(Math.max(1, i - countries - regions));
      const row: PlaceRow = {
        id: uuid7At(at.getTime(), rng),
        slug: slugs.take('places', name),
        name,
        aliases: country ? [country.alias] : [],
        kind,
        countryCode: country?.code ?? rng.pick(COUNTRIES).code,
        lat: kind === 'country' ? null : 50 + rng.next() * 4,
        lon: kind === 'country' ? null : 3 + rng.next() * 4,
        parentId: parentIndex === undefined ? null : (placeIds[parentIndex] ?? null),
        geonamesId: rng.chance(0.5) ? String(rng.between(100_000, 9_999_999)) : null,
        wikidataId: rng.chance(0.3) ? `Q${rng.between(1000, 9_999_999)}` : null,
        searchNames: searchNamesOf(name, country ? [country.alias] : []),
        version: 1,
        createdAt: at,
        updatedAt: at,
      };
      b.places.push(row);
      placeNames.push(name);
      placeIds.push(row.id);
      history(b, 'place', row.id, [{ action: 'created', at, audience: 'public', data: toPlace(row) }]);
    }
    b.count = b.places.length;
    yield b;
  }

  const personRank = new Zipf(Math.max(1, size.people), 1.0);
  const placeRank = new Zipf(Math.max(1, size.places), 1.1);
  const topicRank = new Zipf(TOPICS.length, 0.8);
  let quotesMade = 0;
  for (let i = 0; i < size.articles; ) {
    const b = {
      ...batch('articles'),
      articles: [] as Row<typeof articles>[],
      articlePeople: [] as Row<typeof articlePeople>[],
      articlePlaces: [] as Row<typeof articlePlaces>[],
      quotes: [] as Row<typeof quotes>[],
      pendingReleases: [] as Row<typeof pendingReleases>[],
    };
    for (; i < size.articles && b.articles.length < BATCH; i++) {
      const r = rng.next();
      const language = r < 0.72 ? 'nl' : r < 0.86 ? 'en' : r < 0.93 ? 'de' : 'fr';
      const who = size.people ? personRank.distinct(rng, rng.pick([0, 1, 1, 2, 2, 2, 3, 3, 4, 5])) : [];
      const where = size.places ? placeRank.distinct(rng, rng.pick([0, 1, 1, 1, 2, 2, 3, 4])) : [];
      const subject: Subject = {
        language,
        topic: TOPICS[topicRank.sample(rng)]!,
        people: who.map((k) => personNames[k]!),
        places: where.map((k) => placeNames[k]!),
      };
      const published = archiveStart + ((i + rng.next()) / size.articles) * span;
      const created = new Date(published - rng.between(5, 240) * 60_000);
      const id = uuid7At(created.getTime(), rng);
      const title = headline(subject, rng);
      const tags = [subject.topic.tag, ...(rng.chance(0.4) ? [rng.pick(TOPICS).tag] : [])];
      const s = rng.next();
      const status = s < 0.03 ? 'draft' : s < 0.05 ? 'withdrawn' : 'published';
      const futureEmbargo = status === 'published' && i >= size.articles * 0.99 && rng.chance(0.2);
      const embargoedUntil = futureEmbargo
        ? new Date(now + rng.between(1, 48) * HOUR)
        : status === 'published' && rng.chance(0.02)
          ? new Date(published)
          : null;
      const publishedAt = status === 'draft' ? null : (embargoedUntil ?? new Date(published));
      const withdrawnAt = new Date(Math.min(published + rng.between(1, 72) * HOUR, now - 60_000));
      const row: ArticleRow = {
        id,
        slug: slugs.take('articles', title),
        language,
        headline: title,
        standfirst: standfirst(subject, rng),
        body: body(subject, rng, rng.between(900, 1400)),
        byline: rng.chance(0.6) ? `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}` : null,
        credit: rng.pick(['ANP', 'AFP', 'Reuters', 'Belga', 'Redactie', null]),
        tags: [...new Set(tags)],
        canonicalUrl: rng.chance(0.5) ? `https://nieuws.example/${i}` : null,
        status,
        publishedAt,
        firstPublishedAt: publishedAt,
        embargoedUntil,
        version: status === 'draft' ? 1 : status === 'published' ? 2 : 3,
        createdAt: created,
        updatedAt: status === 'withdrawn' ? withdrawnAt : (publishedAt ?? created),
        personIds: who.map((k) => personIds[k]!),
        placeIds: where.map((k) => placeIds[k]!),
      };
      const { personIds: pIds, placeIds: plIds } = row;
      b.articles.push(row);
      for (const [position, personId] of pIds.entries())
        b.articlePeople.push({ articleId: id, personId, position });
      for (const [position, placeId] of plIds.entries())
        b.articlePlaces.push({ articleId: id, placeId, position });
      const draft = { ...row, status: 'draft', publishedAt: null, firstPublishedAt: null, version: 1 };
      const steps: Step[] = [{ action: 'created', at: created, audience: 'private', data: toArticle(draft) }];
      if (status !== 'draft') {
        const at = futureEmbargo ? new Date(created.getTime() + 60_000) : publishedAt!;
        const audience: Audience = futureEmbargo ? 'embargo' : 'public';
        const live = { ...row, status: 'published', version: 2, updatedAt: at };
        steps.push({ action: 'published', at, audience, data: toArticle(live) });
        if (futureEmbargo) b.pendingReleases.push({ articleId: id, releaseAt: embargoedUntil! });
      }
      if (status === 'withdrawn')
        steps.push({ action: 'withdrawn', at: withdrawnAt, audience: 'public', data: toArticle(row) });
      history(b, 'article', id, steps);

      const isPublic = status === 'published' && !futureEmbargo;
      const due = Math.round((size.quotes * (i + 1)) / size.articles);
      for (; quotesMade < due; quotesMade++) {
        const tied = rng.chance(0.8);
        const at = new Date(created.getTime() + rng.between(1, 30) * 60_000);
        const person = tied && pIds.length ? rng.pick(pIds) : personIds[personRank.sample(rng)];
        if (!person) break;
        const q: typeof quotes.$inferSelect = {
          id: uuid7At(at.getTime(), rng),
          text: quoteText(subject, rng),
          language,
          personId: person,
          articleId: tied ? id : null,
          placeId: plIds.length && rng.chance(0.5) ? plIds[0]! : null,
          saidAt: new Date(published).toISOString().slice(0, 10),
          context: rng.pick(QUOTE_CONTEXTS),
          search: '',
          version: 1,
          createdAt: at,
          updatedAt: at,
        };
        const { search: _search, ...quote } = q;
        b.quotes.push(quote);
        const audience: Audience = !tied || isPublic ? 'public' : 'private';
        history(b, 'quote', q.id, [{ action: 'created', at, audience, data: toQuote(q) }]);
      }
    }
    b.count = b.articles.length;
    yield b;
  }
}
