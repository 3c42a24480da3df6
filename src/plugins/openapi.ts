import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createJsonSchemaTransform, createJsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { registry } from '../http/registry.js';
import { DOCS_HEADERS, setHeaders } from './security-headers.js';

export const API_VERSION = '1.0.0';

export default fp(async function openapiPlugin(app: FastifyInstance) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Kopij',
        version: API_VERSION,
        description:
          'A headless CMS for newsrooms: articles, quotes, people and places as JSON. ' +
          'Errors are RFC 9457 problems (application/problem+json). Reads of published content need no key ' +
          'unless the server runs with PUBLIC_READ=false; writes need a key with the `write` scope.',
      },
      servers: [{ url: '/' }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An API key: Authorization: Bearer <key>' },
        },
      },
      security: [{ bearer: [] }, {}],
      tags: [
        { name: 'articles', description: 'News articles and their workflow' },
        { name: 'quotes', description: 'Statements by people' },
        { name: 'people', description: 'People quoted or mentioned' },
        { name: 'places', description: 'Places, nested' },
        { name: 'syndication', description: 'Change log, feeds and news formats for partners' },
        { name: 'webhooks', description: 'Signed event deliveries (admin)' },
        { name: 'keys', description: 'API keys (admin)' },
        { name: 'operations', description: 'Health and readiness' },
      ],
    },
    transform: createJsonSchemaTransform({
      schemaRegistry: registry,
      skipList: ['/docs', '/docs/*', '/openapi.json'],
    }),
    transformObject: createJsonSchemaTransformObject({ schemaRegistry: registry }),
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { persistAuthorization: true },
    uiHooks: { onRequest: setHeaders(DOCS_HEADERS) },
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
});
