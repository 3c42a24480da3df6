import { createHash } from 'node:crypto';

/** The strong ETag of a stored version: `"7"`. */
export const versionEtag = (version: number) => `"${version}"`;

/** An ETag that also covers included resources: `"7-3f2a9c…"`, so a 304 is never stale. */
export function compositeEtag(
  version: number,
  parts: ReadonlyArray<{ id: string; version: number }>,
): string {
  if (parts.length === 0) return versionEtag(version);
  const h = createHash('sha256');
  for (const p of parts) h.update(`${p.id}:${p.version};`);
  return `"${version}-${h.digest('hex').slice(0, 16)}"`;
}

/** RFC 9110 weak comparison for If-None-Match: does any listed tag match? */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === bare);
}

/** The version an ETag names: `"7"` and `"7-3f2a…"` (with includes) both name 7. */
const versionOf = (tag: string): number | undefined => {
  const m = /^(?:W\/)?"([0-9]{1,10})(?:-[^"]*)?"$/.exec(tag.trim());
  return m ? Number(m[1]) : undefined;
};

/**
 * Does If-None-Match name a later version than this ETag's? Then the caller has seen a write
 * that whatever produced this ETag (a lagging replica, a cache not yet notified) has not.
 */
export function namesNewerVersion(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const version = versionOf(etag);
  if (version === undefined) return false;
  return header.split(',').some((tag) => (versionOf(tag) ?? 0) > version);
}

/**
 * Parses If-Match for a write. Only a single strong tag naming a version is accepted: a weak
 * tag can never match strongly (RFC 9110 §13.1.1), so it fails like a stale one.
 * Returns the version, `'*'`, or `null` when the header cannot match any stored version.
 */
export function parseIfMatch(header: string): number | '*' | null {
  const v = header.trim();
  if (v === '*') return '*';
  const m = /^"([1-9][0-9]{0,9})"$/.exec(v);
  return m ? Number(m[1]) : null;
}
