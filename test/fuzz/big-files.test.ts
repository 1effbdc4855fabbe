// 100 MB inputs: NDJSON and CSV stream through the file connector within a capped heap and with an exact row count; YAML and
// JSON documents over their size limit get a clear error before any parsing (a 100 MB YAML file would otherwise take
// gigabytes of memory). Also: odd dates never throw and valid ones keep their instant.
import { spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadAuthority } from '../../src/authority/index.js';
import { parseDate } from '../../src/model/index.js';
import { openStore, tempDir, writeConfig } from '../helpers/index.js';
import { ODD_DATES, resolvesOrUserError, RUNS } from './hostile.js';

const MB = 1024 * 1024;
const TARGET = 100 * MB;
const KEEP = 2000; // rows of the collected tenant; the rest belong to a tenant out of scope, read and skipped

/** Writes lines until the file reaches `bytes`; returns how many lines of the kept tenant it wrote. */
async function writeBig(file: string, header: string | null, line: (i: number, tenant: string) => string, bytes: number): Promise<number> {
  const out = createWriteStream(file);
  let size = 0, i = 0, kept = 0;
  const chunk: string[] = [];
  if (header) { out.write(header + '\n'); size += header.length + 1; }
  while (size < bytes) {
    const keep = i % 200 === 0 && kept < KEEP;
    const l = line(i++, keep ? 'big' : 'other') + '\n';
    if (keep) kept++;
    chunk.push(l);
    size += Buffer.byteLength(l);
    if (chunk.length >= 5000) { if (!out.write(chunk.join(''))) await new Promise<void>((r) => out.once('drain', () => r())); chunk.length = 0; }
  }
  out.write(chunk.join(''));
  await new Promise<void>((res, rej) => out.end((e?: Error | null) => (e ? rej(e) : res())));
  return kept;
}

const pad = 'x'.repeat(120);
const CHILD = fileURLToPath(new URL('./stream-child.ts', import.meta.url));

describe('100 MB inputs', () => {
  for (const format of ['ndjson', 'csv'] as const) {
    it(`a 100 MB ${format.toUpperCase()} export streams: exact rows, within a 64 MB heap`, { timeout: 300_000 }, async () => {
      const dir = tempDir();
      const file = join(dir, 'inv', `identities.${format}`);
      (await import('node:fs')).mkdirSync(join(dir, 'inv'));
      const kept = format === 'ndjson'
        ? await writeBig(file, null, (i, t) => JSON.stringify({ ref: `id-${i}`, kind: 'service_account', name: `svc "${i}" 'q'`, tenant: t, created_at: '2024-01-02T03:04:05Z', note: pad }), TARGET)
        : await writeBig(file, 'ref,kind,name,tenant,created_at,note', (i, t) => `id-${i},service_account,"svc ""${i}"" 'q'",${t},2024-01-02 03:04:05+00:00,${pad}`, TARGET);
      const loaded = await writeConfig(dir, { database: 'test.duckdb', authority: { required: false },
        sources: [{ name: 'big', type: 'file', tenants: ['big'], options: { path: join(dir, 'inv'), provider: 'acme' } }] });
      // Streaming, proved by a heap the file cannot fit in: the collection runs in a child whose JS old space is capped
      // at 64 MB. 100 MB of text is 100–200 MB as JS strings: a reader that held the file, or its lines, dies of "heap
      // out of memory" under this cap (measured: it does), and a streaming one finishes even under 32 MB. A cap, unlike
      // an RSS reading in the test's own process, does not depend on when the garbage collector last ran.
      const child = spawnSync(process.execPath, ['--max-old-space-size=64', '--import', 'tsx', CHILD, loaded.file!], { encoding: 'utf8', timeout: 240_000 });
      expect(child.stderr, 'the collection finished within a 64 MB heap').not.toMatch(/heap out of memory/i);
      expect(child.status, child.stderr.slice(-2000)).toBe(0);
      const out = JSON.parse(child.stdout.trim().split('\n').pop()!) as { runId: string; status: string; outcomes: unknown[] };
      expect(out.outcomes).toEqual([['big', 'complete', kept]]);
      expect(out.status).toBe('complete');
      const store = await openStore(dir);
      expect(await store.value('SELECT count(*)::INT FROM identities WHERE run_id = $1', [out.runId])).toBe(kept);
      expect(await store.value(`SELECT count(*)::INT FROM identities WHERE run_id = $1 AND name = 'svc "0" ''q'''`, [out.runId])).toBe(1);
    });
  }

  for (const format of ['yaml', 'json'] as const) {
    it(`a 100 MB ${format.toUpperCase()} grant file is refused clearly, without parsing`, { timeout: 120_000 }, async () => {
      const dir = tempDir();
      const file = join(dir, `grants.${format}`);
      await writeBig(file, format === 'yaml' ? 'grants:' : '[', (i) => (format === 'yaml'
        ? `  - { id: G-${i}, provider: aws, identity: "u${i}", note: ${pad} }`
        : `{"id":"G-${i}","provider":"aws","identity":"u${i}"},`), TARGET);
      const rss0 = process.memoryUsage().rss;
      const res = await resolvesOrUserError(loadAuthority({ grants: [file], owners: [], people: [], exceptions: [] }), [file]);
      expect(res.ok ? '' : res.error.message).toMatch(new RegExp(`grants\\.${format}: file is 100 MB; ${format === 'yaml' ? 'YAML' : 'JSON'} files are limited to \\d+ MB — use NDJSON or CSV for large inputs`));
      expect((process.memoryUsage().rss - rss0) / MB).toBeLessThan(50);
    });
  }
});

