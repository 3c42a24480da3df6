import { z } from 'zod';
import { IdSchema, storable, TimestampSchema } from '../../http/fields.js';
import { component } from '../../http/registry.js';
import { WEBHOOK_EVENTS } from '../../syndication/outbox.js';

export const WebhookSchema = z
  .object({
    id: IdSchema,
    url: z.string(),
    events: z.array(z.enum(WEBHOOK_EVENTS)),
    createdAt: TimestampSchema,
    disabledAt: TimestampSchema.nullable(),
    disabledReason: z.string().nullable(),
  })
  .meta({ description: 'A webhook subscription (its secret is shown only when it is created).' });
component(WebhookSchema, 'Webhook');

export const CreatedWebhookSchema = WebhookSchema.extend({
  secret: z.string().meta({
    description: 'whsec_… signing secret (Standard Webhooks). Shown this once.',
  }),
});
component(CreatedWebhookSchema, 'CreatedWebhook');

export const WebhookCreateSchema = z
  .strictObject({
    url: storable(z.string().max(2000)).meta({ example: 'https://partner.example/hooks/kopij' }),
    events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).max(WEBHOOK_EVENTS.length),
  })
  .meta({ example: { url: 'https://partner.example/hooks/kopij', events: ['article.*'] } });
component(WebhookCreateSchema, 'WebhookCreate');

export const DeliverySchema = z
  .object({
    id: z.string().meta({ description: 'The webhook-id header: the same on every retry.' }),
    event: z.string(),
    changeSeq: z.number().int(),
    status: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.array(
      z.object({
        attempt: z.number().int(),
        at: TimestampSchema,
        statusCode: z.number().int().nullable(),
        error: z.string().nullable(),
        durationMs: z.number().int(),
      }),
    ),
    nextAttemptAt: TimestampSchema.nullable(),
    createdAt: TimestampSchema,
    deliveredAt: TimestampSchema.nullable(),
  })
  .meta({ description: 'One event sent to one webhook, with every attempt.' });
component(DeliverySchema, 'WebhookDelivery');

export const WebhookParamsSchema = z.strictObject({ id: z.uuid().meta({ description: 'The webhook id.' }) });
