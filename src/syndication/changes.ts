import { and, asc, gt, inArray, type SQL } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { changes } from '../db/schema.js';
import { setReadCaching } from '../http/caching.js';
import { IdSchema, TimestampSchema } from '../http/fields.js';
import { errorResponses } from '../http/problem.js';
import { component } from '../http/registry.js';
import { visibilityOf } from '../plugins/auth.js';

const TYPES = ['article', 'quote', 'person', 'place'] as const;
const NIL = '00000000-0000-0000-0000-000000000000';

export const ChangeSchema = z
  .object({
    seq: z.number().int().meta({ description: 'Position in the log: strictly increasing.' }),
    type: z.enum(TYPES),
    id: IdSchema,
    action: z.enum(['created', 'updated', 'published', 'withdrawn', 'deleted']),
    version: z.number().int(),
    at: TimestampSchema,
  })
  .meta({ description: 'One entry of the ordered change log.' });
component(ChangeSchema, 'Change');

const ChangesQuerySchema = z.strictObject({
  since: z
    .string()
    .max(600)
    .optional()
    .meta({ description: 'The `page.next` of the previous poll; absent: from the start.' }),
  types: z
    .string()
    .max(60)
    .regex(
      /^(article|quote|person|place)(,(article|quote|person|place))*$/,
      'comma-separated: article,quote,person,place',
    )
    .optional()
    .meta({
      description: 'Only changes of these resource types, comma-separated.',
      example: 'article,quote',
    }),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(100)
    .meta({ description: 'Changes per page, 1..100.' }),
});

/**
 * The change log as partners mirror it: oldest first from a cursor naming a sequence
 * number. Readers see only public changes (publishes, updates of public content, and the
 * withdrawal or deletion of what was once public); editors see everything.
 */
const changesRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '',
    {
      schema: {
        operationId: 'listChanges',
        tags: ['syndication'],
        summary: 'The ordered change log, resumable from a cursor',
        querystring: ChangesQuerySchema,
        response: {
          200: z.object({
            data: z.array(ChangeSchema),
            page: z.object({
              next: z.string().meta({ description: 'Always set: resume from here on the next poll.' }),
              limit: z.number().int(),
            }),
          }),
          ...errorResponses(),
        },
      },
      config: { scope: 'read' },
    },
    async (request, reply) => {
      const { since, types, limit } = request.query;
      const after = since ? Number(app.cursors.decode(since, 'seq').v) : 0;
      const v = visibilityOf(request.principal);
      const where: SQL[] = [gt(changes.seq, after)];
      if (!v.preview) where.push(inArray(changes.audience, v.embargo ? ['public', 'embargo'] : ['public']));
      if (types) where.push(inArray(changes.resourceType, types.split(',')));
      const rows = await request.readDb
        .select()
        .from(changes)
        .where(and(...where))
        .orderBy(asc(changes.seq))
        .limit(limit);
      const last = rows.at(-1);
      // An empty page hands back the caller's own position, so polling is idempotent.
      const next = last
        ? app.cursors.encode({ s: 'seq', v: last.seq, i: last.resourceId })
        : (since ?? app.cursors.encode({ s: 'seq', v: 0, i: NIL }));
      setReadCaching(request, reply);
      reply.header('link', `</v1/changes?since=${encodeURIComponent(next)}>; rel="next"`);
      return {
        data: rows.map((r) => ({
          seq: r.seq,
          type: r.resourceType as (typeof TYPES)[number],
          id: r.resourceId,
          action: r.action as z.infer<typeof ChangeSchema>['action'],
          version: r.version,
          at: r.at.toISOString(),
        })),
        page: { next, limit },
      };
    },
  );
};

export default changesRoutes;
