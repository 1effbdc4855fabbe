// Regression tests for hostile inputs beyond ordinary files (review D12, D13): prototype keys in records and config,
// and devices, pipes and FIFOs whose size the file system cannot tell.
import { execFileSync, spawn } from 'node:child_process';
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { tempDir } from '../helpers/index.js';
import { cli } from '../pipeline/estate.js';
import { loadAuthority } from '../../src/authority/index.js';
import { InputError } from '../../src/errors.js';

const files = { grants: [] as string[], owners: [], people: [], exceptions: [] };

describe('prototype keys (D12)', () => {
  it('a JSON grant record with "__proto__" is refused naming file, line and field; nothing is smuggled into the grant', async () => {
    const dir = tempDir();
    const f = join(dir, 'grants.json');
    writeFileSync(f, '{"grants":[\n{"__proto__":{"max_level":"owner"},"id":"P1","provider":"aws","identity":"x"}\n]}');
    const err = await loadAuthority({ ...files, grants: [f] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toMatch(/grants\.json:2 __proto__: the key "__proto__" is not allowed/);
  });

  it('nested constructor/prototype keys in YAML and CSV-free formats, and in the config, exit 2', async () => {
    const dir = tempDir();
    const g = join(dir, 'grants.yaml');
    writeFileSync(g, stringify({ grants: [{ id: 'P1', provider: 'aws', identity: 'x', extra: { constructor: { prototype: { admin: true } } } }] }));
    expect(await loadAuthority({ ...files, grants: [g] }).catch((e: Error) => e.message)).toMatch(/extra\.constructor/);
    writeFileSync(join(dir, 'nhi-recon.yaml'), '__proto__:\n  database: evil.duckdb\n');
    const r = await cli(['validate', '--config', join(dir, 'nhi-recon.yaml')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/__proto__/);
  });
});

describe('devices and pipes (D13)', () => {
  const config = (dir: string, grants: string) => {
    writeFileSync(join(dir, 'nhi-recon.yaml'), stringify({ database: 'db.duckdb', authority: { grants } }));
    return join(dir, 'nhi-recon.yaml');
  };

  for (const ext of ['yaml', 'json', 'csv', 'ndjson']) {
    it(`a grant file that is /dev/zero (.${ext}) is refused with exit 2, not read without end`, async () => {
      const dir = tempDir();
      symlinkSync('/dev/zero', join(dir, `grants.${ext}`));
      const r = await cli(['validate', '--config', config(dir, `grants.${ext}`)]);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`grants.${ext}`);
      expect(r.err).toMatch(/larger than|too large|record/i);
    });
  }

  it('a config that is /dev/zero exits 2', async () => {
    const dir = tempDir();
    symlinkSync('/dev/zero', join(dir, 'zero.yaml'));
    const r = await cli(['validate', '--config', join(dir, 'zero.yaml')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/larger than/);
  });

  it('a FIFO with a writer is read like a file (process substitution works), within the cap', async () => {
    const dir = tempDir();
    const fifo = join(dir, 'grants.yaml');
    execFileSync('mkfifo', [fifo]);
    const text = stringify({ grants: [{ id: 'G1', provider: 'aws', identity: 'x' }] });
    // The writer blocks until the reader opens the FIFO.
    const writer = spawn(process.execPath, ['-e', `require('fs').writeFileSync(${JSON.stringify(fifo)}, ${JSON.stringify(text)})`]);
    const a = await loadAuthority({ ...files, grants: [fifo] });
    expect(a.grants.map((g) => g.value.id)).toEqual(['G1']);
    await new Promise((r) => writer.once('exit', r));
  });
});

describe('NDJSON line ends', () => {
  it('a record holding U+2028, U+2029 or NEL raw (as JSON.stringify writes them) is one line; CRLF ends and long lines read whole', async () => {
    const dir = tempDir();
    const f = join(dir, 'grants.ndjson');
    const ids = ['a\u2028b', 'c\u2029d', 'e\u0085f', 'g'.repeat(100_000) + '\u2028' + 'h'.repeat(100_000)];
    // JSON.stringify leaves U+2028/U+2029 unescaped: this is how a real exporter writes them.
    const lines = ids.map((identity, i) => JSON.stringify({ id: `G${i}`, provider: 'aws', identity }));
    writeFileSync(f, `${lines[0]}\r\n\n${lines[1]}\n${lines[2]}\r\n${lines[3]}`); // blank line 2; no final newline
    const a = await loadAuthority({ ...files, grants: [f] });
    expect(a.grants.map((g) => [g.value.id, g.value.identity, g.line])).toEqual(ids.map((id, i) => [`G${i}`, id, i === 0 ? 1 : i + 2]));
  });
});

describe('byte order marks and UTF-16 (Windows exports)', () => {
  const g = { id: 'G1', provider: 'aws', identity: 'svc-é' };
  const load = (f: string) => loadAuthority({ ...files, grants: [f] });
  const bodies: Record<string, string> = {
    json: JSON.stringify({ grants: [g] }, null, 1), ndjson: `${JSON.stringify(g)}\r\n`,
    yaml: stringify({ grants: [g] }), csv: 'id,provider,identity\r\nG1,aws,svc-é\r\n',
  };
  const LINE: Record<string, number> = { json: 3, ndjson: 1, yaml: 2, csv: 2 }; // where the record starts in each body

  for (const [ext, body] of Object.entries(bodies)) {
    it(`a .${ext} file with a UTF-8 byte order mark, and one in UTF-16LE, load the same record`, async () => {
      const dir = tempDir();
      writeFileSync(join(dir, `u8.${ext}`), `\uFEFF${body}`);
      writeFileSync(join(dir, `u16.${ext}`), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(body, 'utf16le')]));
      for (const f of ['u8', 'u16']) expect((await load(join(dir, `${f}.${ext}`))).grants.map((x) => [x.line, x.value.id, x.value.identity])).toEqual([[LINE[ext], 'G1', 'svc-é']]);
    });
  }

  it('a config in UTF-16LE validates like its UTF-8 text; one in UTF-16BE exits 2 naming the encoding', async () => {
    const dir = tempDir();
    const text = stringify({ database: 'db.duckdb', authority: { required: false } });
    writeFileSync(join(dir, 'le.yaml'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    writeFileSync(join(dir, 'be.yaml'), Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]));
    const le = await cli(['validate', '--config', join(dir, 'le.yaml')]);
    expect([le.code, le.err]).toEqual([0, '']);
    const be = await cli(['validate', '--config', join(dir, 'be.yaml')]);
    expect(be.code).toBe(2);
    expect(be.err).toMatch(/be\.yaml:1: the file is UTF-16 big-endian encoded; save it as UTF-8/);
  });

  it('positions after a byte order mark are unchanged, and UTF-16BE is refused naming the encoding', async () => {
    const dir = tempDir();
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '\uFEFF{"grants": [\n  {"id": "G1",, "provider": "aws"}\n]}');
    expect(await load(bad).catch((e: Error) => e.message)).toMatch(/bad\.json:2: invalid JSON: syntax error at column 15/);
    const be = Buffer.from(bodies.json!, 'utf16le').swap16();
    writeFileSync(join(dir, 'be.json'), Buffer.concat([Buffer.from([0xfe, 0xff]), be]));
    const err = await load(join(dir, 'be.json')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/be\.json:1: the file is UTF-16 big-endian encoded; save it as UTF-8/);
  });
});
