import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { RevisionParamsSchema } from '../../content/revisions.js';
import { requireIfMatch, writeTargetId } from '../../content/write.js';
import { versionEtag } from '../../http/etag.js';
import { errorResponses } from '../../http/problem.js';
import { component } from '../../http/registry.js';
import { visibilityOf } from '../../plugins/auth.js';
import { findArticle, toArticle } from './repository.js';
import { ArticleSchema } from './schemas.js';
import { restoreArticle } from './service.js';

export const RestoreSchema = z
  .strictObject({})
  // Fastify hands a bodiless POST to the validator as null.
  .nullish()
  .meta({ description: 'No body: the version in the path is what is restored.' });
component(RestoreSchema, 'ArticleRestore');

/** `POST /v1/articles/{ref}/revisions/{version}/restore` (register with prefix /v1/articles). */
const restoreRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/:ref/revisions/:version/restore',
    {
      schema: {
        operationId: 'restoreArticleRevision',
        tags: ['articles'],
        summary: 'Restore the content of an earlier version as a new version (If-Match required)',
        description:
          'Headline, standfirst, body, byline, credit, tags, people, places, canonical URL, language, ' +
          'slug and embargo become those of the given version, as a new version: history keeps every ' +
          'version. Status and publication times are not changed. 422 when a person or place that ' +
          'version names no longer exists; 409 when its embargo is still to come and the article is ' +
          'public already (withdraw it first).',
        params: RevisionParamsSchema,
        body: RestoreSchema,
        response: { 200: ArticleSchema, ...errorResponses(403, 404, 409, 412, 413, 415, 422, 428) },
      },
      config: { scope: 'write' },
    },
    async (request, reply) => {
      const ifMatch = requireIfMatch(request);
      const v = visibilityOf(request.principal);
      const { ref } = request.params;
      const row = await restoreArticle(
        app.db.db,
        await writeTargetId(ref, v.preview, () => findArticle(app.db.db, ref, v), 'article'),
        ifMatch,
        request.params.version,
        request.principal!.name,
        request.idempotency,
      );
      reply.header('etag', versionEtag(row.version));
      return toArticle(row);
    },
  );
};

export default restoreRoutes;
