// One HTTP layer for every connector: bounded retries with backoff and jitter (honouring Retry-After and
// rate-limit reset headers), a timeout on every attempt, call counters, and ETag revalidation against the cache.
// SDKs that accept a fetch (Octokit, gaxios) use createFetch directly; others reuse retryDelay/classifyStatus.
import pLimit from 'p-limit';
import type { HttpCache } from './cache.js';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Per-attempt timeout. */
  timeoutMs: number;
  /** The longest a rate-limit reset may be waited for before the budget counts as exhausted. */
  maxRateWaitMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 5, baseDelayMs: 250, maxDelayMs: 20_000, timeoutMs: 30_000, maxRateWaitMs: 60_000 };

export interface HttpCounters {
  /** Requests sent to the provider, retries included. */
  calls: number;
  /** Requests answered 304 and served from the cache. */
  cached: number;
  retries: number;
  /** Rate budget consumed, as reported by the provider's own counters, where it reports one. */
  rateBudgetUsed: number;
  rateRemaining: number | null;
}

export function newCounters(): HttpCounters {
  return { calls: 0, cached: 0, retries: 0, rateBudgetUsed: 0, rateRemaining: null };
}

/** The whole source (host, budget) is unavailable: distinct from one odd item. Marks the tenant partial/failed. */
export class SourceUnavailableError extends Error {
  constructor(message: string, readonly status?: number) { super(message); this.name = 'SourceUnavailableError'; }
}

/** The provider's rate budget ran out and its reset is further away than we may wait. */
export class RateBudgetExhaustedError extends SourceUnavailableError {
  constructor(message: string, readonly resetAt?: Date) { super(message, 429); this.name = 'RateBudgetExhaustedError'; }
}

export type Verdict = 'ok' | 'retry' | 'fail';

/** Throttling and server errors are retried; other client errors are answers, not faults. */
export function classifyStatus(status: number, headers?: Headers, bodyText?: string): Verdict {
  if (status === 429 || status === 408 || status >= 500) return 'retry';
  if (status === 403 && headers) {
    // GitHub's primary and secondary limits answer 403 with these markers.
    if (headers.get('retry-after') || headers.get('x-ratelimit-remaining') === '0') return 'retry';
    if (bodyText && /secondary rate limit|rate limit exceeded/i.test(bodyText)) return 'retry';
  }
  return 'ok';
}

