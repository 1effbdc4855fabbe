// Issue 19 (GitHub CPU): plain GETs go over node:http keep-alive agents instead of fetch. They must keep fetch's
// behaviour where it matters: one reused connection, redirects followed without carrying credentials to another
// origin, a cut-off body an error (never a short page), and a stopped run rejecting with its own reason.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { keepAliveFetch } from '../../../src/connectors/github/transport.js';
import { bufferedBodies } from '../../../src/connectors/http/fetch.js';
import { onCleanup } from '../../helpers/index.js';

async function server(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  let connections = 0;
  const s = createServer(handler);
  s.on('connection', () => { connections++; });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  onCleanup(() => new Promise<void>((r) => { s.closeAllConnections(); s.close(() => r()); }));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, connections: () => connections };
}

describe('github keep-alive transport', () => {
  it('reuses one connection for sequential GETs and hands on status, headers and the body text', async () => {
    const s = await server((req, res) => { res.setHeader('content-type', 'application/json'); res.setHeader('link', '<x>; rel="next"'); res.end(JSON.stringify({ path: req.url, auth: req.headers.authorization })); });
    const f = keepAliveFetch(4, () => { throw new Error('no fallback expected'); });
    for (let i = 0; i < 5; i++) {
      const res = await f(`${s.url}/orgs/acme/repos?page=${i}`, { method: 'GET', headers: { authorization: 'token t' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('link')).toBe('<x>; rel="next"');
      expect(JSON.parse(bufferedBodies.get(res)!)).toEqual({ path: `/orgs/acme/repos?page=${i}`, auth: 'token t' });
    }
    expect(s.connections()).toBe(1);
  });

  it('follows a redirect, dropping the authorization header only when the origin changes', async () => {
    const other = await server((req, res) => { res.end(JSON.stringify({ auth: req.headers.authorization ?? null })); });
    const s = await server((req, res) => {
      if (req.url === '/moved') { res.statusCode = 301; res.setHeader('location', '/here'); return res.end(); }
      if (req.url === '/away') { res.statusCode = 307; res.setHeader('location', `${other.url}/there`); return res.end(); }
      res.end(JSON.stringify({ auth: req.headers.authorization ?? null }));
    });
    const f = keepAliveFetch(2);
    const same = await f(`${s.url}/moved`, { headers: { authorization: 'token t' } });
    expect([same.status, JSON.parse(bufferedBodies.get(same)!), same.url]).toEqual([200, { auth: 'token t' }, `${s.url}/here`]);
    const away = await f(`${s.url}/away`, { headers: { authorization: 'token t' } });
    expect([away.status, JSON.parse(bufferedBodies.get(away)!)]).toEqual([200, { auth: null }]);
  });

  it('a body cut off mid-way is an error, not a short answer', async () => {
    const s = await server((req, res) => { res.setHeader('content-type', 'application/json'); res.write('[{"a":1},'); setTimeout(() => req.socket.destroy(), 20); });
    await expect(keepAliveFetch(2)(`${s.url}/x`)).rejects.toThrow();
  });

  it('rejects with the signal\'s own reason when the run stops mid-request, and sends writes to the fallback', async () => {
    const s = await server(() => { /* never answers */ });
    const ctl = new AbortController();
    const reason = new Error('budget spent');
    const p = keepAliveFetch(2)(`${s.url}/hang`, { signal: ctl.signal });
    setTimeout(() => ctl.abort(reason), 50);
    await expect(p).rejects.toBe(reason);
    const seen: string[] = [];
    const f = keepAliveFetch(2, (async (input: string | URL | Request, init?: RequestInit) => { seen.push(`${init?.method} ${String(input)}`); return new Response(null, { status: 204 }); }) as typeof fetch);
    await f(`${s.url}/x`, { method: 'DELETE' });
    expect(seen).toEqual([`DELETE ${s.url}/x`]);
  });
});
