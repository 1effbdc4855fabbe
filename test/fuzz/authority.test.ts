// Property-based tests over the authoritative record files (grants, owners, people, exceptions) in every format:
// hostile values either load correctly — and then survive a round trip through the store byte for byte — or fail
// with an InputError naming file, line and field. Earlier runs in the store are never touched.
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadAuthority, storeAuthority, type Authority } from '../../src/authority/index.js';
import { LEVELS } from '../../src/model/index.js';
import { createRun } from '../../src/store/runs.js';
import type { Store } from '../../src/store/store.js';
import { openStore, tempDir } from '../helpers/index.js';
import { format, hostileString, hostileValue, oddDate, resolvesOrUserError, RUNS, TIMEOUT, writeRecords, type Format } from './hostile.js';

const maybe = <T>(a: fc.Arbitrary<T>, valid: fc.Arbitrary<unknown>) => fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: a });
const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
const extra = fc.dictionary(fc.constantFrom('note', 'Identity', 'id ', 'grants', '__proto__', 'constructor'), hostileValue, { maxKeys: 1 });

const grant = fc.tuple(fc.record({
  id: maybe(hostileValue, fc.stringMatching(/^G-\d$/)), // few distinct ids: duplicates happen
  provider: maybe(hostileValue, fc.constantFrom('aws', 'github', 'acme')),
  tenant: maybe(hostileValue, fc.oneof(name, fc.constant('*'))),
  identity: maybe(hostileValue, fc.oneof(name, hostileString)),
  resource: maybe(hostileValue, hostileString),
  permission: maybe(hostileValue, hostileString),
  max_level: maybe(hostileValue, fc.constantFrom(...LEVELS)),
  owner: hostileValue, approver: hostileValue, ticket: hostileValue, justification: hostileValue,
  granted_at: oddDate, expires_at: oddDate,
}, { requiredKeys: [] }), extra).map(([r, x]) => ({ ...r, ...x }));

const owner = fc.record({
  provider: maybe(hostileValue, fc.constantFrom('aws', 'acme')), tenant: hostileValue,
  identity: maybe(hostileValue, hostileString), owner: maybe(hostileValue, name),
}, { requiredKeys: [] });

const person = fc.record({
  id: maybe(hostileValue, fc.stringMatching(/^p\d$/)), name: hostileValue, email: hostileValue,
  status: maybe(hostileValue, fc.constantFrom('active', 'departed', 'Active', ' DEPARTED ')),
  departed_at: oddDate, team: hostileValue,
  logins: maybe(hostileValue, fc.dictionary(fc.constantFrom('github', 'aws', 'azure', 'gcp'), fc.oneof(hostileString, fc.array(hostileString, { maxLength: 3 })), { maxKeys: 3 })),
}, { requiredKeys: [] });

const exception = fc.record({
  id: hostileValue, finding_id: hostileValue, rule: hostileValue, match: maybe(hostileValue, hostileString),
  reason: maybe(hostileValue, hostileString), ticket: hostileValue, owner: hostileValue, expires_at: oddDate,
}, { requiredKeys: [] });

const hostileFiles = fc.record({
  grants: fc.tuple(format, fc.array(grant, { maxLength: 8 })),
  owners: fc.tuple(format, fc.array(owner, { maxLength: 4 })),
  people: fc.tuple(format, fc.array(person, { maxLength: 4 })),
  exceptions: fc.tuple(format, fc.array(exception, { maxLength: 3 })),
});

// Valid records whose free-text fields are still hostile (SQL, quotes, unicode, globs): these must load and round-trip.
const text = hostileString.filter((v) => v.trim().length > 0);
const when = fc.date({ min: new Date('1971-01-01'), max: new Date('2200-01-01'), noInvalidDate: true });
const cleanGrant = fc.record({
  provider: fc.constantFrom('aws', 'github', 'acme'), tenant: fc.option(text, { nil: undefined }), identity: text,
  resource: fc.option(text, { nil: undefined }), permission: fc.option(text, { nil: undefined }),
  max_level: fc.option(fc.constantFrom(...LEVELS), { nil: undefined }), owner: fc.option(text, { nil: undefined }),
  justification: fc.option(text, { nil: undefined }), granted_at: fc.option(when, { nil: undefined }), days: fc.option(fc.integer({ min: 0, max: 5000 }), { nil: undefined }),
}).map(({ days, granted_at, ...g }) => ({ ...g, granted_at: granted_at?.toISOString(),
  expires_at: days === undefined ? undefined : new Date((granted_at ?? new Date(0)).getTime() + days * 86_400_000).toISOString() }));
