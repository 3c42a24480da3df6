import http from 'node:http';
import https from 'node:https';
import ipaddr from 'ipaddr.js';
import { guardedLookup, isPublicAddress, type Resolver } from './ssrf.js';

export const RESPONSE_CAP_BYTES = 64 * 1024;

export interface SendResult {
  statusCode: number | null;
  error: string | null;
}

/** Connections kept open between deliveries to the same receiver. */
export interface Agents {
  http: http.Agent;
  https: https.Agent;
}

/**
 * How long a kept connection may sit idle: under the keep-alive timeouts receivers commonly
 * use (5 s and up), so that it is rarely reused just as the receiver closes it.
 */
const IDLE_MS = 4_000;

/**
 * Keep-alive agents for a worker: a receiver of a stream of events gets them over a few
 * open connections instead of a new one (and TLS handshake) each. A connection is made only
 * through the SSRF guard's lookup, so a kept one leads to an address it accepted; one the
 * receiver closes is dropped (Node honours its Keep-Alive timeout). At most `perHost` at
 * once to one receiver, as many as a worker's round can use.
 */
export function keepAliveAgents(perHost: number): Agents {
  const options = { keepAlive: true, maxSockets: perHost, maxFreeSockets: perHost, timeout: IDLE_MS };
  return { http: new http.Agent(options), https: new https.Agent(options) };
}

/**
 * POSTs one signed delivery. Never follows redirects (a 3xx is a failed attempt), gives up
 * at the timeout, stops reading past 64 KiB, and connects only to addresses the SSRF guard
 * accepted at connect time. Without `agents`, a connection of its own, closed after.
 */
export function send(
  target: string,
  body: string,
  headers: Record<string, string>,
  opts: { timeoutMs: number; allowPrivate: boolean; resolve: Resolver; agents?: Agents },
): Promise<SendResult> {
  return new Promise((resolve) => {
    let settled = false;
    // Declared before done(): a target refused before the request starts settles without one.
    let timer: NodeJS.Timeout | undefined;
    const done = (r: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      return done({ statusCode: null, error: 'invalid URL' });
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (!opts.allowPrivate && ipaddr.isValid(host) && !isPublicAddress(host)) {
      return done({ statusCode: null, error: 'refused: non-public address' });
    }
    const secure = url.protocol === 'https:';
    const client = secure ? https : http;
    let req: http.ClientRequest;
    try {
      req = client.request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'Kopij-Webhooks/1', ...headers },
        lookup: guardedLookup(opts) as never,
        agent: opts.agents ? (secure ? opts.agents.https : opts.agents.http) : false,
      });
    } catch (err) {
      // A URL node will not request (another protocol, a header it refuses): a failed attempt.
      return done({ statusCode: null, error: String((err as Error).message ?? err).slice(0, 300) });
    }
    timer = setTimeout(() => {
      req.destroy();
      done({ statusCode: null, error: `timed out after ${opts.timeoutMs} ms` });
    }, opts.timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) =>
      done({ statusCode: null, error: err.message.slice(0, 300) }),
    );
    req.on('response', (res) => {
      let received = 0;
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > RESPONSE_CAP_BYTES) {
          res.destroy();
          done({
            statusCode: res.statusCode ?? null,
            error: `response larger than ${RESPONSE_CAP_BYTES} bytes`,
          });
        }
      });
      res.on('end', () => done({ statusCode: res.statusCode ?? null, error: null }));
      res.on('error', (err) =>
        done({ statusCode: res.statusCode ?? null, error: err.message.slice(0, 300) }),
      );
    });
    req.end(body);
  });
}
