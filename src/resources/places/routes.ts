import { eq, type SQL } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listNamed } from '../../content/name-list.js';
import { revisionRoutes } from '../../content/revisions.js';
import { requireIfMatch, writeTargetId } from '../../content/write.js';
import { places } from '../../db/schema.js';
import { notFound } from '../../errors.js';
import { sendWithEtag, setReadCaching } from '../../http/caching.js';
import { versionEtag } from '../../http/etag.js';
import { RefParamsSchema } from '../../http/fields.js';
import { listEnvelope, page } from '../../http/list.js';
import { errorResponses } from '../../http/problem.js';
import { selfTag } from '../../plugins/response-cache.js';
import { findPlace, toPlace } from './repository.js';
import { PlaceCreateSchema, PlacePatchSchema, PlaceSchema, PlacesQuerySchema } from './schemas.js';
import { createPlace, patchPlace, removePlace } from './service.js';

const tags = ['places'];

const placeRoutes: FastifyPluginAsyncZod = async (app) => {
  const db = () => app.db.db;

  app.get(
    '',
    {
      schema: {
        operationId: 'listPlaces',
        tags,
        summary: 'List places',
        querystring: PlacesQuerySchema,
        response: { 200: listEnvelope(PlaceSchema), ...errorResponses(404) },
      },
      config: { scope: 'read' },
    },
    async (request, reply) => {
      const { kind, parent, ...query } = request.query;
      const extra: SQL[] = [];
      if (kind) extra.push(eq(places.kind, kind));
      if (parent) {
        const p = await findPlace(request.readDb, parent);
        if (!p) throw notFound('place');
        extra.push(eq(places.parentId, p.id));
      }
      const result = await listNamed(request.readDb, places, query, app.cursors, extra);
      setReadCaching(request, reply);
      return page(request, reply, { ...result, limit: query.limit, codec: app.cursors, toApi: toPlace });
    },
  );

  app.post(
    '',
    {
      schema: {
        operationId: 'createPlace',
        tags,
        summary: 'Create a place',
        body: PlaceCreateSchema,
        response: { 201: PlaceSchema, ...errorResponses(403, 409, 413, 415, 422) },
      },
      config: { scope: 'write' },
    },
    async (request, reply) => {
      const row = await createPlace(db(), request.body, request.principal!.name, request.idempotency);
      reply.code(201).header('location', `/v1/places/${row.id}`).header('etag', versionEtag(row.version));
      return toPlace(row);
    },
  );

  app.get(
    '/:ref',
    {
      schema: {
        operationId: 'getPlace',
        tags,
        summary: 'Get a place by id or slug',
        params: RefParamsSchema,
        response: { 200: PlaceSchema, 304: z.undefined(), ...errorResponses(404) },
      },
      config: { scope: 'read', cache: selfTag('place'), cacheForPartners: true },
    },
    async (request, reply) => {
      const row = await findPlace(request.readDb, request.params.ref);
      if (!row) throw notFound('place');
      return sendWithEtag(request, reply, versionEtag(row.version), toPlace(row));
    },
  );

  app.patch(
    '/:ref',
    {
      schema: {
        operationId: 'updatePlace',
        tags,
        summary: 'Update a place (JSON Merge Patch, If-Match required; a parent cycle is a 400)',
        params: RefParamsSchema,
        body: PlacePatchSchema,
        response: { 200: PlaceSchema, ...errorResponses(403, 404, 409, 412, 413, 415, 422, 428) },
      },
      config: { scope: 'write' },
    },
    async (request, reply) => {
      const ifMatch = requireIfMatch(request);
      const id = await writeTargetId(
        request.params.ref,
        true, // every caller sees every place
        () => findPlace(db(), request.params.ref),
        'place',
      );
      const row = await patchPlace(db(), id, ifMatch, request.body, request.principal!.name);
      reply.header('etag', versionEtag(row.version));
      return toPlace(row);
    },
  );

  app.delete(
    '/:ref',
    {
      schema: {
        operationId: 'deletePlace',
        tags,
        summary: 'Delete a place (If-Match required; 409 while referred to)',
        params: RefParamsSchema,
        response: { 204: z.undefined(), ...errorResponses(403, 404, 409, 412, 428) },
      },
      config: { scope: 'write' },
    },
    async (request, reply) => {
      const ifMatch = requireIfMatch(request);
      const id = await writeTargetId(
        request.params.ref,
        true, // every caller sees every place
        () => findPlace(db(), request.params.ref),
        'place',
      );
      await removePlace(db(), id, ifMatch, request.principal!.name);
      return reply.code(204).send();
    },
  );

  await app.register(
    revisionRoutes({
      type: 'place',
      name: 'Place',
      tag: 'places',
      schema: PlaceSchema,
      resolve: async (a, ref) => (await findPlace(a.db.db, ref))?.id,
    }),
  );
};

export default placeRoutes;