describe('dates in every odd format', () => {
  it('parseDate never throws: a UTC instant, null, or invalid', () => {
    let n = 0;
    fc.assert(fc.property(fc.oneof(fc.constantFrom(...ODD_DATES), fc.string(), fc.double(), fc.anything()), (v) => {
      n++;
      const d = parseDate(v);
      expect(d === null || d === 'invalid' || (d instanceof Date && !Number.isNaN(d.getTime()))).toBe(true);
    }), { numRuns: RUNS(2000) });
    expect(n).toBeGreaterThan(0);
  });

  it('every written form of one instant reads back as that instant', () => {
    fc.assert(fc.property(fc.date({ min: new Date('1970-01-02'), max: new Date('9999-12-31'), noInvalidDate: true }), fc.integer({ min: -12 * 60, max: 14 * 60 }), (d0, offMin) => {
      const d = new Date(Math.floor(d0.getTime() / 1000) * 1000); // whole seconds: every form below can carry them
      const iso = d.toISOString();
      const local = new Date(d.getTime() + offMin * 60_000).toISOString().slice(0, 19);
      const sign = offMin < 0 ? '-' : '+';
      const hh = String(Math.floor(Math.abs(offMin) / 60)).padStart(2, '0'), mm = String(Math.abs(offMin) % 60).padStart(2, '0');
      for (const form of [iso, iso.replace('T', ' ').replace('.000Z', '+00:00'), `${local}${sign}${hh}:${mm}`, `${local}${sign}${hh}${mm}`, iso.replace('.000Z', 'Z'), iso.replace('.000Z', ' UTC')]) {
        const got = parseDate(form);
        expect(got instanceof Date ? got.toISOString() : got, form).toBe(iso);
      }
      if (d.getTime() >= 1e11 * 1000 || d.getTime() < 1e11) return; // epoch numbers: seconds below 1e11, else milliseconds
      expect((parseDate(d.getTime() / 1000) as Date).toISOString()).toBe(iso);
      expect((parseDate(d.getTime()) as Date).toISOString()).toBe(iso);
    }), { numRuns: RUNS(300) });
  });
});
