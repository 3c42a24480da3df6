import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listNamed } from '../../content/name-list.js';
import { revisionRoutes } from '../../content/revisions.js';
import { requireIfMatch, writeTargetId } from '../../content/write.js';
import { people } from '../../db/schema.js';
import { notFound } from '../../errors.js';
import { sendWithEtag, setReadCaching } from '../../http/caching.js';
import { versionEtag } from '../../http/etag.js';
import { RefParamsSchema } from '../../http/fields.js';
import { listEnvelope, page } from '../../http/list.js';
import { errorResponses } from '../../http/problem.js';
import { selfTag } from '../../plugins/response-cache.js';
import { findPerson, toPerson } from './repository.js';
import { PeopleQuerySchema, PersonCreateSchema, PersonPatchSchema, PersonSchema } from './schemas.js';
import { createPerson, patchPerson, removePerson } from './service.js';

const tags = ['people'];

const peopleRoutes: FastifyPluginAsyncZod = async (app) => {
  const db = () => app.db.db;

  app.get(
    '',
    {
      schema: {
        operationId: 'listPeople',
        tags,
        summary: 'List people',
        querystring: PeopleQuerySchema,
        response: { 200: listEnvelope(PersonSchema), ...errorResponses() },
      },
      config: { scope: 'read' },
    },
    async (request, reply) => {
      const result = await listNamed(request.readDb, people, request.query, app.cursors);
      setReadCaching(request, reply);
      return page(request, reply, {
        ...result,
        limit: request.query.limit,
        codec: app.cursors,
        toApi: toPerson,
      });
    },
  );

  app.post(
    '',
    {
      schema: {
        operationId: 'createPerson',
        tags,
        summary: 'Create a person',
        body: PersonCreateSchema,
        response: { 201: PersonSchema, ...errorResponses(403, 409, 413, 415, 422) },
      },
      config: { scope: 'write' },
    },
    async (request, reply) => {
      const row = await createPerson(db(), request.body, request.principal!.name, request.idempotency);
      reply.code(201).header('location', `/v1/people/${row.id}`).header('etag', versionEtag(row.version));
      return toPerson(row);
    },
  );

  app.get(
    '/:ref',
    {
      schema: {
        operationId: 'getPerson',
        tags,
        summary: 'Get a person by id or slug',
        params: RefParamsSchema,
        response: { 200: PersonSchema, 304: z.undefined(), ...errorResponses(404) },
      },
      config: { scope: 'read', cache: selfTag('person'), cacheForPartners: true },
    },
    async (request, reply) => {
      const row = await findPerson(request.readDb, request.params.ref);
      if (!row) throw notFound('person');
      return sendWithEtag(request, reply, versionEtag(row.version), toPerson(row));
    },
  );

  app.patch(
    '/:ref',
    {
      schema: {
        operationId: 'updatePerson',
        tags,
        summary: 'Update a person (JSON Merge Patch, If-Match required)',
        params: RefParamsSchema,
        body: PersonPatchSchema,
        response: { 200: PersonSchema, ...errorResponses(403, 404, 409, 412, 413, 415, 428) },
      },
      config: { scope: 'write' },
    },
    async (request, reply) => {
      const ifMatch = requireIfMatch(request);
      const id = await writeTargetId(
        request.params.ref,
        true, // every caller sees every person
        () => findPerson(db(), request.params.ref),
        'person',
      );
      const row = await patchPerson(db(), id, ifMatch, request.body, request.principal!.name);
      reply.header('etag', versionEtag(row.version));
      return toPerson(row);
    },
  );

  app.delete(
    '/:ref',
    {
      schema: {
        operationId: 'deletePerson',
        tags,
        summary: 'Delete a person (If-Match required; 409 while referred to)',
        params: RefParamsSchema,
        response: { 204: z.undefined(), ...errorResponses(403, 404, 409, 412, 428) },
      },
      config: { scope: 'write' },
    },
    async (request, reply) => {
      const ifMatch = requireIfMatch(request);
      const id = await writeTargetId(
        request.params.ref,
        true, // every caller sees every person
        () => findPerson(db(), request.params.ref),
        'person',
      );
      await removePerson(db(), id, ifMatch, request.principal!.name);
      return reply.code(204).send();
    },
  );

  await app.register(
    revisionRoutes({
      type: 'person',
      name: 'Person',
      tag: 'people',
      schema: PersonSchema,
      resolve: async (a, ref) => (await findPerson(a.db.db, ref))?.id,
    }),
  );
};

export default peopleRoutes;