const cleanFiles = fc.record({
  grants: fc.tuple(format, fc.array(cleanGrant, { maxLength: 8 }).map((gs) => gs.map((g, i) => ({ id: `G-${i}`, ...g })))),
  owners: fc.tuple(format, fc.array(fc.record({ provider: fc.constantFrom('aws', 'acme'), identity: text, owner: name }), { maxLength: 4 })),
  people: fc.tuple(format, fc.array(fc.record({ name: fc.option(text, { nil: undefined }), status: fc.constantFrom('active', 'departed'),
    logins: fc.array(fc.tuple(fc.constantFrom('github', 'aws', 'gcp'), name), { maxLength: 3 }).map((ls) => ls.map(([p, l]) => `${p}:${l}`).join(';') || undefined) }),
  { maxLength: 4 }).map((ps) => ps.map((p, i) => ({ id: `p${i}`, ...p })))),
  exceptions: fc.tuple(format, fc.array(fc.record({ match: text, reason: text, expires_at: when.map((d) => d.toISOString()) }), { maxLength: 3 })),
});

const files = fc.oneof(cleanFiles, hostileFiles);

const EXT: Record<Format, string> = { yaml: 'yaml', json: 'json', ndjson: 'ndjson', csv: 'csv' };

async function snapshot(store: Store, runId: string): Promise<string> {
  const rows = await store.all(`SELECT 'g' AS t, grant_id AS a, identity AS b, resource AS c, file || ':' || line AS d FROM grants WHERE run_id = $1
    UNION ALL SELECT 'o', owner, identity, tenant, file || ':' || line FROM owners WHERE run_id = $1
    UNION ALL SELECT 'p', person_id, status, name, file || ':' || line FROM people WHERE run_id = $1 ORDER BY ALL`, [runId]);
  return JSON.stringify(rows);
}

