// Property-based tests over the file connector's inputs (identities, credentials, entitlements in CSV, JSON, NDJSON):
// hostile rows either land in the store exactly as given, or mark their tenant partial/failed with a reason naming
// file and line — never a crash, never a silently shorter inventory, never a change to an earlier run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collectStage } from '../../src/pipeline/scan.js';
import { CREDENTIAL_KINDS, IDENTITY_KINDS, LEVELS } from '../../src/model/index.js';
import { silentLogger } from '../../src/log.js';
import type { Store } from '../../src/store/store.js';
import { openStore, tempDir, writeConfig } from '../helpers/index.js';
import { hostileString, hostileValue, oddDate, RUNS, TIMEOUT, writeRecords } from './hostile.js';

type Fmt = 'csv' | 'json' | 'ndjson';
const fmt = fc.constantFrom<Fmt>('csv', 'json', 'ndjson');
const text = hostileString.filter((s) => s.trim().length > 0);
const bool = fc.constantFrom('true', 'false', 'yes', 'no', '', 'unknown', true, false);
const validDate = fc.date({ min: new Date('1971-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }).map((d) => d.toISOString());

/** A field is valid (with hostile text where free text is allowed), or — in hostile mode, sometimes — anything at all. */
function field(hostile: boolean, valid: fc.Arbitrary<unknown>, bad: fc.Arbitrary<unknown> = hostileValue): fc.Arbitrary<unknown> {
  return hostile ? fc.oneof({ weight: 4, arbitrary: valid }, { weight: 1, arbitrary: bad }) : valid;
}

const rows = (hostile: boolean) => fc.record({
  identities: fc.array(fc.record({
    ref: field(hostile, text), kind: field(hostile, fc.constantFrom(...IDENTITY_KINDS)), name: field(hostile, text), human: field(hostile, bool),
    login: field(hostile, fc.option(text, { nil: undefined })), created_at: field(hostile, validDate, oddDate), last_used_at: field(hostile, fc.option(validDate, { nil: undefined }), oddDate),
    note: fc.option(hostileString, { nil: undefined }),
  }, { requiredKeys: hostile ? [] : ['ref', 'kind', 'name'] }), { maxLength: 6 }),
  credentials: fc.array(fc.record({
    ref: field(hostile, text), kind: field(hostile, fc.constantFrom(...CREDENTIAL_KINDS)), identity_ref: field(hostile, text),
    expires_at: field(hostile, fc.option(validDate, { nil: undefined }), oddDate), status: field(hostile, fc.constantFrom('active', 'inactive', 'revoked')),
    fingerprint: field(hostile, fc.option(text, { nil: undefined })),
  }, { requiredKeys: hostile ? [] : ['ref', 'kind'] }), { maxLength: 6 }),
  entitlements: fc.array(fc.record({
    identity_ref: field(hostile, text), resource_ref: field(hostile, text), permission: field(hostile, text),
    level: field(hostile, fc.constantFrom(...LEVELS)), privileged: field(hostile, bool),
  }, { requiredKeys: hostile ? [] : ['identity_ref', 'resource_ref', 'permission', 'level'] }), { maxLength: 6 }),
  formats: fc.tuple(fmt, fmt, fmt),
});

function writeInventory(dir: string, inv: { identities: object[]; credentials: object[]; entitlements: object[]; formats: [Fmt, Fmt, Fmt] }): void {
  mkdirSync(dir, { recursive: true });
  const kinds = ['identities', 'credentials', 'entitlements'] as const;
  kinds.forEach((k, i) => {
    const f = inv.formats[i]!;
    const recs = inv[k] as Record<string, unknown>[];
    const file = join(dir, `${k}.${f}`);
    // The file connector reads a plain JSON array; a CSV needs its header even when there is no row.
    if (f === 'json') writeFileSync(file, JSON.stringify(recs, null, 1));
    else if (f === 'csv' && recs.length === 0) writeFileSync(file, k === 'entitlements' ? 'identity_ref,resource_ref,permission,level\n' : 'ref,kind\n');
    else writeRecords(file, f, k, recs);
  });
}

async function snapshot(store: Store, runId: string): Promise<string> {
  return JSON.stringify(await store.all(`SELECT 'i' AS t, ref, name AS v FROM identities WHERE run_id = $1
    UNION ALL SELECT 'c', ref, kind FROM credentials WHERE run_id = $1 UNION ALL SELECT 'e', ref, level FROM entitlements WHERE run_id = $1
    UNION ALL SELECT 's', tenant, status FROM source_runs WHERE run_id = $1 ORDER BY ALL`, [runId]));
}

describe('hostile file-connector inputs', () => {
  it('land exactly, or mark the tenant incomplete naming file and line; earlier runs untouched', { timeout: TIMEOUT }, async () => {
    const dir = tempDir();
    const store = await openStore(dir);
    const inv = join(dir, 'inv-0');
    writeInventory(inv, { identities: [{ ref: "x'; DROP TABLE runs; --", kind: 'bot', name: 'Robert"); --' }], credentials: [], entitlements: [], formats: ['csv', 'json', 'ndjson'] });
    const loaded0 = await writeConfig(dir, { database: 'test.duckdb', sources: [{ name: 'inv', type: 'file', options: { path: inv, provider: 'acme', tenant: 't' } }], authority: { required: false } });
    const { run: earlier } = await collectStage(store, loaded0, { log: silentLogger });
    expect(earlier.status).toBe('complete');
    const before = await snapshot(store, earlier.run_id);
    const tally = { inputs: 0, complete: 0, incomplete: 0, rows: 0 };

    await fc.assert(fc.asyncProperty(fc.boolean().chain((h) => rows(h).map((r) => ({ hostile: h, ...r }))), async (input) => {
      tally.inputs++;
      const folder = join(dir, `inv-${tally.inputs}`);
      writeInventory(folder, input);
      // Each input is an unrelated estate of one tenant: the plausibility guard (tested on its own) would rightly call a
      // shrunken one suspect; here only the connector's exactness is under test.
      const loaded = await writeConfig(dir, { database: 'test.duckdb', sources: [{ name: 'inv', type: 'file', options: { path: folder, provider: 'acme', tenant: 't' } }], authority: { required: false }, guards: { collection: { enabled: false } } });
      const { run, outcomes } = await collectStage(store, loaded, { log: silentLogger });
      expect(outcomes.length).toBeGreaterThan(0);
      const counts = await store.one<{ i: number; c: number; e: number }>(`SELECT
        (SELECT count(*) FROM identities WHERE run_id = $1)::INT AS i, (SELECT count(*) FROM credentials WHERE run_id = $1)::INT AS c,
        (SELECT count(*) FROM entitlements WHERE run_id = $1)::INT AS e`, [run.run_id]);
      if (outcomes.every((o) => o.status === 'complete')) {
        tally.complete++;
        // Complete means every row landed, byte for byte (cells are written quoted, and quoted CSV content is kept as
        // is). Compared inside DuckDB: reading strings into JS drops a leading U+FEFF (the driver's UTF-8 decoding).
        const norm = (v: unknown) => (typeof v === 'number' ? String(v) : v) as string;
        const want = new Map<string, number>();
        for (const r of input.identities) want.set(norm(r.ref), (want.get(norm(r.ref)) ?? 0) + 1);
        for (const [ref, k] of want) {
          expect(await store.value('SELECT count(*)::INT FROM identities WHERE run_id = $1 AND ref = $2', [run.run_id, ref]), JSON.stringify(ref)).toBe(k);
        }
        expect(counts).toEqual({ i: input.identities.length, c: input.credentials.length, e: input.entitlements.length });
        tally.rows += counts!.i + counts!.c + counts!.e;
      } else {
        tally.incomplete++;
        expect(run.status).toBe('partial');
        for (const o of outcomes.filter((x) => x.status !== 'complete')) {
          expect(o.error, JSON.stringify(o)).toBeTruthy();
          // A row problem names its file and line.
          if (o.status === 'partial') expect(o.error!).toMatch(new RegExp(`(identities|credentials|entitlements)\\.(csv|json|ndjson):\\d+`));
        }
      }
      // A valid inventory never ends incomplete.
      if (!input.hostile) expect(outcomes.map((o) => [o.status, o.error])).toEqual(outcomes.map(() => ['complete', null]));
    }), { numRuns: RUNS(40) });

    expect(await snapshot(store, earlier.run_id)).toBe(before);
    expect(tally.complete).toBeGreaterThan(0);
    expect(tally.incomplete).toBeGreaterThan(0);
    console.log(`file connector fuzz: ${JSON.stringify(tally)}`);
  });
});
