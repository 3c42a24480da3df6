import { and, desc, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Executor } from '../db/client.js';
import { revisions } from '../db/schema.js';
import { notFound } from '../errors.js';
import { varyOn } from '../http/caching.js';
import { versionEtag } from '../http/etag.js';
import { RefParamsSchema, TimestampSchema } from '../http/fields.js';
import { errorResponses } from '../http/problem.js';
import { component } from '../http/registry.js';
import type { ResourceType } from './write.js';

export const RevisionSummarySchema = z.object({
  version: z.number().int(),
  action: z.enum(['created', 'updated', 'published', 'withdrawn', 'deleted']),
  updatedAt: TimestampSchema,
  changedBy: z.string().meta({ description: 'Name of the API key that made the change.' }),
});
component(RevisionSummarySchema, 'RevisionSummary');

/** `{ref}` and `{version}` of a revision route. */
export const RevisionParamsSchema = RefParamsSchema.extend({
  version: z.coerce
    .number()
    .int()
    .min(1)
    .max(2_147_483_647)
    .meta({ description: 'A version of the resource: 1 is its creation.' }),
});

export async function listRevisions(tx: Executor, type: ResourceType, id: string) {
  const rows = await tx
    .select({
      version: revisions.version,
      action: revisions.action,
      at: revisions.createdAt,
      by: revisions.changedBy,
    })
    .from(revisions)
    .where(and(eq(revisions.resourceType, type), eq(revisions.resourceId, id)))
    .orderBy(desc(revisions.version));
  return rows.map((r) => ({
    version: r.version,
    action: r.action as z.infer<typeof RevisionSummarySchema>['action'],
    updatedAt: r.at.toISOString(),
    changedBy: r.by,
  }));
}

export async function getRevision(tx: Executor, type: ResourceType, id: string, version: number) {
  const rows = await tx
    .select({ data: revisions.data, action: revisions.action })
    .from(revisions)
    .where(
      and(eq(revisions.resourceType, type), eq(revisions.resourceId, id), eq(revisions.version, version)),
    )
    .limit(1);
  const row = rows[0];
  // A delete's tombstone records who deleted and when, but it is not a version to show.
  return row && row.action !== 'deleted' ? row.data : undefined;
}

export interface RevisionRoutesOptions {
  type: ResourceType;
  /** Singular, capitalised, for operation ids: `Person` -> listPersonRevisions. */
  name: string;
  tag: string;
  schema: z.ZodType<Record<string, unknown>>;
  /** Resolves a ref to an id, under the caller's visibility. */
  resolve: (
    app: FastifyInstance,
    ref: string,
    request: import('fastify').FastifyRequest,
  ) => Promise<string | undefined>;
}

/** History routes, the same for every resource: who changed what, and each version as it was. */
export function revisionRoutes(opts: RevisionRoutesOptions): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/:ref/revisions',
      {
        schema: {
          operationId: `list${opts.name}Revisions`,
          tags: [opts.tag],
          summary: `Versions of a ${opts.type}, newest first`,
          params: RefParamsSchema,
          response: { 200: z.object({ data: z.array(RevisionSummarySchema) }), ...errorResponses(403, 404) },
        },
        // History shows unpublished states and who made them: editors only.
        config: { scope: 'preview' },
      },
      async (request, reply) => {
        const id = await opts.resolve(app, request.params.ref, request);
        if (!id) throw notFound(opts.type);
        reply.header('cache-control', 'private, no-store');
        varyOn(reply, 'Authorization');
        return { data: await listRevisions(app.db.db, opts.type, id) };
      },
    );
    app.get(
      '/:ref/revisions/:version',
      {
        schema: {
          operationId: `get${opts.name}Revision`,
          tags: [opts.tag],
          summary: `One version of a ${opts.type}, as it was`,
          params: RevisionParamsSchema,
          response: { 200: opts.schema, ...errorResponses(403, 404) },
        },
        config: { scope: 'preview' },
      },
      async (request, reply) => {
        const id = await opts.resolve(app, request.params.ref, request);
        if (!id) throw notFound(opts.type);
        const data = await getRevision(app.db.db, opts.type, id, request.params.version);
        if (!data) throw notFound('revision');
        reply.header('cache-control', 'private, no-store');
        varyOn(reply, 'Authorization');
        reply.header('etag', versionEtag(request.params.version));
        return data;
      },
    );
  };
}
