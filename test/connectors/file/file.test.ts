import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectRun, openStore, tempDir, writeConfig } from '../../helpers/index.js';

describe('file connector', () => {
  it('imports identities, credentials and entitlements from CSV and NDJSON with typed values', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'identities.csv'), 'ref,kind,name,human,owner,created_at,last_used_at,team\nsvc-1,service_account,deployer,false,alice,2024-01-02T00:00:00+02:00,,platform\n');
    writeFileSync(join(dir, 'credentials.ndjson'), JSON.stringify({ ref: 'key-1', kind: 'access_key', identity_ref: 'svc-1', created_at: '2023-03-09 10:41:45+00:00', status: 'active' }) + '\n');
    writeFileSync(join(dir, 'entitlements.json'), JSON.stringify([{ identity_ref: 'svc-1', resource_ref: 'db/prod', permission: 'admin', level: 'admin', privileged: true }]));
    const store = await openStore(dir);
    const loaded = await writeConfig(dir, { sources: [{ name: 'saas', type: 'file', options: { path: '.', provider: 'slack', tenant: 'acme' } }], authority: { required: false } });
    const { runId, outcomes } = await collectRun(store, loaded);
    expect(outcomes).toMatchObject([{ source: 'saas', provider: 'slack', tenant: 'acme', status: 'complete', rows: 3 }]);
    const ident = await store.one('SELECT * FROM identities WHERE run_id = $1', [runId]);
    expect(ident).toMatchObject({ ref: 'svc-1', kind: 'service_account', human: false, owner: 'alice', provider: 'slack', tenant: 'acme', last_used_at: null });
    // The +02:00 offset is honoured: midnight in UTC+2 is 22:00 UTC the day before.
    expect((ident!.created_at as Date).toISOString()).toBe('2024-01-01T22:00:00.000Z');
    expect(JSON.parse(ident!.attributes as string)).toEqual({ team: 'platform' });
    const cred = await store.one('SELECT created_at FROM credentials WHERE run_id = $1', [runId]);
    expect((cred!.created_at as Date).toISOString()).toBe('2023-03-09T10:41:45.000Z');
    const ent = await store.one('SELECT ref, level, privileged FROM entitlements WHERE run_id = $1', [runId]);
    expect(ent).toEqual({ ref: 'svc-1|db/prod|admin', level: 'admin', privileged: true });
  });

  it('marks the tenant partial and names file, line and field for a bad row, keeping the good rows', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'identities.csv'), 'ref,kind,created_at\nok-1,user,2024-01-01\nbad-1,user,2024-02-30\nbad-2,robot,\n');
    const store = await openStore(dir);
    const loaded = await writeConfig(dir, { sources: [{ name: 'hr', type: 'file', options: { path: '.' } }] });
    const { outcomes } = await collectRun(store, loaded);
    expect(outcomes[0]!.status).toBe('partial');
    expect(outcomes[0]!.error).toContain('identities.csv:3 created_at: not a valid date: "2024-02-30"');
    expect(outcomes[0]!.error).toMatch(/identities\.csv:4 kind: /);
    expect(outcomes[0]!.rows).toBe(1);
  });

  it('fails the tenant (never an empty success) when a CSV lacks required columns', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'credentials.csv'), 'name,created_at\nx,2024-01-01\n');
    const store = await openStore(dir);
    const loaded = await writeConfig(dir, { sources: [{ name: 'hr', type: 'file', tenants: ['t1'], options: { path: '.' } }] });
    const { outcomes } = await collectRun(store, loaded);
    expect(outcomes[0]).toMatchObject({ status: 'failed', rows: 0 });
    expect(outcomes[0]!.error).toContain('credentials.csv:1: missing column(s) ref, kind');
  });
});
