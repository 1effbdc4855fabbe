import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { InputError } from '../../src/errors.js';
import { tempDir } from '../helpers/index.js';
import { configJsonSchema } from '../../src/commands/schema.js';

async function errorOf(yaml: string): Promise<InputError> {
  const dir = tempDir();
  const file = join(dir, 'c.yaml');
  writeFileSync(file, yaml);
  try { await loadConfig(file); } catch (e) { return e as InputError; }
  throw new Error('expected the config to be rejected');
}

describe('config loading', () => {
  it('loads the shipped example and resolves paths relative to the config file', async () => {
    const loaded = await loadConfig(new URL('../../config/nhi-recon.example.yaml', import.meta.url).pathname);
    expect(loaded.config.policy.providers.aws?.stale_days).toBe(45);
    expect(loaded.config.authority.grants[0]).toMatch(/config\/grants\.example\.yaml$/);
    expect(loaded.config.remediation.mode).toBe('report');
    expect(loaded.config.remediation.actions).toEqual([]);
  });

  it('names file and line for malformed YAML', async () => {
    const e = await errorOf('sources:\n  - name: a\n    type: [file\n');
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toMatch(/c\.yaml:\d+: invalid YAML/);
  });

  it('rejects unknown fields with their path and line', async () => {
    const e = await errorOf('version: 1\npolicy:\n  stale_dayz: 30\n');
    expect(e.message).toMatch(/c\.yaml:3 policy: unknown field\(s\) "stale_dayz"/);
  });

  it('rejects wrong types naming the field path', async () => {
    const e = await errorOf('policy:\n  stale_days: "ninety"\n');
    expect(e.message).toContain('policy.stale_days: expected number');
    expect(e.message).toMatch(/c\.yaml:2 /);
  });

  it('rejects an unknown connector type and duplicate source names', async () => {
    const e = await errorOf('sources:\n  - { name: a, type: nosuch }\n  - { name: a, type: file, options: { path: x } }\n  - { name: a, type: file, options: { path: x } }\n');
    expect(e.message).toContain('sources[0].type: unknown connector type "nosuch"');
    expect(e.message).toContain('duplicate source name "a"');
  });

  it('refuses credentials written inline in a source', async () => {
    const e = await errorOf('sources:\n  - name: gh\n    type: file\n    options: { path: x, token: ghp_abcdefghijklmnopqrstuvwxyz0123456789 }\n');
    expect(e.message).toContain('sources[0].options.token: credentials may not be written in the config');
    expect(e.message).not.toContain('ghp_abcdefghijklmnopqrstuvwxyz0123456789');
  });

  it('validates connector options with the connector\'s own schema', async () => {
    const e = await errorOf('sources:\n  - name: x\n    type: file\n    options: { provider: "Bad Name" }\n');
    expect(e.message).toMatch(/sources\[0\]\.options\.provider/);
  });

  it('publishes the config as JSON Schema with descriptions', () => {
    const schema = configJsonSchema() as { properties: Record<string, { description?: string; properties?: Record<string, { description?: string }> }> };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['sources', 'authority', 'policy', 'reports', 'protected', 'remediation']));
    expect(schema.properties.policy!.properties!.stale_days!.description).toMatch(/stale/);
  });
});
