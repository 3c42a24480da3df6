import { z } from 'zod';
import { PROBLEM_BASE, type ProblemCode, problemTypes } from '../errors.js';
import { component } from './registry.js';

export const ProblemSchema = z
  .object({
    type: z.string().meta({ example: `${PROBLEM_BASE}validation` }),
    title: z.string().meta({ example: 'Invalid request' }),
    status: z.number().int().meta({ example: 400 }),
    detail: z.string().meta({ example: 'body.name: Too small: expected string to have >=1 characters' }),
    requestId: z.string().optional().meta({ description: 'Quote it when you report a problem.' }),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .meta({ description: 'The offending fields, by path.' }),
  })
  .meta({ description: 'An RFC 9457 problem (application/problem+json).' });
component(ProblemSchema, 'Problem');

export type Problem = z.infer<typeof ProblemSchema>;

export function problemBody(
  code: ProblemCode,
  detail: string,
  requestId: string,
  errors?: Problem['errors'],
) {
  const t = problemTypes[code];
  const body: Problem = { type: PROBLEM_BASE + code, title: t.title, status: t.status, detail, requestId };
  if (errors?.length) body.errors = errors;
  return body;
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request: `errors` names the offending fields.',
  401: 'Missing, malformed, unknown or revoked API key.',
  403: 'The API key lacks the scope this operation needs.',
  404: 'No such resource, or not visible to this caller.',
  409: 'Conflicts with the current state: a reference, a unique slug, a workflow step.',
  412: 'If-Match does not name the current version.',
  413: 'The body is larger than the limit.',
  415: 'The body is not JSON.',
  422: 'Well-formed, but refers to something that does not exist.',
  428: 'If-Match is required.',
  429: 'Rate limit exceeded; retry after Retry-After seconds.',
  503: 'Database unavailable or overloaded; retry after Retry-After seconds.',
};

export const problemResponse = (status: number) => ({
  description: DESCRIPTIONS[status] ?? 'Error',
  content: { 'application/problem+json': { schema: ProblemSchema } },
});

/** The error responses a route can give, for its `response` schema (and so the OpenAPI document). */
export function errorResponses(...statuses: number[]) {
  const all = [...new Set([400, 401, 429, 503, ...statuses])].sort((a, b) => a - b);
  return Object.fromEntries(all.map((s) => [s, problemResponse(s)])) as Record<
    number,
    ReturnType<typeof problemResponse>
  >;
}
