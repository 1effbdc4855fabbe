// Shared set-up of the GitHub tests: a simulator on 127.0.0.1, a store, and a config whose github source points at it.
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { onCleanup, openStore, tempDir, writeConfig } from '../../helpers/index.js';
import { generateEstate, type SimEstate } from '../../../src/sim/github/estate.js';
import { startGitHubSim, type GitHubSim, type GitHubSimOptions } from '../../../src/sim/github/server.js';
import type { Store } from '../../../src/store/store.js';
import type { LoadedConfig } from '../../../src/config/load.js';
import { effectiveAccess } from '../../../src/sim/github/server.js';

export const TOKEN = 'ghp_simulatedOrgOwnerToken000000000000';

export interface Setup { sim: GitHubSim; store: Store; loaded: LoadedConfig; dir: string; env: Record<string, string> }

export async function setup(opts: { estate?: SimEstate; sim?: Partial<GitHubSimOptions>; source?: Record<string, unknown>; options?: Record<string, unknown>; app?: boolean } = {}): Promise<Setup> {
  const estate = opts.estate ?? generateEstate({ repos: 12, seed: 7 });
  const dir = tempDir();
  const env: Record<string, string> = { GH_TOKEN: TOKEN };
  let options: Record<string, unknown> = { token_env: 'GH_TOKEN' };
  if (opts.app) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    estate.app = { id: 4242, slug: 'nhi-recon', publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      installations: estate.orgs.map((o, i) => ({ id: 9000 + i, org: o.login })) };
    const keyFile = join(dir, 'app.pem');
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
    options = { app: { app_id: 4242, private_key_file: keyFile } };
  }
  const sim = await startGitHubSim({ estate, ...opts.sim });
  onCleanup(() => sim.close());
  const store = await openStore(dir);
  const loaded = await writeConfig(dir, {
    sources: [{ name: 'gh', type: 'github', tenants: estate.orgs.map((o) => o.login), retries: 3, timeout_seconds: 5, concurrency: 8,
      ...opts.source, options: { base_url: sim.apiUrl, ...options, ...opts.options } }],
    authority: { required: false },
  });
  return { sim, store, loaded, dir, env };
}

/** What a complete collection of the estate must contain, computed from the seeded data (not from the connector). */
export function truth(estate: SimEstate, o: { pats: boolean; actions?: boolean }) {
  const identities = new Set<string>();
  const credentials = new Set<string>();
  const entitlements = new Set<string>();
  for (const org of estate.orgs) {
    const g = `github:${org.login}`;
    const user = (l: string) => identities.add(`${g}/user/${l}`);
    for (const m of org.members) { user(m.login); entitlements.add(`${g}/member/${m.login}`); }
    for (const l of org.outside) user(l);
    for (const i of org.invitations) identities.add(`${g}/invitation/${i.id}`);
    for (const r of org.roles) {
      for (const u of r.users) { user(u); entitlements.add(`${g}/org_role/${r.id}/user/${u}`); }
      for (const t of r.teams) entitlements.add(`${g}/org_role/${r.id}/team/${t}`);
    }
    for (const t of org.teams) {
      identities.add(`${g}/team/${t.slug}`);
      for (const repo of Object.keys(t.repos)) {
        entitlements.add(`${g}/${repo}/team/${t.slug}`);
        for (const m of t.members) { user(m.login); entitlements.add(`${g}/${repo}/team/${t.slug}/member/${m.login}`); }
      }
    }
    for (const repo of org.repos) {
      for (const l of Object.keys(repo.collaborators)) { user(l); entitlements.add(`${g}/${repo.name}/collaborator/${l}`); }
      for (const k of repo.deployKeys) {
        const r = `${g}/${repo.name}/deploy_key/${k.id}`;
        identities.add(r); credentials.add(r); entitlements.add(`${r}/access`);
      }
      for (const s of repo.secrets) { const r = `${g}/${repo.name}/secret/${s.name}`; credentials.add(r); entitlements.add(`${r}/repo/${repo.name}`); }
      for (const e of repo.environments) for (const s of e.secrets) {
        const r = `${g}/${repo.name}/env/${encodeURIComponent(e.name)}/secret/${s.name}`; credentials.add(r); entitlements.add(`${r}/repo/${repo.name}`);
      }
      // Every repository whose workflows can run has a workflows identity and its token's default access.
      if (!repo.archived && o.actions !== false) { identities.add(`${g}/${repo.name}/workflows`); entitlements.add(`${g}/${repo.name}/workflows/token`); }
    }
    for (const s of org.secrets) {
      const r = `${g}/secret/${s.name}`;
      credentials.add(r);
      const exposed = s.visibility === 'all' ? org.repos.map((x) => x.name) : s.visibility === 'private' ? org.repos.filter((x) => x.private).map((x) => x.name) : s.selected;
      for (const x of exposed) entitlements.add(`${r}/repo/${x}`);
    }
    for (const i of org.installations) {
      identities.add(`${g}/app_installation/${i.id}`);
      for (const p of Object.keys(i.permissions)) entitlements.add(`${g}/app_installation/${i.id}/permission/${p}`);
    }
    for (const c of org.credentialAuthorizations ?? []) { user(c.login); credentials.add(`${g}/credential_authorization/${c.credential_id}`); }
    if (o.pats) for (const p of org.pats) {
      user(p.owner);
      const r = `${g}/fine_grained_pat/${p.id}`;
      credentials.add(r);
      if (Object.keys(p.permissions.organization ?? {}).length) entitlements.add(`${r}/organization/${org.login}`);
      if (p.repository_selection === 'all') entitlements.add(`${r}/repository/${org.login}`);
      if (p.repository_selection === 'subset') for (const x of p.repos) entitlements.add(`${r}/repository/${org.login}/${x}`);
    }
  }
  return { identities, credentials, entitlements };
}

export { effectiveAccess };

export async function refs(store: Store, table: string, runId: string): Promise<string[]> {
  const rows = await store.all<{ ref: string }>(`SELECT ref FROM ${table} WHERE run_id = $1 ORDER BY ref`, [runId]);
  return rows.map((r) => r.ref);
}
