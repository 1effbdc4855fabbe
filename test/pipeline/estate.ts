// A multi-tenant estate for the file connector (one tenant per row's `tenant` column), with the authority records
// that make every tenant produce the common finding kinds, and a CLI runner. Shared by the scale-out tests.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { main } from '../../src/cli.js';
import { createLogger } from '../../src/log.js';

export const SOURCE = 'inv';
export const PROVIDER = 'saas';

export interface CliResult { code: number; out: string; err: string }

export async function cli(argv: string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), log: createLogger({ write: (l) => err.push(l) }), interactive: false });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

export interface EstateOptions {
  /** Entitlement refs (identity_ref|resource_ref|permission) left out, to show a finding resolving. */
  drop?: string[];
}

const csv = (rows: Record<string, string>[]) => {
  const cols = Object.keys(rows[0]!);
  return [cols.join(','), ...rows.map((r) => cols.map((c) => r[c] ?? '').join(','))].join('\n') + '\n';
};

/** Writes the inventory of `tenants` into dir (identities.csv, credentials.csv, entitlements.csv). */
export function writeInventory(dir: string, tenants: string[], opts: EstateOptions = {}): void {
  mkdirSync(dir, { recursive: true });
  const ids: Record<string, string>[] = [];
  const creds: Record<string, string>[] = [];
  const ents: Record<string, string>[] = [];
  for (const t of tenants) {
    ids.push(
      { tenant: t, ref: `${t}:u-alice`, kind: 'user', name: 'alice', login: 'alice', human: 'true', owner: '', created_at: '2024-01-10T00:00:00Z', last_used_at: '2099-01-01T00:00:00Z' },
      { tenant: t, ref: `${t}:u-bob`, kind: 'user', name: 'bob', login: 'bob', human: 'true', owner: '', created_at: '2024-01-10T00:00:00Z', last_used_at: '2099-01-01T00:00:00Z' },
      { tenant: t, ref: `${t}:svc-ci`, kind: 'service_account', name: 'ci', login: '', human: 'false', owner: '', created_at: '2024-01-10T00:00:00Z', last_used_at: '2099-01-01T00:00:00Z' },
      { tenant: t, ref: `${t}:svc-app`, kind: 'service_account', name: 'app', login: '', human: 'false', owner: '', created_at: '2024-01-10T00:00:00Z', last_used_at: '2020-01-01T00:00:00Z' },
      { tenant: t, ref: `${t}:reader-1`, kind: 'bot', name: 'reader-1', login: '', human: 'false', owner: '', created_at: '2024-01-10T00:00:00Z', last_used_at: '2099-01-01T00:00:00Z' },
    );
    creds.push(
      { tenant: t, ref: `${t}:key-ci`, kind: 'access_key', identity_ref: `${t}:svc-ci`, created_by: 'bob', created_at: '2020-01-01T00:00:00Z', last_used_at: '2099-01-01T00:00:00Z', expires_at: '', status: 'active' },
      { tenant: t, ref: `${t}:key-app`, kind: 'access_key', identity_ref: `${t}:svc-app`, created_by: 'alice', created_at: '2099-01-01T00:00:00Z', last_used_at: '2099-01-01T00:00:00Z', expires_at: '2099-02-01T00:00:00Z', status: 'active' },
    );
    ents.push(
      { tenant: t, identity_ref: `${t}:u-alice`, identity_name: 'alice', resource_ref: 'workspace', permission: 'member', level: 'write', privileged: 'false' },
      { tenant: t, identity_ref: `${t}:u-bob`, identity_name: 'bob', resource_ref: 'workspace', permission: 'member', level: 'write', privileged: 'false' },
      { tenant: t, identity_ref: `${t}:svc-ci`, identity_name: 'ci', resource_ref: 'db', permission: 'admin', level: 'admin', privileged: 'true' },
      { tenant: t, identity_ref: `${t}:svc-app`, identity_name: 'app', resource_ref: 'app', permission: 'write', level: 'write', privileged: 'false' },
      { tenant: t, identity_ref: `${t}:svc-app`, identity_name: 'app', resource_ref: 'billing', permission: 'read', level: 'read', privileged: 'false' },
      { tenant: t, identity_ref: `${t}:reader-1`, identity_name: 'reader-1', resource_ref: 'reports', permission: 'read', level: 'read', privileged: 'false' },
    );
  }
  const drop = new Set(opts.drop ?? []);
  writeFileSync(join(dir, 'identities.csv'), csv(ids));
  writeFileSync(join(dir, 'credentials.csv'), csv(creds));
  writeFileSync(join(dir, 'entitlements.csv'), csv(ents.filter((e) => !drop.has(`${e.identity_ref}|${e.resource_ref}|${e.permission}`))));
}

