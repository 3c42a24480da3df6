import { and, asc, gt, lte, type SQL, sql } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CHANGE_LOG_LOCK } from '../content/write.js';
import type { Executor } from '../db/client.js';
import { inWriteSlot } from '../db/pool.js';
import { driverRows, preparedPerDb } from '../db/prepared.js';
import { changes } from '../db/schema.js';
import { setReadCaching } from '../http/caching.js';
import { IdSchema, TimestampSchema } from '../http/fields.js';
import { errorResponses } from '../http/problem.js';
import { component } from '../http/registry.js';
import { type Visibility, visibilityOf } from '../plugins/auth.js';

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

type Change = z.infer<typeof ChangeSchema>;

/**
 * A page of the log, as a statement prepared per caller visibility and with or without a type
 * filter, whose rows are mapped by hand: drizzle's generic mapping of 100 rows was a fifth of
 * the CPU of a page. int8 comes as text from node-postgres, so seq is made a number here.
 */
const pageStatement = preparedPerDb(
  'kopij_changes',
  (db, key: `${Visibility['preview']}_${Visibility['embargo']}_${boolean}`, name) => {
    const [preview, embargo, typed] = key.split('_').map((x) => x === 'true');
    const where: SQL[] = [gt(changes.seq, sql.placeholder('after'))];
    // Drafts' changes may commit out of seq order (see changeLogCtes): an editor's page ends
    // where every change has committed.
    if (preview) where.push(lte(changes.seq, sql.placeholder('settled')));
    // Literals, not parameters: a generic plan can then use the index of non-private entries.
    const audiences = sql.raw(embargo ? "'public', 'embargo'" : "'public'");
    if (!preview) where.push(sql`${changes.audience} in (${audiences})`);
    if (typed) where.push(sql`${changes.resourceType} = any(${sql.placeholder('types')}::text[])`);
    return db
      .select({
        seq: changes.seq,
        resourceType: changes.resourceType,
        resourceId: changes.resourceId,
        action: changes.action,
        version: changes.version,
        at: changes.at,
      })
      .from(changes)
      .where(and(...where))
      .orderBy(asc(changes.seq))
      .limit(sql.placeholder('n'))
      .prepare(name);
  },
);

/**
 * A seq at or below which every change has committed or rolled back, for good. The log's lock,
 * taken alone, waits for every change in flight (each holds it to its commit); those numbered
 * up to the highest committed before this statement began are then settled. Changes drawn later
 * (each taking the lock after this one is released) are numbered higher. Public and partner
 * pages need none of this: every change they may see takes the lock alone, so commits in order.
 */
const settledStatement = preparedPerDb('kopij_settled', (db, _key: 'seq', name) =>
  db
    .select({ settled: sql`(select coalesce(max(${changes.seq}), 0) from ${changes})`.as('settled') })
    .from(sql`(select pg_advisory_xact_lock(${sql.raw(String(CHANGE_LOG_LOCK))})) as locked`)
    .prepare(name),
);

/** It may wait for the lock like a write: in a write slot, so that it cannot starve plain reads. */
async function settledSeq(db: Executor): Promise<number> {
  const [row] = await inWriteSlot(db, () => driverRows(settledStatement(db, 'seq'), {}));
  return Number(row!.settled);
}

async function changesPage(
  db: Executor,
  v: Visibility,
  after: number,
  types: string | undefined,
  limit: number,
): Promise<Change[]> {
  const statement = pageStatement(db, `${v.preview}_${v.embargo}_${types !== undefined}`);
  const settled = v.preview ? { settled: await settledSeq(db) } : {};
  // The types passed the query schema's pattern: plain words and commas, an array literal as is.
  const rows = await driverRows(statement, {
    after,
    n: limit,
    ...settled,
    ...(types ? { types: `{${types}}` } : {}),
  });
  return rows.map((r) => ({
    seq: Number(r.seq),
    type: r.resource_type as Change['type'],
    id: r.resource_id as string,
    action: r.action as Change['action'],
    version: r.version as number,
    at: new Date(r.at as string).toISOString(),
  }));
}

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
      const data = await changesPage(request.readDb, visibilityOf(request.principal), after, types, limit);
      const last = data.at(-1);
      // An empty page hands back the caller's own position, so polling is idempotent.
      const next = last
        ? app.cursors.encode({ s: 'seq', v: last.seq, i: last.id })
        : (since ?? app.cursors.encode({ s: 'seq', v: 0, i: NIL }));
      setReadCaching(request, reply);
      reply.header('link', `</v1/changes?since=${encodeURIComponent(next)}>; rel="next"`);
      return {
        data,
        page: { next, limit },
      };
    },
  );
};

export default changesRoutes;
