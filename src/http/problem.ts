import { z } from 'zod';
import { PROBLEM_BASE, type ProblemCode, problemTypes } from '../errors.js';
import { registry } from './registry.js';

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
registry.add(ProblemSchema, { id: 'Problem' });

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

/** The error responses a route can give, for its `response` schema (and so the OpenAPI document). */
export function errorResponses(...statuses: number[]): Record<number, typeof ProblemSchema> {
  const all = [...new Set([400, 401, 429, 503, ...statuses])].sort((a, b) => a - b);
  return Object.fromEntries(all.map((s) => [s, ProblemSchema]));
}
