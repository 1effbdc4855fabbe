// #18 "Done when": the demo's SaaS estate with its grants removed → scan → baseline → scan with the drafts (a review
// list, no alarm) → review open → all-certify decisions → review apply → scan: no ungranted-access, and only findings
// that do not depend on grants.
import { describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { stringify, parse } from 'yaml';
import { main } from '../../src/cli.js';
import { createLogger } from '../../src/log.js';
import { Store } from '../../src/store/store.js';
import { tempDir } from '../helpers/index.js';
import { writeSaasEstate } from '../../src/demo/estate.js';

async function cli(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = []; const err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), log: createLogger({ write: (l) => err.push(l) }), interactive: false });
  return { code, out, err };
}

async function openRules(db: string): Promise<string[]> {
  const store = await Store.open(db, { readOnly: true });
  try {
    const rows = await store.all<{ rule_id: string }>(`SELECT DISTINCT rule_id FROM findings WHERE run_id = (SELECT run_id FROM runs ORDER BY seq DESC LIMIT 1)
      AND status <> 'resolved' AND suppressed_by IS NULL ORDER BY 1`);
    return rows.map((r) => r.rule_id);
  } finally { store.close(); }
}

describe('bootstrap and review loop (#18 done-when)', () => {
  it('baseline then an all-certify review leaves no ungranted-access and only grant-independent findings', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'inventory'));
    const estate = writeSaasEstate(join(dir, 'inventory'));
    for (const k of ['owners', 'people'] as const) writeFileSync(join(dir, `${k}.yaml`), stringify({ [k]: estate[k] }));
    const db = join(dir, 'db.duckdb');
    const config = (authority: Record<string, unknown>) => writeFileSync(join(dir, 'nhi-recon.yaml'), stringify({
      database: db,
      sources: [{ name: 'saas-export', type: 'file', options: { path: 'inventory', provider: 'saas', tenant: 'acme-saas' } }],
      authority: { owners: 'owners.yaml', people: 'people.yaml', ...authority },
      reports: { out_dir: join(dir, 'reports'), formats: ['json'] },
    }));
    const cfg = ['--config', join(dir, 'nhi-recon.yaml')];

    // Grants removed: every entitlement is ungranted.
    config({ required: false });
    expect((await cli(['scan', ...cfg])).code).toBe(0);
    const before = await openRules(db);
    expect(before).toContain('ungranted-access');

    // baseline: drafts, refusing to overwrite them afterwards.
    const drafts = join(dir, 'drafts');
    const b = await cli(['baseline', ...cfg, '--out', drafts]);
    expect(b.code, b.err.join('\n')).toBe(0);
    const draftGrants = parse(readFileSync(join(drafts, 'grants.draft.yaml'), 'utf8')).grants as Record<string, unknown>[];
    expect(draftGrants.length).toBe(7);
    expect(draftGrants.every((g) => g.status === 'draft' && g.expires_at && (g.provenance as { signal: string }).signal)).toBe(true);
    expect(readFileSync(join(drafts, 'grants.draft.yaml'), 'utf8')).toMatch(/^# DRAFT grants written by `nhi-recon baseline`/);
    expect(existsSync(join(drafts, 'owners.draft.yaml')) && existsSync(join(drafts, 'integrations.draft.yaml'))).toBe(true);
    expect((await cli(['baseline', ...cfg, '--out', drafts])).code).toBe(2);

    // Day one with the drafts: a review list, not an alarm.
    config({ grants: join(drafts, 'grants.draft.yaml') });
    expect((await cli(['scan', ...cfg])).code).toBe(0);
    const day1 = await openRules(db);
    expect(day1).not.toContain('ungranted-access');
    expect(day1).toContain('unreviewed-grant');

    // review open → certify everything → review apply.
    const reviews = join(dir, 'reviews');
    const o = await cli(['review', 'open', ...cfg, '--out', reviews]);
    expect(o.code, o.err.join('\n')).toBe(0);
    const log = join(dir, 'decisions.ndjson');
    let certified = 0;
    for (const folder of readdirSync(reviews)) {
      expect(readFileSync(join(reviews, folder, 'packet.html'), 'utf8')).not.toMatch(/<script|https?:\/\//);
      const file = join(reviews, folder, 'decisions.csv');
      const [head, ...rows] = readFileSync(file, 'utf8').trim().split('\n');
      const cols = head!.split(',');
      const filled = rows.map((r) => {
        const cells = r.split(',');
        cells[cols.indexOf('decision')] = 'certify';
        cells[cols.indexOf('reviewer')] = 'carol';
        // An unowned item gets an owner from its reviewer, as a real review would.
        if (!cells[cols.indexOf('owner')]) cells[cols.indexOf('owner')] = 'carol';
        return cells.join(',');
      });
      certified += filled.length;
      writeFileSync(file, [head, ...filled].join('\n') + '\n');
      const a = await cli(['review', 'apply', file, ...cfg, '--log', log]);
      expect(a.code, a.err.join('\n')).toBe(0);
    }
    // Every access item of the run is in some owner's packet: the 7 drafted ones and the integration scopes (which the
    // register, not a draft, judges).
    const store = await Store.open(db, { readOnly: true });
    const access = Number(await store.value(`SELECT count(*) FROM entitlements WHERE run_id = (SELECT run_id FROM runs ORDER BY seq DESC LIMIT 1) AND level <> 'none'`));
    const scopes = Number(await store.value(`SELECT count(*) FROM entitlements WHERE run_id = (SELECT run_id FROM runs ORDER BY seq DESC LIMIT 1) AND json_exists(attributes, '$.scope')`));
    store.close();
    expect(scopes).toBeGreaterThan(0);
    expect(certified).toBe(access);
    expect(certified).toBe(draftGrants.length + scopes);

    config({ grants: join(drafts, 'grants.draft.yaml'), decisions: log });
    expect((await cli(['scan', ...cfg])).code).toBe(0);
    const after = await openRules(db);
    expect(after).not.toContain('ungranted-access');
    const grantDependent = ['ungranted-access', 'unreviewed-grant', 'expired-grant', 'over-privileged', 'standing-privilege', 'used-after-expiry', 'unfulfilled-grant',
      'grant-without-owner', 'grant-expiry-too-long', 'review-overdue', 'mover-access'];
    expect(after.filter((r) => grantDependent.includes(r))).toEqual([]);
    // What remains is what never depended on grants: it was there before any grant existed.
    for (const r of after) expect(before, r).toContain(r);
  }, 120_000);

  it('review apply names file and line for an unknown item, a missing reviewer and an extension beyond policy', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'inventory'));
    const estate = writeSaasEstate(join(dir, 'inventory'));
    writeFileSync(join(dir, 'people.yaml'), stringify({ people: estate.people }));
    const db = join(dir, 'db.duckdb');
    writeFileSync(join(dir, 'nhi-recon.yaml'), stringify({ database: db, sources: [{ name: 's', type: 'file', options: { path: 'inventory', provider: 'saas', tenant: 'acme-saas' } }],
      authority: { people: 'people.yaml', required: false }, reports: { out_dir: join(dir, 'reports'), formats: ['json'] } }));
    const cfg = ['--config', join(dir, 'nhi-recon.yaml')];
    expect((await cli(['scan', ...cfg])).code).toBe(0);
    expect((await cli(['review', 'open', ...cfg, '--out', join(dir, 'r')])).code).toBe(0);
    const folder = readdirSync(join(dir, 'r'))[0]!;
    const [head, first] = readFileSync(join(dir, 'r', folder, 'decisions.csv'), 'utf8').trim().split('\n');
    const cols = head!.split(',');
    const row = (f: (c: string[]) => void) => { const c = first!.split(','); f(c); return c.join(','); };
    const bad = [head,
      row((c) => { c[cols.indexOf('item')] = 'A-nosuchitem'; c[cols.indexOf('decision')] = 'certify'; c[cols.indexOf('reviewer')] = 'carol'; }),
      row((c) => { c[cols.indexOf('decision')] = 'certify'; }),
      row((c) => { c[cols.indexOf('decision')] = 'extend-until'; c[cols.indexOf('until')] = '2099-01-01'; c[cols.indexOf('reviewer')] = 'carol'; }),
    ].join('\n') + '\n';
    const file = join(dir, 'bad.csv');
    writeFileSync(file, bad);
    const r = await cli(['review', 'apply', file, ...cfg, '--log', join(dir, 'log.ndjson')]);
    expect(r.code).toBe(2);
    const msg = r.err.join('\n');
    expect(msg).toMatch(/bad\.csv:2 item: unknown item "A-nosuchitem"/);
    expect(msg).toMatch(/bad\.csv:3 reviewer: is required/);
    expect(msg).toMatch(/bad\.csv:4 until: 2099-01-01 is beyond policy\.max_grant_days/);
    expect(existsSync(join(dir, 'log.ndjson'))).toBe(false);
  }, 60_000);
});