/** A copy of the inventory the source cannot read (credentials.csv lacks its `kind` column): every tenant fails. */
export function writeBrokenInventory(dir: string, tenants: string[]): void {
  writeInventory(dir, tenants);
  writeFileSync(join(dir, 'credentials.csv'), 'tenant,ref\nx,y\n');
}

/** Grants, owners and people: per tenant one exact grant, one expired, one never provisioned; a glob for readers. */
export function writeAuthority(dir: string, tenants: string[]): void {
  const grants: Record<string, unknown>[] = [
    { id: 'g-readers', provider: PROVIDER, tenant: '*', identity: '*:reader-*', resource: 'reports', permission: 'read', max_level: 'read', owner: 'alice' },
    { id: 'g-workspace', provider: PROVIDER, tenant: '*', identity: '*:u-*', resource: 'workspace', permission: 'member', max_level: 'write', owner: 'alice' },
  ];
  for (const t of tenants) {
    grants.push(
      { id: `g-${t}-app`, provider: PROVIDER, tenant: t, identity: `${t}:svc-app`, resource: 'app', permission: 'write', max_level: 'write', owner: 'alice', expires_at: '2099-01-01T00:00:00Z' },
      { id: `g-${t}-billing`, provider: PROVIDER, tenant: t, identity: `${t}:svc-app`, resource: 'billing', permission: 'read', max_level: 'read', owner: 'alice', expires_at: '2021-01-01T00:00:00Z' },
      { id: `g-${t}-ghost`, provider: PROVIDER, tenant: t, identity: `${t}:svc-ghost`, resource: 'app', permission: 'write', max_level: 'write', owner: 'alice', expires_at: '2099-01-01T00:00:00Z' },
    );
  }
  writeFileSync(join(dir, 'grants.yaml'), stringify({ grants }));
  writeFileSync(join(dir, 'owners.yaml'), stringify({ owners: tenants.map((t) => ({ provider: PROVIDER, tenant: t, identity: `${t}:svc-app`, owner: 'alice' })) }));
  writeFileSync(join(dir, 'people.yaml'), stringify({ people: [
    { id: 'alice', name: 'Alice', email: 'alice@example.com', status: 'active', logins: { [PROVIDER]: ['alice'] } },
    { id: 'bob', name: 'Bob', email: 'bob@example.com', status: 'departed', departed_at: '2024-06-01', logins: { [PROVIDER]: ['bob'] } },
  ] }));
}

/** nhi-recon.yaml in dir: one file source over `inventory`, tenants listed (so one tenant's failure stays its own). */
export function writeConfigFile(dir: string, tenants: string[], inventory = 'inventory', name = 'nhi-recon.yaml'): string {
  const file = join(dir, name);
  writeFileSync(file, stringify({
    database: 'merged.duckdb',
    sources: [{ name: SOURCE, type: 'file', tenants, options: { path: inventory, provider: PROVIDER } }],
    authority: { grants: 'grants.yaml', owners: 'owners.yaml', people: 'people.yaml' },
    reports: { out_dir: 'reports', formats: ['json'] },
  }));
  return file;
}
