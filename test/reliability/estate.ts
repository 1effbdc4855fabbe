// A deterministic estate for the reliability suites: a file-connector inventory of `n` identities (each with a
// credential and an entitlement), grant/owner/people records, and a config pointing at them. Dates are fixed far in
// the past or future, so every full run of it yields the same rows and the same findings.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';

export interface Estate {
  dir: string;
  config: string;
  db: string;
  reports: string;
  /** Rows one complete collection writes. */
  expected: { identities: number; credentials: number; entitlements: number };
}

export function writeEstate(dir: string, n: number, opts: { formats?: string[]; secrets?: Record<string, string> } = {}): Estate {
  const inv = join(dir, 'inventory');
  mkdirSync(inv, { recursive: true });
  const ids = ['ref,kind,name,login,human,owner,created_at,last_used_at'];
  const creds: string[] = [];
  const ents = ['identity_ref,identity_name,resource_ref,permission,level'];
  for (let i = 0; i < n; i++) {
    const human = i % 4 === 0;
    const kind = human ? 'user' : i % 4 === 1 ? 'service_account' : i % 4 === 2 ? 'bot' : 'app';
    ids.push([`id-${i}`, kind, `name-${i}`, human ? `login-${i}` : '', String(human), i % 7 === 0 ? '' : `person-${i % 5}`,
      '2020-01-01T00:00:00Z', i % 3 === 0 ? '2020-02-01T00:00:00Z' : '2099-01-01T00:00:00Z'].join(','));
    creds.push(JSON.stringify({ ref: `cred-${i}`, kind: i % 2 ? 'access_key' : 'pat', name: `cred-${i}`, identity_ref: `id-${i}`,
      created_at: '2020-01-01T00:00:00Z', last_used_at: '2020-03-01T00:00:00Z', expires_at: i % 2 ? null : '2099-01-01T00:00:00Z', status: 'active',
      ...(opts.secrets && i === 0 ? { attributes: { note: 'rotated by the platform team' } } : {}) }));
    ents.push([`id-${i}`, `name-${i}`, `res-${i % 10}`, i % 5 === 0 ? 'admin' : 'write', i % 5 === 0 ? 'admin' : 'write'].join(','));
  }
  writeFileSync(join(inv, 'identities.csv'), ids.join('\n') + '\n');
  writeFileSync(join(inv, 'credentials.ndjson'), creds.join('\n') + '\n');
  writeFileSync(join(inv, 'entitlements.csv'), ents.join('\n') + '\n');
  const grants = [
    ...Array.from({ length: Math.ceil(n / 2) }, (_, k) => ({ id: `G-${k}`, provider: 'acme', identity: `id-${k * 2}`, resource: `res-${(k * 2) % 10}`,
      max_level: 'write', granted_at: '2020-01-01', expires_at: k % 3 === 0 ? '2021-01-01' : '2099-01-01', ticket: `T-${k}` })),
    { id: 'G-glob', provider: 'acme', identity: 'id-1*', resource: 'res-*', max_level: 'read', granted_at: '2020-01-01' },
  ];
  writeFileSync(join(dir, 'grants.yaml'), stringify({ grants }));
  writeFileSync(join(dir, 'owners.yaml'), stringify({ owners: [{ provider: 'acme', identity: 'id-1', owner: 'person-1' }] }));
  writeFileSync(join(dir, 'people.yaml'), stringify({ people: Array.from({ length: 5 }, (_, p) => ({
    id: `person-${p}`, status: p === 3 ? 'departed' : 'active', departed_at: p === 3 ? '2021-06-01' : undefined, logins: { acme: [`login-${p}`] } })) }));
  const config = {
    database: 'recon.duckdb',
    sources: [{ name: 'inv', type: 'file', options: { path: 'inventory', provider: 'acme', tenant: 'acme-prod' } }],
    authority: { grants: 'grants.yaml', owners: 'owners.yaml', people: 'people.yaml' },
    reports: { out_dir: 'reports', formats: opts.formats ?? ['json', 'csv', 'ocsf', 'markdown', 'html'] },
  };
  const configFile = join(dir, 'nhi-recon.yaml');
  writeFileSync(configFile, stringify(config));
  return { dir, config: configFile, db: join(dir, 'recon.duckdb'), reports: join(dir, 'reports'), expected: { identities: n, credentials: n, entitlements: n } };
}