describe('hostile authority files', () => {
  it('load correctly and round-trip through the store, or fail naming file, line and field', { timeout: TIMEOUT }, async () => {
    const dir = tempDir();
    const store = await openStore(dir);
    // An earlier, committed run that no later input may disturb.
    const good = join(dir, 'good-grants.yaml');
    writeRecords(good, 'yaml', 'grants', [{ id: 'G-ok', provider: 'aws', identity: "O'Brien; DROP TABLE grants; --", max_level: 'read' }]);
    const earlier = await createRun(store);
    await store.transaction(async () => storeAuthority(store, earlier.run_id, await loadAuthority({ grants: [good], owners: [], people: [], exceptions: [] })));
    const before = await snapshot(store, earlier.run_id);
    const tally = { inputs: 0, loaded: 0, rejected: 0 };

    await fc.assert(fc.asyncProperty(files, async (f) => {
      tally.inputs++;
      const paths: Record<string, string> = {};
      for (const [kind, [fmt, recs]] of Object.entries(f)) {
        paths[kind] = join(dir, `${kind}-${tally.inputs}.${EXT[fmt as Format]}`);
        writeRecords(paths[kind]!, fmt, kind, recs as Record<string, unknown>[]);
      }
      const res = await resolvesOrUserError(loadAuthority({ grants: [paths.grants!], owners: [paths.owners!], people: [paths.people!], exceptions: [paths.exceptions!] }), Object.values(paths));
      if (!res.ok) {
        tally.rejected++;
        // A record-level problem points at its line; a file-level one (bad header, not a list) at the file.
        for (const i of (res.error as { issues?: { line?: number; field?: string }[] }).issues ?? []) if (i.field && i.field !== 'id') expect(i.line, JSON.stringify(i)).toBeGreaterThanOrEqual(1);
        return;
      }
      tally.loaded++;
      const a: Authority = res.value;
      for (const g of a.grants) expect(g.line).toBeGreaterThanOrEqual(1);
      const run = await createRun(store);
      await store.transaction(() => storeAuthority(store, run.run_id, a));
      const stored = await store.all<{ grant_id: string; identity: string; resource: string; permission: string; tenant: string; granted_at: Date | null; expires_at: Date | null }>(
        'SELECT grant_id, identity, resource, permission, tenant, granted_at, expires_at FROM grants WHERE run_id = $1 ORDER BY line', [run.run_id]);
      expect(stored.map((s) => [s.grant_id, s.identity, s.resource, s.permission, s.tenant, s.granted_at?.getTime() ?? null, s.expires_at?.getTime() ?? null]))
        .toEqual([...a.grants].sort((x, y) => x.line - y.line).map((g) => [g.value.id, g.value.identity, g.value.resource, g.value.permission, g.value.tenant,
          g.value.granted_at?.getTime() ?? null, g.value.expires_at?.getTime() ?? null]));
      const people = await store.all<{ person_id: string; status: string }>('SELECT person_id, status FROM people WHERE run_id = $1 ORDER BY line', [run.run_id]);
      expect(people.map((p) => p.person_id)).toEqual([...a.people].sort((x, y) => x.line - y.line).map((p) => p.value.id));
    }), { numRuns: RUNS(60) });

    expect(await snapshot(store, earlier.run_id)).toBe(before);
    expect(tally.loaded, JSON.stringify(tally)).toBeGreaterThan(0);
    expect(tally.rejected, JSON.stringify(tally)).toBeGreaterThan(0);
    console.log(`authority fuzz: ${JSON.stringify(tally)}`);
  });

  it('valid records with hostile text always load', { timeout: TIMEOUT }, async () => {
    const dir = tempDir();
    let n = 0;
    await fc.assert(fc.asyncProperty(cleanFiles, async (f) => {
      n++;
      const paths: Record<string, string> = {};
      for (const [kind, [fmt, recs]] of Object.entries(f)) {
        paths[kind] = join(dir, `${kind}-${n}.${EXT[fmt as Format]}`);
        writeRecords(paths[kind]!, fmt as Format, kind, recs as Record<string, unknown>[]);
      }
      const res = await resolvesOrUserError(loadAuthority({ grants: [paths.grants!], owners: [paths.owners!], people: [paths.people!], exceptions: [paths.exceptions!] }), Object.values(paths));
      expect(res.ok ? '' : res.error.message).toBe('');
      if (res.ok) expect(res.value.grants.length).toBe(f.grants[1].length);
    }), { numRuns: RUNS(40) });
  });

  it('duplicate ids, a YAML alias bomb and a file that is not a list are clear errors', async () => {
    const dir = tempDir();
    const dup = join(dir, 'dup.yaml');
    writeRecords(dup, 'yaml', 'grants', [{ id: 'G-1', provider: 'aws', identity: 'a' }, { id: 'G-1', provider: 'aws', identity: 'b' }]);
    const r1 = await resolvesOrUserError(loadAuthority({ grants: [dup], owners: [], people: [], exceptions: [] }), [dup]);
    expect(r1.ok ? '' : r1.error.message).toMatch(/dup\.yaml:\d+ id: duplicate grant id "G-1" \(first at .*dup\.yaml:\d+\)/);

    const bomb = join(dir, 'bomb.yaml');
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill('*' + String.fromCharCode(96 + i)).join(',')}]`);
    lines.push('grants: [*i]');
    (await import('node:fs')).writeFileSync(bomb, lines.join('\n') + '\n');
    const r2 = await resolvesOrUserError(loadAuthority({ grants: [bomb], owners: [], people: [], exceptions: [] }), [bomb]);
    expect(r2.ok).toBe(false);

    const scalar = join(dir, 'scalar.json');
    (await import('node:fs')).writeFileSync(scalar, '"just a string"');
    const r3 = await resolvesOrUserError(loadAuthority({ grants: [scalar], owners: [], people: [], exceptions: [] }), [scalar]);
    expect(r3.ok ? '' : r3.error.message).toMatch(/scalar\.json:1: expected a JSON array of records/);
  });
});
