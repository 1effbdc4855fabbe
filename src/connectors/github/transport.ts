// The GitHub client's transport for plain GETs: node:http(s) over keep-alive agents instead of the global fetch.
// Measured on this project's 2-core machine, fetch costs about 2.5× the CPU of node:http per request (a Request, a
// Response, web streams and an AbortSignal of its own each time); every listing page and every 304 is such a GET.
// The answer is read whole here and handed on with its body consumed and its text in `bufferedBodies`, like the
// buffering wrapper would. Anything else (writes, requests with a body) goes to the fallback fetch unchanged.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { bufferedBodies } from '../http/fetch.js';

const MAX_REDIRECTS = 20;

export function keepAliveFetch(sockets: number, fallback: typeof fetch = globalThis.fetch): typeof fetch {
  // Idle sockets are closed before a server's usual 5 s keep-alive timeout, so a reused one is rarely already gone.
  const agents = {
    'http:': new HttpAgent({ keepAlive: true, maxSockets: sockets, timeout: 4000 }),
    'https:': new HttpsAgent({ keepAlive: true, maxSockets: sockets, timeout: 4000 }),
  };
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const method = (init?.method ?? 'GET').toUpperCase();
    if (typeof input !== 'string' || method !== 'GET' || (init?.body !== undefined && init.body !== null)) return fallback(input, init);
    const headers: Record<string, string> = {};
    (init?.headers instanceof Headers ? init.headers : new Headers(init?.headers)).forEach((v, k) => { headers[k] = v; });
    let url = new URL(input);
    for (let hop = 0; ; hop++) {
      const res = await get(url, headers, agents, init?.signal ?? undefined);
      const location = res.status >= 300 && res.status < 400 && res.status !== 304 ? res.headers.get('location') : null;
      if (!location || hop >= MAX_REDIRECTS) return res;
      // As fetch does: follow, and never carry the credentials to another origin.
      const next = new URL(location, url);
      if (next.origin !== url.origin) delete headers.authorization;
      url = next;
    }
  }) as typeof fetch;
}

function get(url: URL, headers: Record<string, string>, agents: { 'http:': HttpAgent; 'https:': HttpsAgent }, signal?: AbortSignal): Promise<Response> {
  return new Promise<Response>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const https = url.protocol === 'https:';
    if (!https && url.protocol !== 'http:') return reject(new TypeError(`unsupported protocol ${url.protocol}`));
    let settled = false;
    const fail = (e: unknown) => { if (!settled) { settled = true; signal?.removeEventListener('abort', onAbort); reject(e); } };
    // Like fetch: a timeout or a stopped run rejects with the signal's own reason.
    const onAbort = () => { req.destroy(); fail(signal!.reason); };
    const onResponse = (res: IncomingMessage) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('error', fail);
      res.on('close', () => { if (!res.complete) fail(new Error(`connection closed before the body of ${url.origin}${url.pathname} was complete`)); });
      res.on('end', () => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        const h = new Headers();
        const raw = res.rawHeaders;
        for (let i = 0; i < raw.length; i += 2) h.append(raw[i]!, raw[i + 1]!);
        // Only what the shared layer and the client read: status, headers, the final URL; the body is in the registry.
        const out = { status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers: h, url: url.href, ok: (res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300,
          redirected: false, type: 'basic', body: null, bodyUsed: true } as unknown as Response;
        bufferedBodies.set(out, text);
        resolve(out);
      });
    };
    const req = (https ? httpsRequest : httpRequest)(url, { method: 'GET', headers, agent: agents[https ? 'https:' : 'http:'] }, onResponse);
    req.on('error', fail);
    signal?.addEventListener('abort', onAbort, { once: true });
    req.end();
  });
}
