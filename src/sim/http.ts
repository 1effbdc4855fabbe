// Shared plumbing of the provider simulators: a server bound to 127.0.0.1 only, injected latency, and a fault plan
// that tests and benchmarks use to make a provider throttle, fail, hang or truncate on purpose.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface Fault {
  /** Which requests: a substring or regex of "METHOD /path?query". Default: all. */
  match?: string | RegExp;
  /** What to do. */
  kind: 'status' | 'throttle' | 'reset' | 'hang' | 'truncate' | 'malformed' | 'empty';
  /** HTTP status for kind 'status' (e.g. 500, 502, 403). */
  status?: number;
  /** Retry-After seconds for 'throttle'. */
  retryAfter?: number;
  /** How many matching requests it affects; Infinity for all. */
  times: number;
  /** Skip this many matching requests before starting. */
  after?: number;
}

export class FaultPlan {
  private readonly faults: (Fault & { seen: number; used: number })[] = [];
  injected = 0;
  add(f: Fault): this { this.faults.push({ ...f, seen: 0, used: 0 }); return this; }
  clear(): void { this.faults.length = 0; }
  /** The fault to apply to this request, if any (consumes one use). */
  take(method: string, url: string): Fault | undefined {
    const line = `${method} ${url}`;
    for (const f of this.faults) {
      const hit = !f.match || (typeof f.match === 'string' ? line.includes(f.match) : f.match.test(line));
      if (!hit) continue;
      f.seen++;
      if (f.seen <= (f.after ?? 0) || f.used >= f.times) continue;
      f.used++;
      this.injected++;
      return f;
    }
    return undefined;
  }
}

export interface SimServer { url: string; port: number; server: Server; close(): Promise<void> }

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void | Promise<void>;

export interface ServeOptions {
  latencyMs?: number;
  tls?: { key: string; cert: string };
  faults?: FaultPlan;
  /** Writes a fault's response in the provider's own error shape. */
  faultResponse?: (res: ServerResponse, f: Fault) => void;
}

export async function serve(handler: Handler, opts: ServeOptions = {}): Promise<SimServer> {
  const sockets = new Set<import('node:net').Socket>();
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (opts.latencyMs) await new Promise((r) => setTimeout(r, opts.latencyMs));
      const fault = opts.faults?.take(req.method ?? 'GET', req.url ?? '/');
      try {
        if (fault) return applyFault(req, res, fault, handler, body, opts);
        await handler(req, res, body);
      } catch (e) {
        if (!res.headersSent) { res.statusCode = 500; res.setHeader('content-type', 'application/json'); }
        res.end(JSON.stringify({ message: `simulator error: ${(e as Error).message}` }));
      }
    });
  };
  const server = opts.tls ? createHttpsServer({ key: opts.tls.key, cert: opts.tls.cert }, listener) : createHttpServer(listener);
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    server,
    close: () => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }),
  };
}

async function applyFault(req: IncomingMessage, res: ServerResponse, f: Fault, handler: Handler, body: string, opts: ServeOptions): Promise<void> {
  switch (f.kind) {
    case 'reset': req.socket.destroy(); return;
    case 'hang': return; // never answers: the client's timeout must fire
    case 'status':
    case 'throttle':
      if (opts.faultResponse) return opts.faultResponse(res, f);
      res.statusCode = f.kind === 'throttle' ? 429 : f.status ?? 500;
      if (f.kind === 'throttle') res.setHeader('retry-after', String(f.retryAfter ?? 1));
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ message: 'injected fault' }));
      return;
    case 'truncate':
    case 'malformed':
    case 'empty': {
      // Run the real handler, then damage what it would have sent.
      const origEnd = res.end.bind(res);
      const origWrite = res.write.bind(res);
      const parts: Buffer[] = [];
      (res as unknown as { write: (c: unknown) => boolean }).write = (c: unknown) => { parts.push(Buffer.from(c as string)); return true; };
      (res as unknown as { end: (c?: unknown) => ServerResponse }).end = (c?: unknown) => {
        if (c) parts.push(Buffer.from(c as string));
        const full = Buffer.concat(parts).toString('utf8');
        res.removeHeader('content-length');
        if (f.kind === 'truncate') { origWrite(full.slice(0, Math.max(1, Math.floor(full.length / 2)))); req.socket.destroy(); return res; }
        if (f.kind === 'malformed') return origEnd(full.slice(0, Math.floor(full.length / 2)) + '<<not valid>>');
        return origEnd(emptyLike(full));
      };
      await handler(req, res, body);
      return;
    }
  }
}

/** An empty page in the provider's own shape: an empty JSON array, or a JSON object with its arrays emptied. */
function emptyLike(full: string): string {
  try {
    const v = JSON.parse(full) as unknown;
    if (Array.isArray(v)) return '[]';
    if (v && typeof v === 'object') {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) o[k] = Array.isArray(x) ? [] : x;
      return JSON.stringify(o);
    }
  } catch { /* not JSON: leave the body alone */ }
  return full;
}

export function json(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.end(JSON.stringify(value));
}

/** A seeded pseudo-random generator (mulberry32), so a seeded estate is the same on every machine. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
