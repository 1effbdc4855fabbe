import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAuthority } from '../../src/authority/index.js';
import { InputError } from '../../src/errors.js';
import { tempDir } from '../helpers/index.js';

const empty: { grants: string[]; owners: string[]; people: string[]; exceptions: string[] } = { grants: [], owners: [], people: [], exceptions: [] };

async function reject(files: Partial<typeof empty>): Promise<string> {
  try { await loadAuthority({ ...empty, ...files }); } catch (e) { expect(e).toBeInstanceOf(InputError); return (e as Error).message; }
  throw new Error('expected rejection');
}

describe('authoritative records', () => {
  it('loads the example files, with file and line on every record', async () => {
    const cfg = (f: string) => new URL(`../../config/${f}`, import.meta.url).pathname;
    const a = await loadAuthority({ grants: [cfg('grants.example.yaml')], owners: [cfg('owners.example.yaml')], people: [cfg('people.example.csv')], exceptions: [cfg('exceptions.example.yaml')] });
    expect(a.grants.map((g) => g.value.id)).toEqual(['SAAS-1', 'SAAS-2', 'BOTS']);
    expect(a.grants[0]).toMatchObject({ line: 5 });
    expect(a.grants[0]!.value.expires_at!.toISOString()).toBe('2027-01-10T00:00:00.000Z');
    expect(a.people.find((p) => p.value.id === 'alice')!.value.logins).toEqual({ saas: ['alice'], github: ['alice-gh'], aws: ['alice.example'] });
    expect(a.people[1]).toMatchObject({ line: 3, value: { status: 'departed' } });
  });

  it('reads grants from CSV and JSON too', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'g.csv'), 'id,provider,identity,resource,expires_at\nA,aws,role/x,*,2027-01-01T00:00:00+02:00\n');
    writeFileSync(join(dir, 'g.json'), JSON.stringify({ grants: [{ id: 'B', provider: 'github', identity: 'bot', resource: 'acme/web' }] }));
    const a = await loadAuthority({ ...empty, grants: [join(dir, 'g.csv'), join(dir, 'g.json')] });
    expect(a.grants.map((g) => [g.value.id, g.value.tenant, g.value.permission, g.line])).toEqual([['A', '*', '*', 2], ['B', '*', '*', 1]]);
    expect(a.grants[0]!.value.expires_at!.toISOString()).toBe('2026-12-31T22:00:00.000Z');
  });

  it('rejects a CSV with missing columns, naming them', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'g.csv'), 'id,identity\nA,x\n');
    expect(await reject({ grants: [join(dir, 'g.csv')] })).toMatch(/g\.csv:1: missing column\(s\) provider/);
  });

  it('rejects a grant with an impossible date or one that expires before it was granted', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'g.yaml'), 'grants:\n  - id: A\n    provider: aws\n    identity: x\n    expires_at: 2026-02-30\n  - id: B\n    provider: aws\n    identity: y\n    granted_at: 2026-05-01\n    expires_at: 2026-04-01\n');
    const msg = await reject({ grants: [join(dir, 'g.yaml')] });
    expect(msg).toContain('g.yaml:2 expires_at: not a valid date: "2026-02-30"');
    expect(msg).toMatch(/g\.yaml:6 expires_at: expires \(2026-04-01T00:00:00\.000Z\) before it was granted/);
  });

  it('rejects unknown fields, wrong types, missing fields and duplicate ids, all at once', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'g.yaml'), 'grants:\n  - id: A\n    provider: aws\n    identity: x\n    max_levle: admin\n  - id: B\n    provider: aws\n    identity: [1, 2]\n  - id: C\n    identity: z\n  - id: D\n    provider: aws\n    identity: d\n  - id: D\n    provider: aws\n    identity: e\n');
    const msg = await reject({ grants: [join(dir, 'g.yaml')] });
    expect(msg).toContain('g.yaml:2: unknown field(s) "max_levle"');
    expect(msg).toContain('g.yaml:6 identity: expected string');
    expect(msg).toContain('g.yaml:9 provider: is required');
    expect(msg).toMatch(/g\.yaml:14 id: duplicate grant id "D" \(first at .*g\.yaml:11\)/);
  });

  it('rejects malformed YAML and JSON with a line', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'g.yaml'), 'grants:\n  - id: A\n   provider: aws\n');
    writeFileSync(join(dir, 'p.json'), '[{"id": "a", "status": "active"},\n{"id": }]');
    expect(await reject({ grants: [join(dir, 'g.yaml')] })).toMatch(/g\.yaml:\d+: invalid YAML/);
    expect(await reject({ people: [join(dir, 'p.json')] })).toMatch(/p\.json:2: invalid JSON/);
  });

  it('rejects a person with an unknown status and an exception without expiry', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'p.yaml'), 'people:\n  - id: a\n    status: retired\n');
    writeFileSync(join(dir, 'x.yaml'), 'exceptions:\n  - match: "*"\n    reason: because\n');
    expect(await reject({ people: [join(dir, 'p.yaml')] })).toContain('p.yaml:2 status: expected one of "active", "departed"');
    expect(await reject({ exceptions: [join(dir, 'x.yaml')] })).toMatch(/x\.yaml:2 expires_at/);
  });
});
