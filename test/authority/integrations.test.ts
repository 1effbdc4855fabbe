import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAuthority } from '../../src/authority/index.js';
import { InputError } from '../../src/errors.js';
import { tempDir } from '../helpers/index.js';

const empty = { grants: [] as string[], owners: [] as string[], people: [] as string[], exceptions: [] as string[] };

async function reject(file: string): Promise<string> {
  try { await loadAuthority({ ...empty, integrations: [file] }); } catch (e) { expect(e).toBeInstanceOf(InputError); return (e as Error).message; }
  throw new Error('expected rejection');
}

describe('integration register', () => {
  it('loads YAML entries with file and line, default id and tenant, glob app ids and scopes', async () => {
    const dir = tempDir();
    const f = join(dir, 'integrations.yaml');
    writeFileSync(f, `integrations:
  - provider: okta
    app_id: 0oa1abc
    name: Salesforce
    approved_scopes: ['okta.users.read', 'okta.groups.*']
    max_level: read
    owner: alice
    ticket: SEC-12
    expires_at: 2027-06-30
  - id: GH-APPS
    provider: github
    tenant: acme
    app_id: 'dependabot*'
    approved_scopes: ['*:read']
`);
    const a = await loadAuthority({ ...empty, integrations: [f] });
    expect(a.integrations!.map((r) => [r.value.id, r.line, r.value.tenant, r.value.app_id])).toEqual([
      ['integrations.yaml:2', 2, '*', '0oa1abc'], ['GH-APPS', 10, 'acme', 'dependabot*']]);
    expect(a.integrations![0]!.value).toMatchObject({ approved_scopes: ['okta.users.read', 'okta.groups.*'], max_level: 'read', owner: 'alice' });
    expect(a.integrations![0]!.value.expires_at!.toISOString()).toBe('2027-06-30T00:00:00.000Z');
  });

  it('reads CSV with scopes separated by semicolons', async () => {
    const dir = tempDir();
    const f = join(dir, 'r.csv');
    writeFileSync(f, 'id,provider,app_id,approved_scopes,expires_at\nA,azure,11111111-2222,Mail.Read;User.Read*,2027-01-01\n');
    const a = await loadAuthority({ ...empty, integrations: [f] });
    expect(a.integrations![0]).toMatchObject({ line: 2, value: { id: 'A', approved_scopes: ['Mail.Read', 'User.Read*'] } });
  });

  it('rejects missing columns, unknown fields, bad levels and dates, an expiry before approval and duplicate ids, naming file and line', async () => {
    const dir = tempDir();
    const csv = join(dir, 'r.csv');
    writeFileSync(csv, 'provider,app_id\nokta,x\n');
    expect(await reject(csv)).toMatch(/r\.csv:1: missing column\(s\) approved_scopes/);
    const f = join(dir, 'r.yaml');
    writeFileSync(f, `integrations:
  - id: A
    provider: okta
    app_id: x
    approved_scopes: [a]
    scopes: [b]
  - id: B
    provider: okta
    app_id: y
    approved_scopes: []
    max_level: superuser
  - id: C
    provider: okta
    app_id: z
    approved_scopes: [a]
    approved_at: 2026-05-01
    expires_at: 2026-04-01
  - id: D
    provider: okta
    approved_scopes: [a]
    expires_at: 2026-02-30
  - id: E
    provider: okta
    app_id: w
    approved_scopes: [a]
  - id: E
    provider: okta
    app_id: v
    approved_scopes: [a]
`);
    const msg = await reject(f);
    expect(msg).toContain('r.yaml:2: unknown field(s) "scopes"');
    expect(msg).toMatch(/r\.yaml:7 approved_scopes: list at least one scope/);
    expect(msg).toMatch(/r\.yaml:7 max_level: expected one of/);
    expect(msg).toMatch(/r\.yaml:12 expires_at: expires \(2026-04-01T00:00:00\.000Z\) before it was approved/);
    expect(msg).toContain('r.yaml:18 app_id: is required');
    expect(msg).toContain('r.yaml:18 expires_at: not a valid date: "2026-02-30"');
    expect(msg).toMatch(/r\.yaml:26 id: duplicate integration register entry id "E" \(first at .*r\.yaml:22\)/);
  });

  it('an expired entry still loads (rules say it approves nothing)', async () => {
    const dir = tempDir();
    const f = join(dir, 'r.yaml');
    writeFileSync(f, 'integrations:\n  - provider: okta\n    app_id: x\n    approved_scopes: [a]\n    expires_at: 2020-01-01\n');
    const a = await loadAuthority({ ...empty, integrations: [f] });
    expect(a.integrations![0]!.value.expires_at!.getUTCFullYear()).toBe(2020);
  });
});

describe('integration register example', () => {
  it('config/integrations.example.yaml loads', async () => {
    const f = new URL('../../config/integrations.example.yaml', import.meta.url).pathname;
    const a = await loadAuthority({ ...empty, integrations: [f] });
    expect(a.integrations!.map((r) => r.value.id)).toEqual(['VRM-12', 'VRM-3']);
  });
});

describe('integration register storage (migration 8)', () => {
  it('an older database gains the table, and a stored register reads back through cur_register', async () => {
    const { Store } = await import('../../src/store/store.js');
    const { storeAuthority } = await import('../../src/authority/index.js');
    const dir = tempDir();
    const db = join(dir, 'old.duckdb');
    let store = await Store.open(db);
    // As a version-7 database: no register table, migration 8 not applied.
    await store.run('DROP TABLE integration_register');
    await store.run('DELETE FROM schema_migrations WHERE version = 8');
    store.close();
    store = await Store.open(db);
    try {
      const f = join(dir, 'r.yaml');
      writeFileSync(f, 'integrations:\n  - provider: okta\n    app_id: x*\n    approved_scopes: [a, b]\n    expires_at: 2020-01-01\n');
      const a = await loadAuthority({ ...empty, integrations: [f] });
      await store.transaction(async () => storeAuthority(store, 'r1', a));
      const { setupSql } = await import('../../src/reconcile/setup.js');
      for (const sql of setupSql('r1', 'r1', new Date('2026-06-01T00:00:00Z'), { stale_days: 90, grace_days: 14, max_credential_age_days: 90, max_credential_lifetime_days: 365 }, {})) await store.run(sql);
      const rows = await store.all<{ entry_id: string; approved_scopes: string[]; in_force: boolean } & Record<string, unknown>>('SELECT entry_id, approved_scopes, in_force FROM cur_register');
      expect(rows).toEqual([{ entry_id: 'r.yaml:2', approved_scopes: ['a', 'b'], in_force: false }]);
    } finally { store.close(); }
  });
});
