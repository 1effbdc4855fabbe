// Issue 14 class 2 (review D8): an empty grant file, `grants: []`, or a grant set that shrank beyond the threshold is
// not authority. It is refused (exit 2, naming the file) unless a person accepts it, and an acceptance is recorded.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { openStore, tempDir, writeConfig } from '../helpers/index.js';
import { collectStage, loadAuthorityFor } from '../../src/pipeline/scan.js';
import { silentLogger, createLogger } from '../../src/log.js';
import { EXIT, UserError } from '../../src/errors.js';
import { main } from '../../src/cli.js';

const grants = (n: number) => stringify({ grants: Array.from({ length: n }, (_, i) => ({ id: `G-${i + 1}`, provider: 'slack', identity: `svc-${i + 1}`, resource: 'db/prod' })) });

async function estate(grantText: string, extra: Record<string, unknown> = {}) {
  const dir = tempDir();
  mkdirSync(join(dir, 'inv'));
  writeFileSync(join(dir, 'inv', 'identities.csv'), 'ref,kind,name\nsvc-1,service_account,svc-1\n');
  writeFileSync(join(dir, 'grants.yaml'), grantText);
  const config = {
    database: 'test.duckdb',
    sources: [{ name: 'saas', type: 'file', options: { path: 'inv', provider: 'slack', tenant: 'acme' } }],
    authority: { grants: 'grants.yaml' },
    ...extra,
  };
  const loaded = await writeConfig(dir, config);
  return { dir, loaded, config, file: join(dir, 'grants.yaml') };
}

async function refusal(p: Promise<unknown>): Promise<UserError> {
  try { await p; } catch (e) { expect(e).toBeInstanceOf(UserError); return e as UserError; }
  throw new Error('expected a refusal');
}

async function cli(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), log: createLogger({ write: (l) => err.push(l) }), interactive: false });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('authority guard (D8)', () => {
  it('D8: a 0-byte grant file is refused with exit 2 naming the file, by validate and by scan', async () => {
    const e = await estate('');
    const err = await refusal(loadAuthorityFor(e.loaded));
    expect(err.exitCode).toBe(EXIT.usage);
    expect(err.message).toContain(e.file);
    expect(err.message).toMatch(/empty/);
    const v = await cli(['validate', '--config', join(e.dir, 'nhi-recon.yaml')]);
    expect(v.code).toBe(EXIT.usage);
    expect(v.err).toContain(e.file);
    expect(v.out).not.toContain('valid');
    const s = await cli(['scan', '--config', join(e.dir, 'nhi-recon.yaml'), '--format', 'json']);
    expect(s.code).toBe(EXIT.usage);
    expect(s.err).toContain(e.file);
  });

  it('D8: `grants: []` is refused the same way, and nothing is written to the database', async () => {
    const e = await estate('grants: []\n');
    const store = await openStore(e.dir);
    const err = await refusal(collectStage(store, e.loaded, { log: silentLogger }));
    expect(err.exitCode).toBe(EXIT.usage);
    expect(err.message).toContain(e.file);
    expect(err.message).toMatch(/no grant records/);
    expect(Number(await store.value('SELECT count(*) FROM runs'))).toBe(0);
  });

  it('a grant set that shrank beyond the threshold against the previous run is refused; a small change is not', async () => {
    const e = await estate(grants(20));
    const store = await openStore(e.dir);
    await collectStage(store, e.loaded, { log: silentLogger });
    writeFileSync(e.file, grants(14)); // -30%: plausible
    await collectStage(store, e.loaded, { log: silentLogger });
    writeFileSync(e.file, grants(2)); // -86% against the previous run (14)
    const err = await refusal(collectStage(store, e.loaded, { log: silentLogger }));
    expect(err.exitCode).toBe(EXIT.usage);
    expect(err.message).toContain(e.file);
    expect(err.message).toMatch(/14 → 2/);
    expect(err.message).toContain('--accept-authority-drop');
    expect(Number(await store.value('SELECT count(*) FROM runs'))).toBe(2);
  });

  it('an accepted authority drop (flag or config) runs, and the acceptance is recorded in the run', async () => {
    const e = await estate(grants(20));
    const store = await openStore(e.dir);
    await collectStage(store, e.loaded, { log: silentLogger });
    writeFileSync(e.file, grants(1));
    const now = new Date('2026-12-05T11:00:00Z');
    const { run } = await collectStage(store, e.loaded, { log: silentLogger, acceptAuthorityDrop: true, actor: 'carol', now });
    const d = await store.all<Record<string, unknown>>(`SELECT * FROM guard_decisions WHERE run_id = $1`, [run.run_id]);
    expect(d).toEqual([expect.objectContaining({ guard: 'authority', decision: 'accepted', collection: 'grants', baseline: 20, current: 1,
      accepted_by: 'carol', accepted_via: '--accept-authority-drop' })]);
    expect((d[0]!.decided_at as Date).toISOString()).toBe(now.toISOString());

    // An empty file accepted in the config.
    writeFileSync(e.file, '');
    const again = await writeConfig(e.dir, { ...e.config, guards: { accept_authority_drop: true } });
    expect((await loadAuthorityFor(again)).grants).toEqual([]);
    const r = await collectStage(store, again, { log: silentLogger, actor: 'carol' });
    const d2 = await store.all<Record<string, unknown>>(`SELECT * FROM guard_decisions WHERE run_id = $1 ORDER BY reason`, [r.run.run_id]);
    expect(d2.length).toBeGreaterThan(0);
    expect(d2.every((x) => x.guard === 'authority' && x.decision === 'accepted' && x.accepted_via === 'config guards.accept_authority_drop')).toBe(true);
    expect(d2.some((x) => String(x.reason).includes(e.file))).toBe(true);
  });

  it('the CLI flag --accept-authority-drop lets validate and scan through', async () => {
    const e = await estate('grants: []\n');
    const v = await cli(['validate', '--config', join(e.dir, 'nhi-recon.yaml'), '--accept-authority-drop']);
    expect(v.code).toBe(EXIT.ok);
    const s = await cli(['scan', '--config', join(e.dir, 'nhi-recon.yaml'), '--format', 'json', '--out', join(e.dir, 'r'), '--accept-authority-drop']);
    expect(s.code).toBe(EXIT.ok);
  });
});
