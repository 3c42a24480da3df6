import { z } from 'zod';
import {
  IdSchema,
  LanguageSchema,
  refFilter,
  SlugSchema,
  StoredTimestampSchema,
  storable,
  storedFields,
  TimestampSchema,
  text,
} from '../../http/fields.js';
import { listQueryFields } from '../../http/list.js';
import { component } from '../../http/registry.js';
import { EXAMPLE_ARTICLE, EXAMPLE_BODY } from './examples.js';
import { SEARCH_CANDIDATES } from './search.js';

export const ARTICLE_STATUSES = ['draft', 'published', 'withdrawn'] as const;
export type ArticleStatus = (typeof ARTICLE_STATUSES)[number];

const blockText = text(20_000).meta({ description: 'Plain text; HTML is rendered from it, escaped.' });

export const BlockSchema = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('paragraph'), text: blockText }),
    z.strictObject({ type: z.literal('heading'), text: text(500) }),
    z.strictObject({
      type: z.literal('blockquote'),
      text: blockText,
      attribution: text(300).optional().meta({ example: 'Volodymyr Zelensky' }),
    }),
  ])
  .meta({
    description: 'One block of the body: paragraph, heading or blockquote.',
    example: EXAMPLE_BODY[2],
  });
component(BlockSchema, 'Block');
export type Block = z.infer<typeof BlockSchema>;

const idList = (what: string) =>
  z
    .array(IdSchema)
    .max(100)
    .refine((ids) => new Set(ids.map((i) => i.toLowerCase())).size === ids.length, {
      message: 'must not repeat an id',
    })
    .meta({ description: `${what}, in the order the article mentions them.` });

const EMBARGO = 'Invisible to callers without the embargo or preview scope until this instant.';

const editable = {
  language: LanguageSchema,
  headline: text(300).meta({ example: EXAMPLE_ARTICLE.headline }),
  standfirst: text(2000).nullable().meta({ example: EXAMPLE_ARTICLE.standfirst }),
  body: z.array(BlockSchema).max(200).meta({ example: EXAMPLE_BODY }),
  byline: text(200).nullable().meta({ example: null }),
  credit: text(200).nullable().meta({ description: 'The source, e.g. a news agency.', example: 'AFP' }),
  tags: z
    .array(text(100))
    .max(50)
    .meta({ example: ['oorlog in Oekraïne'] }),
  personIds: idList('People mentioned'),
  placeIds: idList('Places mentioned'),
  canonicalUrl: storable(z.url({ protocol: /^https?$/ }).max(2000))
    .nullable()
    .meta({ example: 'https://nieuws.example/oekraine/zelensky-onderhandelingen' }),
  embargoedUntil: TimestampSchema.nullable().meta({ description: EMBARGO }),
};

/** An embargo as a client sets it: see StoredTimestampSchema. */
const embargoInput = StoredTimestampSchema.nullable().meta({
  description: `${EMBARGO} Years 1000 to 9999 (UTC).`,
});
/** An embargo set on an article that exists, which may be public already. */
const embargoChange = embargoInput.meta({
  description: `${EMBARGO} Years 1000 to 9999 (UTC). An article the public can read already cannot be put under a future embargo (409): withdraw it, set the embargo, publish it again.`,
});

export const ArticleSchema = z
  .object({
    ...storedFields,
    slug: SlugSchema,
    ...editable,
    status: z.enum(ARTICLE_STATUSES),
    publishedAt: TimestampSchema.nullable(),
    firstPublishedAt: TimestampSchema.nullable(),
  })
  .meta({ description: 'A news article.' });
component(ArticleSchema, 'Article');
export type Article = z.infer<typeof ArticleSchema>;

export const ArticleCreateSchema = z
  .strictObject({
    language: editable.language,
    headline: editable.headline,
    slug: SlugSchema.optional().meta({ description: 'Derived from the headline when absent.' }),
    standfirst: editable.standfirst.optional(),
    body: editable.body.default([]),
    byline: editable.byline.optional(),
    credit: editable.credit.optional(),
    tags: editable.tags.default([]),
    personIds: editable.personIds.default([]),
    placeIds: editable.placeIds.default([]),
    canonicalUrl: editable.canonicalUrl.optional(),
    embargoedUntil: embargoInput.optional(),
  })
  .meta({ description: 'A new article; it starts as a draft.', example: EXAMPLE_ARTICLE });
