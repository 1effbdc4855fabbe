// Issue 19 (GitHub CPU): listings take a thin GET path (no Octokit request pipeline per call, the body parsed once,
// the ETag cache storing the text it already read) that must be indistinguishable from Octokit: the same URLs (the
// cache key), the same data, the same errors, the same 304 revalidation.
import { describe, expect, it } from 'vitest';
import { Octokit } from '@octokit/rest';
import { generateEstate } from '../../../src/sim/github/estate.js';
import { startGitHubSim } from '../../../src/sim/github/server.js';
import { FaultPlan } from '../../../src/sim/http.js';
import { createClient, expandRoute, listAll } from '../../../src/connectors/github/client.js';
import { GitHubOptions } from '../../../src/connectors/github/options.js';
import { HttpCache } from '../../../src/connectors/http/cache.js';
import { DEFAULT_RETRY, newCounters } from '../../../src/connectors/http/fetch.js';
import { onCleanup } from '../../helpers/index.js';
import { TOKEN } from './helpers.js';

const http = (cache: HttpCache | null) => ({ counters: newCounters(), cache, retry: { ...DEFAULT_RETRY, retries: 2, baseDelayMs: 1 }, concurrency: 4 });

async function sim(faults?: FaultPlan) {
  const estate = generateEstate({ repos: 230, seed: 11 });
  const s = await startGitHubSim({ estate, faults });
  onCleanup(() => s.close());
  return { s, estate, options: GitHubOptions.parse({ base_url: s.apiUrl, token_env: 'GH_TOKEN' }) };
}

/** Counts the requests that go through Octokit's hook pipeline. */
function hookCalls(client: Octokit): { n: number } {
  const c = { n: 0 };
  client.hook.before('request', () => { c.n++; });
  return c;
}

describe('github client: thin listing path', () => {
  it('builds the URL Octokit builds for every listing route (the ETag cache is keyed by it)', () => {
    const o = new Octokit({ baseUrl: 'https://ghe.example.com/api/v3' });
    const cases: [string, Record<string, unknown>][] = [
      ['GET /orgs/{org}/repos', { per_page: 100, org: 'acme', type: 'all' }],
      ['GET /orgs/{org}/members', { per_page: 100, org: 'acme', role: 'admin' }],
      ['GET /orgs/{org}/secret-scanning/alerts', { per_page: 100, org: 'acme', state: 'open', hide_secret: true }],
      ['GET /orgs/{org}/secret-scanning/alerts', { per_page: 100, org: 'acme', state: 'open', secret_type: 'aws_access_key_id,github_app_id', hide_secret: false }],
      ['GET /repos/{owner}/{repo}/environments/{environment_name}/secrets', { per_page: 100, owner: 'acme', repo: 'a.b-c_d', environment_name: "prod (eu)! it's*" }],
      ['GET /orgs/{org}/teams/{team_slug}/repos', { per_page: 100, org: 'acme', team_slug: 'ops/ünïcode team' }],
      ['GET /orgs/{org}/organization-roles/{role_id}/users', { per_page: 100, org: 'acme', role_id: 8132 }],
      ['GET /search/code', { q: 'org:acme+filename:.env', per_page: 100 }],
    ];
    for (const [route, params] of cases) {
      expect(expandRoute('https://ghe.example.com/api/v3', route, params)).toBe(o.request.endpoint(route, params).url);
    }
  });

  it('lists every page without Octokit per request, and a re-scan is served by 304s from the stored text', async () => {
    const { s, estate, options } = await sim();
    const cache = new HttpCache('gh');
    const h = http(cache);
    const client = createClient({ options, env: { GH_TOKEN: TOKEN }, http: h });
    const hooks = hookCalls(client);
    const repos = await listAll<{ name: string }>(client, 'GET /orgs/{org}/repos', { params: { org: estate.orgs[0]!.login, type: 'all' }, maxPages: 10 });
    expect(repos.map((r) => r.name).sort()).toEqual(estate.orgs[0]!.repos.map((r) => r.name).sort());
    expect(h.counters.calls).toBe(3);
    expect(hooks.n).toBe(0);
    // The same listing through Octokit itself gives the same items.
    const viaOctokit = await client.paginate('GET /orgs/{org}/repos', { org: estate.orgs[0]!.login, type: 'all', per_page: 100 });
    expect(repos).toEqual(viaOctokit);

    const again = createClient({ options, env: { GH_TOKEN: TOKEN }, http: { ...h, counters: newCounters() } });
    const before = s.stats.notModified;
    const cachedRepos = await listAll<{ name: string }>(again, 'GET /orgs/{org}/repos', { params: { org: estate.orgs[0]!.login, type: 'all' }, maxPages: 10 });
    expect(s.stats.notModified - before).toBe(3);
    expect(cachedRepos).toEqual(repos);
  });

  it('an error answer raises exactly the error Octokit raises for it, without another call', async () => {
    const faults = new FaultPlan().add({ match: '/keys', kind: 'status', status: 404, times: Infinity });
    const { estate, options } = await sim(faults);
    const h = http(null);
    const client = createClient({ options, env: { GH_TOKEN: TOKEN }, http: h });
    const p = { owner: estate.orgs[0]!.login, repo: estate.orgs[0]!.repos[0]!.name };
    const thin = await listAll(client, 'GET /repos/{owner}/{repo}/keys', { params: p, maxPages: 10 }).catch((e: unknown) => e);
    expect(h.counters.calls).toBe(1);
    const octokit = await client.request('GET /repos/{owner}/{repo}/keys', { ...p, per_page: 100 }).catch((e: unknown) => e);
    for (const e of [thin, octokit]) expect(e).toMatchObject({ name: 'HttpError', status: 404 });
    const pick = (e: unknown) => { const x = e as { message: string; status: number; request: { method: string; url: string }; response: { data: unknown } }; return [x.message, x.status, x.request.method, x.request.url, x.response.data]; };
    expect(pick(thin)).toEqual(pick(octokit));
  });

  it('a spent retry budget on a listing surfaces as Octokit wraps it (a 500 HttpError whose cause is ours)', async () => {
    const faults = new FaultPlan().add({ match: '/keys', kind: 'reset', times: Infinity });
    const { estate, options } = await sim(faults);
    const client = createClient({ options, env: { GH_TOKEN: TOKEN }, http: http(null) });
    const e = await listAll(client, 'GET /repos/{owner}/{repo}/keys', { params: { owner: estate.orgs[0]!.login, repo: estate.orgs[0]!.repos[0]!.name }, maxPages: 10 })
      .catch((x: unknown) => x) as { name: string; status: number; cause: Error };
    expect(e.name).toBe('HttpError');
    expect(e.status).toBe(500);
    expect(e.cause.name).toBe('SourceUnavailableError');
    expect(e.cause.message).toMatch(/failed after 3 attempts/);
  });
});
