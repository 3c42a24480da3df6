/**
 * Every error the API answers with, as RFC 9457 problem types. Handlers throw these; the one
 * error handler (plugins/errors.ts) turns them, and framework and database errors, into
 * application/problem+json.
 */
export interface FieldError {
  /** Where the problem is, e.g. `body.aliases.3` or `query.limit`. */
  path: string;
  message: string;
}

export const PROBLEM_BASE = 'https://kopij.dev/problems/';

export const problemTypes = {
  validation: { status: 400, title: 'Invalid request' },
  'bad-request': { status: 400, title: 'Bad request' },
  unauthorized: { status: 401, title: 'Authentication required' },
  forbidden: { status: 403, title: 'Forbidden' },
  'not-found': { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'Conflict' },
  'request-timeout': { status: 408, title: 'Request timeout' },
  'precondition-failed': { status: 412, title: 'Precondition failed' },
  'payload-too-large': { status: 413, title: 'Payload too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  unprocessable: { status: 422, title: 'Unprocessable content' },
  'precondition-required': { status: 428, title: 'Precondition required' },
  'headers-too-large': { status: 431, title: 'Request header fields too large' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal server error' },
  unavailable: { status: 503, title: 'Service unavailable' },
} as const;

export type ProblemCode = keyof typeof problemTypes;

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.status = problemTypes[code].status;
  }
}

export const validationError = (path: string, message: string) =>
  new ApiError('validation', `${path}: ${message}`, [{ path, message }]);

export const notFound = (what = 'resource') => new ApiError('not-found', `No such ${what}.`);

export const conflict = (detail: string, errors?: FieldError[]) => new ApiError('conflict', detail, errors);

export const unprocessable = (path: string, message: string) =>
  new ApiError('unprocessable', `${path}: ${message}`, [{ path, message }]);

export const preconditionFailed = (current?: number) =>
  new ApiError(
    'precondition-failed',
    current === undefined
      ? 'If-Match does not match the current version.'
      : `If-Match does not match the current version ("${current}"); fetch it again and retry.`,
  );

export const preconditionRequired = () =>
  new ApiError(
    'precondition-required',
    'This request needs an If-Match header with the version you are changing, e.g. If-Match: "3".',
    [{ path: 'headers.if-match', message: 'required' }],
  );

export const unauthorized = (detail = 'Send a valid API key as Authorization: Bearer <key>.') =>
  new ApiError('unauthorized', detail, undefined, { 'www-authenticate': 'Bearer realm="kopij"' });

export const forbidden = (scope: string) =>
  new ApiError('forbidden', `This API key lacks the '${scope}' scope needed here.`);

export const unavailable = (detail = 'The database is unavailable; retry shortly.') =>
  new ApiError('unavailable', detail, undefined, { 'retry-after': '5' });
