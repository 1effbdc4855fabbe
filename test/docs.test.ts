import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { awsPrivilegeDoc, capabilitiesDoc, findingKindsDoc } from '../scripts/gen-docs.js';
import { CONNECTORS, loadConnector } from '../src/connectors/registry.js';
import { capabilities } from '../src/commands/capabilities.js';

const root = new URL('../', import.meta.url);

describe('generated docs and the plugin registry', () => {
  it('docs/finding-kinds.md is up to date with the rules (run `npm run docs`)', () => {
    expect(readFileSync(new URL('docs/finding-kinds.md', root), 'utf8')).toBe(findingKindsDoc());
  });

  it('docs/capabilities.md is up to date with the connectors (run `npm run docs`)', async () => {
    expect(readFileSync(new URL('docs/capabilities.md', root), 'utf8')).toBe(await capabilitiesDoc());
  });

  it('connector folders on disk equal the registry, each with a readme naming its least privileges', async () => {
    const folders = readdirSync(new URL('src/connectors/', root), { withFileTypes: true })
      .filter((d) => d.isDirectory() && d.name !== 'http').map((d) => d.name).sort();
    expect(Object.keys(CONNECTORS).filter((k) => !k.startsWith('test-')).sort()).toEqual(folders);
    for (const id of folders) {
      expect((await loadConnector(id)).id).toBe(id);
      expect(existsSync(new URL(`src/connectors/${id}/readme.md`, root)), `${id}/readme.md`).toBe(true);
    }
  });

  it('capabilities list the kubernetes and gitlab sources with every action, and their docs give each action\'s permissions', async () => {
    const caps = await capabilities();
    for (const id of ['kubernetes', 'gitlab']) {
      const c = caps.find((x) => x.id === id);
      expect(c, id).toBeDefined();
      const declared = ((await loadConnector(id)).remediation?.actions ?? []).map((a) => a.operation).sort();
      expect(declared.length, id).toBeGreaterThan(0);
      expect((c!.actions as { operation: string }[]).map((a) => a.operation).sort(), id).toEqual(declared);
      const doc = readFileSync(new URL(`docs/connectors/${id}.md`, root), 'utf8');
      const leastPrivilege = doc.slice(doc.search(/^## (Least privilege|Permissions)/m));
      expect(leastPrivilege.length, `${id}: a least-privilege section`).toBeLessThan(doc.length);
      for (const op of declared) expect(doc, `${id}: ${op}`).toContain(`\`${op}\``);
    }
    // What each action needs, as the docs state it (checked against the providers' documentation).
    const k8s = readFileSync(new URL('docs/connectors/kubernetes.md', root), 'utf8');
    expect(k8s).toMatch(/`delete` on `secrets` \(delete-legacy-token-secret/);
    expect(k8s).toMatch(/`update`, `delete`,\s+`create` on `rolebindings` and `clusterrolebindings`/);
    expect(k8s).toMatch(/ClusterRoleBinding/);
    const gl = readFileSync(new URL('docs/connectors/gitlab.md', root), 'utf8');
    expect(gl).toMatch(/\| collection \| `read_api` \|/);
    expect(gl).toMatch(/\| remediation \| `api` \|/);
  });

  it('docs/connectors/aws-privilege.md is the catalogue the engine holds (run `npm run docs`)', () => {
    expect(readFileSync(new URL('docs/connectors/aws-privilege.md', root), 'utf8')).toBe(awsPrivilegeDoc());
  });

  it('the core never names a provider', () => {
    const hits: string[] = [];
    const walk = (dir: URL) => {
      for (const d of readdirSync(dir, { withFileTypes: true })) {
        const u = new URL(d.name + (d.isDirectory() ? '/' : ''), dir);
        if (d.isDirectory()) walk(u);
        else if (/octokit|github|aws-sdk|@azure|googleapis|google-cloud/i.test(readFileSync(u, 'utf8'))) hits.push(u.pathname);
      }
    };
    for (const core of ['store', 'reconcile', 'remediate', 'reports']) walk(new URL(`src/${core}/`, root));
    expect(hits).toEqual([]);
  });
});