/** Delay before retry `attempt` (1-based): the server's word first, else exponential backoff with full jitter. */
export function retryDelay(attempt: number, policy: RetryPolicy, headers?: Headers, now = Date.now()): number {
  const ra = headers?.get('retry-after');
  if (ra) {
    const secs = Number(ra);
    if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
    const at = Date.parse(ra);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  const reset = headers?.get('x-ratelimit-reset');
  if (reset && headers?.get('x-ratelimit-remaining') === '0') {
    const at = Number(reset) * 1000;
    if (Number.isFinite(at)) return Math.max(0, at - now) + 250;
  }
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(cap / 2 + Math.random() * (cap / 2));
}

export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    // The listener goes when the wait ends: a run's signal outlives thousands of waits.
    const onAbort = () => { clearTimeout(t); reject(signal!.reason); };
    const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export interface FetchOptions {
  counters: HttpCounters;
  retry?: RetryPolicy;
  /** Caps requests in flight for this fetch (the provider's concurrency budget). */
  concurrency?: number;
  cache?: HttpCache | null;
  /** Who is asking, so a cached body is only ever served back to the same caller. */
  caller?: string;
  signal?: AbortSignal;
  baseFetch?: typeof fetch;
  /** Headers worth keeping with a cached body (pagination links, content type). */
  keepHeaders?: string[];
  /**
   * The base fetch resolves only once the whole body is read and registers its text in `bufferedBodies`. Then each
   * attempt's timeout and abort listener are released as soon as the base resolves, bodies are taken from the
   * registry instead of a clone, and a 304 is answered with a bodiless 200 whose stored text is in the registry:
   * the caller reads `bufferedBodies` (the GitHub client does, and rebuilds a readable Response for Octokit).
   */
  buffered?: boolean;
}

/**
 * The text of a response whose body was already read (by a buffering base fetch, or from the ETag cache): read it
 * from here, without a clone or a second decode. Only filled for fetches created with `buffered: true`.
 */
export const bufferedBodies = new WeakMap<Response, string>();

/** A use the optimiser cannot drop: holds objects alive until this point. */
let kept: unknown;
function keepAlive(...xs: unknown[]): void { kept = xs; kept = undefined; }

const DEFAULT_KEEP = ['link', 'content-type', 'x-next-page', 'x-total-count'];

/** A fetch with the project's retry, timeout, concurrency, counting and ETag cache. */
export function createFetch(opts: FetchOptions): typeof fetch {
  const policy = opts.retry ?? DEFAULT_RETRY;
  const base = opts.baseFetch ?? globalThis.fetch;
  const limit = pLimit(Math.max(1, opts.concurrency ?? 8));
  const keep = opts.keepHeaders ?? DEFAULT_KEEP;
  const caller = opts.caller ?? 'anonymous';

  const doFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    // A GET by URL string (every SDK's listing) skips building a Request: same method, URL and headers, fewer allocations.
    const simple = typeof input === 'string' && (init?.body === undefined || init.body === null);
    const req = simple ? null : new Request(input, init);
    const method = req ? req.method.toUpperCase() : (init?.method ?? 'GET').toUpperCase();
    const url = req ? req.url : new URL(input as string).href;
    const cached = method === 'GET' && opts.cache ? opts.cache.get(caller, url) : undefined;
    const body = !req || method === 'GET' || method === 'HEAD' ? undefined : await req.arrayBuffer();
    let attempt = 0;
    for (;;) {
      attempt++;
      // A run that was stopped (budget spent, cancelled) sends nothing more, and counts nothing it did not send.
      if (opts.signal?.aborted) throw opts.signal.reason;
      const headers = new Headers(req ? req.headers : init?.headers);
      if (cached?.etag) headers.set('if-none-match', cached.etag);
      let res: Response;
      opts.counters.calls++;
      try {
        if (opts.buffered) res = await attemptReleased(url, method, headers, body);
        else {
          // Both signals stay referenced here for the whole attempt: AbortSignal.any holds its sources weakly, and a
          // timeout signal nothing references can be collected before it fires (a hung request then hangs forever).
          const timeout = AbortSignal.timeout(policy.timeoutMs);
          const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
          try {
            res = await base(url, { method, headers, body, signal, redirect: 'follow' });
          } finally {
            keepAlive(timeout, signal);
          }
        }
      } catch (e) {
        if (opts.signal?.aborted) throw e;
        // Network failures and timeouts are retried like 5xx, then reported as the source being unavailable.
        if (attempt > policy.retries) {
          throw new SourceUnavailableError(`${method} ${redactUrl(url)} failed after ${attempt} attempts: ${(e as Error).message}`);
        }
        opts.counters.retries++;
        await sleep(retryDelay(attempt, policy), opts.signal);
        continue;
      }
      trackRate(opts.counters, res.headers, res.status);
      if (res.status === 304 && cached) {
        opts.counters.cached++;
        const h = new Headers(cached.headers ?? {});
        if (!opts.buffered) return new Response(cached.body, { status: 200, headers: h });
        const served = new Response(null, { status: 200, headers: h });
        bufferedBodies.set(served, cached.body);
        return served;
      }
      const readText = bufferedBodies.get(res);
      let text: string | undefined;
      if (res.status === 403) text = readText ?? await res.clone().text().catch(() => '');
      const verdict = classifyStatus(res.status, res.headers, text);
      if (verdict === 'retry') {
        const delay = retryDelay(attempt, policy, res.headers);
        if (delay > policy.maxRateWaitMs) {
          throw new RateBudgetExhaustedError(`${method} ${redactUrl(url)}: rate budget exhausted; the provider asks to wait ${Math.round(delay / 1000)} s, more than the ${Math.round(policy.maxRateWaitMs / 1000)} s allowed`);
        }
        if (attempt <= policy.retries) {
          opts.counters.retries++;
          if (readText === undefined) await res.body?.cancel().catch(() => undefined);
          await sleep(delay, opts.signal);
          continue;
        }
        // Out of retries: hand the last answer to the SDK, which raises its own typed error.
        return res;
      }
      if (method === 'GET' && opts.cache && res.status === 200) {
        const etag = res.headers.get('etag');
        if (etag) {
          const bodyText = readText ?? await res.clone().text();
          const kept: Record<string, string> = {};
          for (const k of keep) { const v = res.headers.get(k); if (v) kept[k] = v; }
          opts.cache.put(caller, url, { etag, headers: kept, body: bodyText });
        }
      }
      return res;
    }
  };
  // One listener on the run's signal while attempts are in flight (not one per attempt, none left behind when idle:
  // the run's signal outlives many fetches): it aborts every attempt in flight.
  const inFlight = new Set<AbortController>();
  const onAbort = () => { for (const c of inFlight) c.abort(opts.signal!.reason); };
  /**
   * One attempt through a base that has read the whole body when it resolves: the same timeout and run signal, on a
   * plain controller released at once (AbortSignal.timeout/any each cost a transferable signal and a 30 s timer).
   */
  const attemptReleased = async (url: string, method: string, headers: Headers, body: ArrayBuffer | undefined): Promise<Response> => {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), policy.timeoutMs);
    if (inFlight.size === 0) opts.signal?.addEventListener('abort', onAbort);
    inFlight.add(ctl);
    try {
      return await base(url, { method, headers, body, signal: ctl.signal, redirect: 'follow' });
    } finally {
      clearTimeout(timer);
      inFlight.delete(ctl);
      if (inFlight.size === 0) opts.signal?.removeEventListener('abort', onAbort);
    }
  };
  return ((input: string | URL | Request, init?: RequestInit) => limit(() => doFetch(input, init))) as typeof fetch;
}

