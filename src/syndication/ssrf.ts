import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

/** Resolves a host name to all its addresses; injectable so tests can play DNS rebinding. */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/**
 * Only globally routable unicast addresses. ipaddr.process() unwraps IPv4-mapped IPv6
 * (::ffff:127.0.0.1) first, so a loopback in disguise is still loopback.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
}

export class UnsafeUrlError extends Error {}

function bareHost(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/**
 * Checks a webhook URL before anything connects to it. The WHATWG URL parser has already
 * normalised numeric tricks (2130706433, 0x7f.1, 127.1) into dotted IPv4, so checking the
 * parsed host catches them. Names are resolved and every address must be public.
 */
export async function assertSafeUrl(
  raw: string | URL,
  opts: { allowPrivate: boolean; resolve: Resolver },
): Promise<URL> {
  let url: URL;
  try {
    url = typeof raw === 'string' ? new URL(raw) : raw;
  } catch {
    throw new UnsafeUrlError('is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UnsafeUrlError('must be http or https');
  if (url.username || url.password) throw new UnsafeUrlError('must not carry credentials');
  if (opts.allowPrivate) return url;
  const host = bareHost(url);
  if (ipaddr.isValid(host)) {
    if (!isPublicAddress(host)) throw new UnsafeUrlError('must point to a public address');
    return url;
  }
  const name = host.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost') || !name.includes('.')) {
    throw new UnsafeUrlError('must point to a public address');
  }
  let addresses: LookupAddress[];
  try {
    addresses = await opts.resolve(name);
  } catch {
    throw new UnsafeUrlError('host name does not resolve');
  }
  if (addresses.length === 0 || !addresses.every((a) => isPublicAddress(a.address))) {
    throw new UnsafeUrlError('must point to a public address');
  }
  return url;
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for http.request that resolves, refuses any non-public address, and hands the
 * checked address to the socket: the check and the connection use the same answer, so a
 * DNS rebinding between them is impossible.
 */
export function guardedLookup(opts: { allowPrivate: boolean; resolve: Resolver }) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback) => {
    opts
      .resolve(hostname)
      .then((addresses) => {
        const allowed = opts.allowPrivate ? addresses : addresses.filter((a) => isPublicAddress(a.address));
        if (allowed.length === 0 || allowed.length !== addresses.length) {
          const err: NodeJS.ErrnoException = new Error(
            `refused: ${hostname} resolves to a non-public address`,
          );
          err.code = 'ESSRF';
          callback(err, '', 4);
          return;
        }
        if (options.all) callback(null, allowed);
        else callback(null, allowed[0]!.address, allowed[0]!.family);
      })
      .catch((err: NodeJS.ErrnoException) => callback(err, '', 4));
  };
}
