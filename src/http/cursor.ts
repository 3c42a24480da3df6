import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { validationError } from '../errors.js';

/**
 * Opaque keyset cursors: the sort they belong to, the last row's sort value and id, signed
 * with the server's secret. A cursor that was altered, or that belongs to another sort, is a
 * 400 rather than a query with attacker-chosen values.
 */
const PayloadSchema = z.strictObject({
  s: z.string().max(40),
  v: z.union([z.string().max(100), z.number(), z.null()]),
  i: z.uuid(),
});
export type CursorPayload = z.infer<typeof PayloadSchema>;

export interface CursorCodec {
  encode(payload: CursorPayload): string;
  decode(cursor: string, sort: string): CursorPayload;
}

export function createCursorCodec(secret: string): CursorCodec {
  const sign = (data: string) => createHmac('sha256', secret).update(data).digest().subarray(0, 16);
  const bad = () => validationError('query.cursor', 'is not a cursor this list gave out');
  return {
    encode(payload) {
      const data = Buffer.from(JSON.stringify(payload)).toString('base64url');
      return `${data}.${sign(data).toString('base64url')}`;
    },
    decode(cursor, sort) {
      const [data, mac, extra] = cursor.split('.');
      if (!data || !mac || extra !== undefined) throw bad();
      const given = Buffer.from(mac, 'base64url');
      const expected = sign(data);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw bad();
      let json: unknown;
      try {
        json = JSON.parse(Buffer.from(data, 'base64url').toString('utf8'));
      } catch {
        throw bad();
      }
      const parsed = PayloadSchema.safeParse(json);
      if (!parsed.success || parsed.data.s !== sort) throw bad();
      return parsed.data;
    },
  };
}