// Budget used in the current rate window, from the provider's own remaining counter. Requests in flight answer out
// of order, so the window's range is kept: a non-304 answer showing `r` left spent the unit r+1 → r; a 304 spent
// nothing. Used = (highest r+1 of a charged answer) − (lowest r seen). A changed x-ratelimit-reset opens a new window.
const rateWindows = new WeakMap<HttpCounters, { reset: string | null; top: number | null; bottom: number; before: number }>();

function trackRate(counters: HttpCounters, h: Headers, status = 200): void {
  const remaining = h.get('x-ratelimit-remaining');
  if (remaining === null) return;
  const r = Number(remaining);
  if (!Number.isFinite(r)) return;
  const reset = h.get('x-ratelimit-reset');
  const charged = status !== 304;
  let w = rateWindows.get(counters);
  if (!w || (reset !== null && w.reset !== null && reset !== w.reset && Number(reset) > Number(w.reset)) || (reset === null && r > w.bottom && charged)) {
    w = { reset, top: null, bottom: r, before: counters.rateBudgetUsed };
    rateWindows.set(counters, w);
  } else if (reset !== null && w.reset !== null && Number(reset) < Number(w.reset)) {
    return; // a late answer from the previous window
  }
  if (charged) w.top = Math.max(w.top ?? r + 1, r + 1);
  w.bottom = Math.min(w.bottom, r);
  counters.rateBudgetUsed = w.before + (w.top === null ? 0 : Math.max(0, w.top - w.bottom));
  counters.rateRemaining = w.bottom;
}

/** Query strings may carry tokens (SAS, signed URLs): never put them in a message. */
export function redactUrl(url: string): string {
  try { const u = new URL(url); return `${u.origin}${u.pathname}${u.search ? '?…' : ''}`; } catch { return '[url]'; }
}
