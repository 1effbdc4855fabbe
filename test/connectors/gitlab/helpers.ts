// Shared set-up of the GitLab tests: a simulator on 127.0.0.1, a store, and a config whose gitlab source points at it.
import { onCleanup, openStore, tempDir, writeConfig } from '../../helpers/index.js';
import { ADMIN_TOKEN, generateEstate, groupPath, projectPath, type GitLabEstate } from '../../../src/sim/gitlab/estate.js';
import { startGitLabSim, type GitLabSim, type GitLabSimOptions } from '../../../src/sim/gitlab/server.js';
import type { Store } from '../../../src/store/store.js';
import type { LoadedConfig } from '../../../src/config/load.js';

export interface Setup { sim: GitLabSim; store: Store; loaded: LoadedConfig; dir: string; env: Record<string, string> }

export async function setup(opts: { estate?: GitLabEstate; sim?: Partial<GitLabSimOptions>; source?: Record<string, unknown>; options?: Record<string, unknown>; token?: string } = {}): Promise<Setup> {
  const estate = opts.estate ?? generateEstate({ projects: 9, seed: 7 });
  const dir = tempDir();
  const env: Record<string, string> = { GL_TOKEN: opts.token ?? ADMIN_TOKEN };
  const sim = await startGitLabSim({ estate, ...opts.sim });
  onCleanup(() => sim.close());
  const store = await openStore(dir);
  const loaded = await writeConfig(dir, {
    sources: [{ name: 'gl', type: 'gitlab', tenants: ['acme'], retries: 3, timeout_seconds: 5, concurrency: 8,
      ...opts.source, options: { base_url: sim.url, token_env: 'GL_TOKEN', ...opts.options } }],
    authority: { required: false },
  });
  return { sim, store, loaded, dir, env };
}

/** What a complete collection of the `acme` tree must contain, computed from the seeded data (not from the connector). */
export function truth(e: GitLabEstate, o: { pats: boolean } = { pats: true }) {
  const identities = new Set<string>();
  const credentials = new Set<string>();
  const entitlements = new Set<string>();
  const t = 'acme';
  const uname = (id: number) => e.users.find((u) => u.id === id)!.username;
  const memberIds = new Set<number>();
  for (const g of e.groups) {
    const gp = groupPath(e, g);
    for (const m of g.members) { memberIds.add(m.user_id); identities.add(`gitlab:${t}/-/user/${uname(m.user_id)}`); entitlements.add(`gitlab:${gp}/-/member/${uname(m.user_id)}`); }
    for (const x of g.accessTokens) { credentials.add(`gitlab:${gp}/-/group_access_token/${x.id}`); entitlements.add(`gitlab:${gp}/-/group_access_token/${x.id}/scopes`); }
    for (const x of g.deployTokens) { const r = `gitlab:${gp}/-/group_deploy_token/${x.id}`; identities.add(r); credentials.add(r); entitlements.add(`${r}/access`); }
    for (const v of g.variables) { const r = `gitlab:${gp}/-/group_variable/${v.key}${v.environment_scope === '*' ? '' : `/${encodeURIComponent(v.environment_scope)}`}`; credentials.add(r); entitlements.add(`${r}/exposure`); }
  }
  for (const p of e.projects) {
    const pp = projectPath(e, p);
    for (const m of p.members) { memberIds.add(m.user_id); identities.add(`gitlab:${t}/-/user/${uname(m.user_id)}`); entitlements.add(`gitlab:${pp}/-/member/${uname(m.user_id)}`); }
    for (const x of p.accessTokens) { credentials.add(`gitlab:${pp}/-/project_access_token/${x.id}`); entitlements.add(`gitlab:${pp}/-/project_access_token/${x.id}/scopes`); }
    for (const x of p.deployTokens) { const r = `gitlab:${pp}/-/project_deploy_token/${x.id}`; identities.add(r); credentials.add(r); entitlements.add(`${r}/access`); }
    for (const k of p.deployKeys) { const r = `gitlab:${pp}/-/deploy_key/${k.id}`; identities.add(r); credentials.add(r); entitlements.add(`${r}/access`); }
    for (const v of p.variables) { const r = `gitlab:${pp}/-/project_variable/${v.key}${v.environment_scope === '*' ? '' : `/${encodeURIComponent(v.environment_scope)}`}`; credentials.add(r); entitlements.add(`${r}/exposure`); }
  }
  if (o.pats) for (const x of e.pats) {
    const u = e.users.find((y) => y.id === x.user_id)!;
    if (memberIds.has(u.id) && !u.bot) credentials.add(`gitlab:${t}/-/personal_access_token/${x.id}`);
  }
  return { identities, credentials, entitlements };
}

export async function refs(store: Store, table: string, runId: string): Promise<string[]> {
  const rows = await store.all<{ ref: string }>(`SELECT ref FROM ${table} WHERE run_id = $1 ORDER BY ref`, [runId]);
  return rows.map((r) => r.ref);
}
