import { z } from 'zod';
import {
  aliasList,
  IdSchema,
  refFilter,
  SlugSchema,
  storedFields,
  text,
  WikidataIdSchema,
} from '../../http/fields.js';
import { listQueryFields } from '../../http/list.js';
import { component } from '../../http/registry.js';

export const PLACE_KINDS = ['country', 'region', 'city', 'district', 'site', 'building', 'other'] as const;

const LocationSchema = z
  .strictObject({
    lat: z.number().min(-90).max(90),
    lon: z.number().min(-180).max(180),
  })
  .meta({ description: 'WGS 84 coordinates.', example: { lat: 47.0971, lon: 37.5434 } });

const editable = {
  name: text(200).meta({ example: 'Marioepol' }),
  aliases: aliasList.meta({ example: ['Mariupol', 'Маріуполь'] }),
  kind: z.enum(PLACE_KINDS),
  countryCode: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as UA')
    .nullable()
    .meta({ example: 'UA' }),
  location: LocationSchema.nullable(),
  parentId: IdSchema.nullable().meta({ description: 'The place this one lies in.' }),
  geonamesId: z
    .string()
    .regex(/^[1-9][0-9]{0,11}$/, 'must be a GeoNames id (digits)')
    .nullable()
    .meta({ example: '701822' }),
  wikidataId: WikidataIdSchema.nullable(),
};

export const PlaceSchema = z
  .object({ ...storedFields, slug: SlugSchema, ...editable })
  .meta({ description: 'A place, possibly inside another.' });
component(PlaceSchema, 'Place');
export type Place = z.infer<typeof PlaceSchema>;

export const PlaceCreateSchema = z
  .strictObject({
    name: editable.name,
    slug: SlugSchema.optional().meta({ description: 'Derived from the name when absent.' }),
    aliases: editable.aliases.default([]),
    kind: editable.kind,
    countryCode: editable.countryCode.optional(),
    location: editable.location.optional(),
    parentId: editable.parentId.optional(),
    geonamesId: editable.geonamesId.optional(),
    wikidataId: editable.wikidataId.optional(),
  })
  .meta({
    example: {
      name: 'Marioepol',
      aliases: ['Mariupol', 'Маріуполь'],
      kind: 'city',
      countryCode: 'UA',
      location: { lat: 47.0971, lon: 37.5434 },
      geonamesId: '701822',
      wikidataId: 'Q156303',
    },
  });
component(PlaceCreateSchema, 'PlaceCreate');
export type PlaceCreate = z.infer<typeof PlaceCreateSchema>;

/** JSON Merge Patch; `location` is replaced as a whole (both coordinates), null removes. */
export const PlacePatchSchema = z
  .strictObject({
    name: editable.name.optional(),
    slug: SlugSchema.optional(),
    aliases: editable.aliases.optional(),
    kind: editable.kind.optional(),
    countryCode: editable.countryCode.optional(),
    location: editable.location.optional(),
    parentId: editable.parentId.optional(),
    geonamesId: editable.geonamesId.optional(),
    wikidataId: editable.wikidataId.optional(),
  })
  .meta({ example: { aliases: ['Mariupol'] } });
component(PlacePatchSchema, 'PlacePatch');
export type PlacePatch = z.infer<typeof PlacePatchSchema>;

export const PlacesQuerySchema = z.strictObject({
  ...listQueryFields,
  sort: z
    .enum(['name', '-updatedAt', 'updatedAt', 'relevance'])
    .optional()
    .meta({ description: 'Default `name`; `relevance` (default) with `q`.' }),
  q: text(200).optional().meta({ description: 'Name or alias, typo-tolerant.', example: 'Mariupol' }),
  kind: z.enum(PLACE_KINDS).optional().meta({ description: 'Only places of this kind.' }),
  parent: refFilter('Only places directly inside this one (id or slug).', 'marioepol'),
});
export type PlacesQuery = z.infer<typeof PlacesQuerySchema>;
