import { z } from 'zod';
import { IdSchema, LanguageSchema, refFilter, storedFields, text } from '../../http/fields.js';
import { listQueryFields } from '../../http/list.js';
import { component } from '../../http/registry.js';
import { EXAMPLE_QUOTES } from '../articles/examples.js';

export const SaidAtSchema = z.union([z.iso.date(), z.iso.datetime({ offset: true })]).meta({
  description: 'When it was said: a date (2022-05-07) or an RFC 3339 date-time.',
  example: '2022-05-07',
});

const editable = {
  text: text(5000).meta({ example: EXAMPLE_QUOTES[2] }),
  language: LanguageSchema,
  personId: IdSchema.meta({ description: 'The speaker.' }),
  articleId: IdSchema.nullable().meta({ description: 'The article the quote was taken from.' }),
  placeId: IdSchema.nullable().meta({ description: 'Where it was said.' }),
  saidAt: SaidAtSchema.nullable(),
  context: text(2000)
    .nullable()
    .meta({ example: 'Tijdens een persconferentie in een metrostation in Kiev.' }),
};

export const QuoteSchema = z
  .object({ ...storedFields, ...editable })
  .meta({ description: 'A statement by a person, possibly taken from an article.' });
component(QuoteSchema, 'Quote');
export type Quote = z.infer<typeof QuoteSchema>;

export const QuoteCreateSchema = z
  .strictObject({
    text: editable.text,
    language: editable.language,
    personId: editable.personId,
    articleId: editable.articleId.optional(),
    placeId: editable.placeId.optional(),
    saidAt: editable.saidAt.optional(),
    context: editable.context.optional(),
  })
  .meta({
    example: {
      text: EXAMPLE_QUOTES[0],
      language: 'nl',
      personId: '0196a3c2-7f4e-7b21-9c3d-5e8f1a2b3c4d',
      saidAt: '2022-05-07',
      context: 'Tijdens een persconferentie in een metrostation in Kiev.',
    },
  });
component(QuoteCreateSchema, 'QuoteCreate');
export type QuoteCreate = z.infer<typeof QuoteCreateSchema>;

/** JSON Merge Patch (RFC 7396): absent keeps, null removes (optional fields only). */
export const QuotePatchSchema = z
  .strictObject({
    text: editable.text.optional(),
    language: editable.language.optional(),
    personId: editable.personId.optional(),
    articleId: editable.articleId.optional(),
    placeId: editable.placeId.optional(),
    saidAt: editable.saidAt.optional(),
    context: editable.context.optional(),
  })
  .meta({ example: { saidAt: '2022-05-07T11:30:00+03:00' } });
component(QuotePatchSchema, 'QuotePatch');
export type QuotePatch = z.infer<typeof QuotePatchSchema>;

export const QUOTE_SORTS = ['-createdAt', 'createdAt', '-updatedAt', 'relevance'] as const;

export const QuotesQuerySchema = z.strictObject({
  ...listQueryFields,
  sort: z
    .enum(QUOTE_SORTS)
    .optional()
    .meta({ description: 'Default `-createdAt`; `relevance` (default) with `q`.' }),
  q: text(200)
    .optional()
    .meta({ description: 'Full text over the quote and its context.', example: 'oorlog' }),
  person: refFilter('Only quotes by this person (id or slug).', 'volodymyr-zelensky'),
  article: refFilter('Only quotes taken from this article (id or slug).', 'zelensky-onderhandelingen'),
  place: refFilter('Only quotes said at this place or a place inside it (id or slug).', 'kiev'),
  language: LanguageSchema.optional().meta({ description: 'Only quotes in this language (BCP 47 tag).' }),
});
export type QuotesQuery = z.infer<typeof QuotesQuerySchema>;

/** The list query of a relation endpoint: the related resource is fixed by the path. */
export const RelatedQuotesQuerySchema = QuotesQuerySchema.omit({ person: true, article: true });
