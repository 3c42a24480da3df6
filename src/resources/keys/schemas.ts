import { z } from 'zod';
import { IdSchema, TimestampSchema, text } from '../../http/fields.js';
import { component } from '../../http/registry.js';
import { SCOPES } from '../../plugins/auth.js';

export const ScopeSchema = z.enum(SCOPES).meta({
  description:
    'read: published content; embargo: also embargoed; preview: drafts and withdrawn too; write: create, change, publish; admin: everything.',
});

export const KeySchema = z
  .object({
    id: IdSchema,
    name: z.string(),
    prefix: z.string().meta({ description: 'The first characters of the secret, to tell keys apart.' }),
    scopes: z.array(ScopeSchema),
    createdAt: TimestampSchema,
    revokedAt: TimestampSchema.nullable(),
  })
  .meta({ description: 'An API key, without its secret.' });
component(KeySchema, 'ApiKey');

export const CreatedKeySchema = KeySchema.extend({
  secret: z.string().meta({ description: 'The key itself. Shown this once; only its hash is stored.' }),
});
component(CreatedKeySchema, 'CreatedApiKey');

export const KeyCreateSchema = z
  .strictObject({
    name: text(100),
    scopes: z.array(ScopeSchema).min(1).max(5),
  })
  .meta({ example: { name: 'Partner: De Courant', scopes: ['read', 'embargo'] } });
component(KeyCreateSchema, 'ApiKeyCreate');

export const KeyParamsSchema = z.strictObject({
  id: z.uuid().meta({ description: 'The key id (not the secret).' }),
});
