import { z } from 'zod';
import { aliasList, SlugSchema, storedFields, text, WikidataIdSchema } from '../../http/fields.js';
import { listQueryFields } from '../../http/list.js';
import { component } from '../../http/registry.js';

const editable = {
  name: text(200).meta({ example: 'Volodymyr Zelensky' }),
  aliases: aliasList,
  description: text(2000).nullable().meta({ example: 'President of Ukraine' }),
  wikidataId: WikidataIdSchema.nullable(),
};

export const PersonSchema = z
  .object({
    ...storedFields,
    slug: SlugSchema,
    ...editable,
  })
  .meta({ description: 'A person who is quoted or mentioned.' });
component(PersonSchema, 'Person');
export type Person = z.infer<typeof PersonSchema>;

export const PersonCreateSchema = z
  .strictObject({
    name: editable.name,
    slug: SlugSchema.optional().meta({ description: 'Derived from the name when absent.' }),
    aliases: editable.aliases.default([]),
    description: editable.description.optional(),
    wikidataId: editable.wikidataId.optional(),
  })
  .meta({
    example: {
      name: 'Volodymyr Zelensky',
      aliases: ['Zelenskyy', 'Zelenski', 'Зеленський'],
      wikidataId: 'Q3874799',
    },
  });
component(PersonCreateSchema, 'PersonCreate');
export type PersonCreate = z.infer<typeof PersonCreateSchema>;

/** JSON Merge Patch (RFC 7396): absent keeps, null removes (optional fields only). */
export const PersonPatchSchema = z
  .strictObject({
    name: editable.name.optional(),
    slug: SlugSchema.optional(),
    aliases: editable.aliases.optional(),
    description: editable.description.optional(),
    wikidataId: editable.wikidataId.optional(),
  })
  .meta({ example: { description: 'President of Ukraine since 2019' } });
component(PersonPatchSchema, 'PersonPatch');
export type PersonPatch = z.infer<typeof PersonPatchSchema>;

export const PEOPLE_SORTS = ['name', '-updatedAt', 'updatedAt', 'relevance'] as const;

export const PeopleQuerySchema = z.strictObject({
  ...listQueryFields,
  sort: z
    .enum(PEOPLE_SORTS)
    .optional()
    .meta({ description: 'Default `name`; `relevance` (default) with `q`.' }),
  q: text(200).optional().meta({ description: 'Name or alias, typo-tolerant.', example: 'Zelenski' }),
});
export type PeopleQuery = z.infer<typeof PeopleQuerySchema>;
