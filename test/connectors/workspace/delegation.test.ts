import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDelegations } from '../../../src/connectors/workspace/delegation.js';
import { collectWs, startSim } from './harness.js';
import { tempDir } from '../../helpers/index.js';

const file = (name: string, text: string) => { const p = join(tempDir(), name); writeFileSync(p, text); return p; };

describe('workspace: the domain-wide delegation export', () => {
  it('reads CSV with scopes separated by commas, spaces or semicolons, and YAML lists', async () => {
    const csv = file('dwd.csv', 'client_id,name,scopes,service_account\n120000000000000000001,etl,"https://www.googleapis.com/auth/gmail.readonly, https://www.googleapis.com/auth/drive.readonly",etl@acme-data.iam.gserviceaccount.com\n9-x.apps.googleusercontent.com,,openid;email,\n');
    expect(await loadDelegations(csv)).toEqual([
      { clientId: '120000000000000000001', name: 'etl', serviceAccount: 'etl@acme-data.iam.gserviceaccount.com', customer: null, file: csv, line: 2,
        scopes: ['https://www.googleapis.com/auth/gmail.readonly', 'https://www.googleapis.com/auth/drive.readonly'] },
      { clientId: '9-x.apps.googleusercontent.com', name: null, serviceAccount: null, customer: null, file: csv, line: 3, scopes: ['openid', 'email'] },
    ]);
    const yaml = file('dwd.yaml', 'domain_wide_delegation:\n  - client_id: "120000000000000000001"\n    scopes: [openid]\n  - client_id: 12345\n    scopes: email profile\n');
    expect((await loadDelegations(yaml)).map((d) => [d.clientId, d.line, d.scopes])).toEqual([['120000000000000000001', 2, ['openid']], ['12345', 4, ['email', 'profile']]]);
  });

  it('refuses an unquoted 21-digit client id in YAML instead of keeping a wrong one', async () => {
    const yaml = file('dwd.yaml', 'domain_wide_delegation:\n  - client_id: 120000000000000000001\n    scopes: [openid]\n');
    await expect(loadDelegations(yaml)).rejects.toThrow(`${yaml}:2 client_id: is a number too large to keep exactly: quote the client id`);
  });

  it('names file, line and field of every bad row, and refuses a client listed twice', async () => {
    const csv = file('dwd.csv', 'client_id,scopes,service_account\n,openid,\n1-a.apps.googleusercontent.com,,\n1-b.apps.googleusercontent.com,openid,not-an-email\n1-c.apps.googleusercontent.com,openid,\n1-c.apps.googleusercontent.com,email,\n');
    await expect(loadDelegations(csv)).rejects.toThrow([
      `${csv}:2 client_id: is empty`, `${csv}:3 scopes: lists no scope`, `${csv}:4 service_account: is not a service-account email`,
      `${csv}:6 client_id: client 1-c.apps.googleusercontent.com is already listed on line 5: give each client once, with all its scopes`,
    ].join('\n'));
    await expect(loadDelegations(file('x.csv', 'client,scopes\n1,openid\n'))).rejects.toThrow(/client_id/);
  });

  it('with several customers, each row names its customer, and a grant is reported only for its own', async () => {
    const csv = file('dwd.csv', 'client_id,scopes,customer\n1-a.apps.googleusercontent.com,openid,C03acme01\n1-b.apps.googleusercontent.com,openid,\n');
    await expect(loadDelegations(csv, ['C03acme01', 'C09other'])).rejects.toThrow(`${csv}:3 customer: the source collects 2 customers: name the customer this grant belongs to`);
    const ok = file('ok.csv', 'client_id,scopes,customer\n1-a.apps.googleusercontent.com,openid,C03acme01\n1-a.apps.googleusercontent.com,email,C09other\n');
    const h = await startSim();
    const { store, runId } = await collectWs(h, { tenants: ['C03acme01'] }, { domain_wide_delegation_file: ok, tokens: false });
    expect((await store.all('SELECT ref FROM entitlements WHERE run_id = $1', [runId])).map((r) => r.ref)).toEqual(['workspace:C03acme01/clients/1-a.apps.googleusercontent.com|openid|domain']);
  });

  it('a broken export fails the source before any call', async () => {
    const h = await startSim();
    const bad = file('dwd.csv', 'client_id,scopes\n1-a.apps.googleusercontent.com,\n');
    const { outcomes } = await collectWs(h, {}, { domain_wide_delegation_file: bad });
    expect(outcomes.map((o) => [o.tenant, o.status, o.error])).toEqual([['*', 'failed', `${bad}:2 scopes: lists no scope`]]);
    expect(h.sim.log).toEqual([]);
  });
});