component(ArticleCreateSchema, 'ArticleCreate');
export type ArticleCreate = z.infer<typeof ArticleCreateSchema>;

/** JSON Merge Patch (RFC 7396): absent keeps, null removes (optional fields only). */
export const ArticlePatchSchema = z
  .strictObject({
    language: editable.language.optional(),
    headline: editable.headline.optional(),
    slug: SlugSchema.optional(),
    standfirst: editable.standfirst.optional(),
    body: editable.body.optional(),
    byline: editable.byline.optional(),
    credit: editable.credit.optional(),
    tags: editable.tags.optional(),
    personIds: editable.personIds.optional(),
    placeIds: editable.placeIds.optional(),
    canonicalUrl: editable.canonicalUrl.optional(),
    embargoedUntil: embargoChange.optional(),
  })
  .meta({
    description: 'Status and publication times change only through publish and withdraw.',
    example: { standfirst: 'Correctie: de ontmoeting vond zaterdag plaats, niet vrijdag.' },
  });
component(ArticlePatchSchema, 'ArticlePatch');
export type ArticlePatch = z.infer<typeof ArticlePatchSchema>;

export const PublishSchema = z
  .strictObject({
    publishedAt: StoredTimestampSchema.optional().meta({
      description: 'A past instant, for imported archives (years 1000 to 9999, UTC); now when absent.',
      example: '2022-05-07T14:30:00.000Z',
    }),
  })
  // Fastify hands a bodiless POST to the validator as null.
  .nullish()
  .meta({ description: 'Optional: the publication time of an imported article.' });
component(PublishSchema, 'ArticlePublish');

export const INCLUDES = ['people', 'places', 'quotes'] as const;
export type Include = (typeof INCLUDES)[number];

export const IncludeSchema = z
  .string()
  .max(60)
  .transform((s) => s.split(','))
  .pipe(
    z
      .array(z.enum(INCLUDES))
      .refine((a) => new Set(a).size === a.length, { message: 'must not name a relation twice' }),
  )
  .optional()
  .meta({
    description: 'Related resources to embed, comma-separated: people, places, quotes.',
    example: 'people,places,quotes',
  });

export const ARTICLE_SORTS = ['-publishedAt', 'publishedAt', '-updatedAt', 'relevance'] as const;

export const ArticlesQuerySchema = z.strictObject({
  ...listQueryFields,
  sort: z
    .enum(ARTICLE_SORTS)
    .optional()
    .meta({
      description:
        `Default \`-publishedAt\`; \`relevance\` (default) with \`q\`: the ${SEARCH_CANDIDATES} newest matches (after ` +
        'the other filters) ranked by relevance. For older ones, narrow the window with ' +
        '`publishedBefore`/`publishedAfter` or sort by date, which reaches every match.',
    }),
  q: text(200)
    .optional()
    .meta({ description: 'Full text over headline, standfirst, body and tags.', example: 'onderhandeling' }),
  status: z.enum(ARTICLE_STATUSES).optional().meta({
    description: 'Drafts and withdrawn articles only with the preview scope (otherwise 400).',
  }),
  language: LanguageSchema.optional().meta({ description: 'Only articles in this language (BCP 47 tag).' }),
  tag: text(100)
    .optional()
    .meta({ description: 'Only articles with this tag (exact).', example: 'diplomatie' }),
  person: refFilter('Only articles mentioning this person (id or slug).', 'volodymyr-zelensky'),
  place: refFilter('Only articles about this place or a place inside it (id or slug).', 'marioepol'),
  publishedAfter: TimestampSchema.optional().meta({ description: 'Published strictly after this instant.' }),
  publishedBefore: TimestampSchema.optional().meta({
    description: 'Published strictly before this instant.',
  }),
  include: IncludeSchema,
});
export type ArticlesQuery = z.infer<typeof ArticlesQuerySchema>;

export const ArticleReadQuerySchema = z.strictObject({ include: IncludeSchema });
