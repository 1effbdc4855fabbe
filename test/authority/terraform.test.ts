// Terraform as a grants source: hand-written `terraform show -json` shapes (test/fixtures/terraform/README.md) become
// grants whose identity/resource/permission are the refs each connector emits, so they cover those entitlements.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { terraformGrants } from '../../src/authority/terraform.js';
import { loadAuthority } from '../../src/authority/index.js';
import { Store } from '../../src/store/store.js';
import { reconcileSeed } from '../reconcile/harness.js';
import { ref as gh } from '../../src/connectors/github/map.js';
import { saRef, projectRef } from '../../src/connectors/gcp/map.js';
import { refs as az } from '../../src/connectors/azure/collect.js';

const fx = (f: string) => new URL(`../fixtures/terraform/${f}`, import.meta.url).pathname;
let store: Store; let dir: string;
beforeAll(async () => { dir = mkdtempSync(join(tmpdir(), 'nhi-tf-')); store = await Store.open(join(dir, 'tf.duckdb')); });
afterAll(() => { store.close(); rmSync(dir, { recursive: true, force: true }); });

/** Entitlements (as the connector forms them) reported as drift — ungranted, or beyond the declared permission. */
async function ungranted(file: string, ents: Record<string, unknown>[]): Promise<string[]> {
  const grants = terraformGrants(file).grants.map((g) => g.value as unknown as Record<string, unknown>);
  const { findings } = await reconcileSeed(store, { entitlements: ents, grants });
  return findings.filter((f) => ['ungranted-access', 'over-privileged'].includes(f.rule_id) && !f.carried && f.status !== 'resolved').map((f) => f.subject_ref).filter((r, i, a) => a.indexOf(r) === i).sort();
}

describe('terraform grants', () => {
  it('AWS: role, user-via-group attachments in child modules; provenance names file and address', async () => {
    const { grants, ignored } = terraformGrants(fx('aws.state.json'));
    expect(ignored).toEqual({ aws_s3_bucket: 1 });
    expect(grants.map((g) => g.value.provenance)).toContainEqual({ signal: 'terraform', file: fx('aws.state.json'), address: 'aws_iam_role_policy_attachment.deployer_ro' });
    const aws = { source: 'aws', provider: 'aws', tenant: '111122223333' };
    expect(await ungranted(fx('aws.state.json'), [
      { ...aws, ref: 'r1', identity_ref: 'arn:aws:iam::111122223333:role/deployer', identity_name: 'deployer', resource_ref: '111122223333', permission: 'arn:aws:iam::aws:policy/ReadOnlyAccess', level: 'read' },
      { ...aws, ref: 'u1', identity_ref: 'arn:aws:iam::111122223333:user/ci', identity_name: 'ci', resource_ref: '111122223333', permission: 'arn:aws:iam::111122223333:policy/deploy', level: 'write', via: 'group' },
      { ...aws, ref: 'drift', identity_ref: 'arn:aws:iam::111122223333:role/deployer', identity_name: 'deployer', resource_ref: '111122223333', permission: 'arn:aws:iam::aws:policy/AdministratorAccess', level: 'admin' },
    ])).toEqual(['drift']);
  });

  it('Azure: role assignment by principal, scope and role definition GUID', async () => {
    const az1 = { source: 'az', provider: 'azure', tenant: '00000000-0000-0000-0000-0000000000aa' };
    const sub = '/subscriptions/00000000-0000-0000-0000-0000000000aa';
    expect(await ungranted(fx('azure.state.json'), [
      { ...az1, ref: 'ra1', identity_ref: az.principal('tttt', 'ServicePrincipal', 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee'), resource_ref: sub, permission: 'acdd72a7-3385-48ef-bd42-f606fba81ae7', level: 'read' },
      { ...az1, ref: 'drift', identity_ref: az.principal('tttt', 'ServicePrincipal', 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee'), resource_ref: sub, permission: 'b24988ac-6180-42a0-ab88-20f7382dd24c', level: 'write' },
    ])).toEqual(['drift']);
  });

  it('GCP plan: members and bindings from planned_values; a planned delete approves nothing', async () => {
    const { grants } = terraformGrants(fx('gcp.plan.json'));
    expect(grants.some((g) => g.value.permission === 'roles/resourcemanager.organizationAdmin')).toBe(false);
    const g = { source: 'gcp', provider: 'gcp', tenant: 'acme-prod' };
    expect(await ungranted(fx('gcp.plan.json'), [
      { ...g, ref: 'b1', identity_ref: saRef('ci@acme-prod.iam.gserviceaccount.com'), identity_name: 'ci@acme-prod.iam.gserviceaccount.com', resource_ref: projectRef('acme-prod'), permission: 'roles/editor', level: 'write' },
      { ...g, ref: 'b2', identity_ref: 'user:alice@example.com', identity_name: 'alice@example.com', resource_ref: projectRef('acme-prod'), permission: 'roles/viewer', level: 'read' },
      { ...g, ref: 'drift', identity_ref: 'user:alice@example.com', identity_name: 'alice@example.com', resource_ref: projectRef('acme-prod'), permission: 'roles/owner', level: 'owner' },
    ])).toEqual(['drift']);
  });

  it('GitHub: team repository (team and its members), collaborator, org membership', async () => {
    const g = { source: 'gh', provider: 'github', tenant: 'acme' };
    expect(await ungranted(fx('github.state.json'), [
      { ...g, ref: 't1', identity_ref: gh.team('acme', 'platform'), identity_name: 'platform', resource_ref: gh.repo('acme', 'web'), permission: 'write', level: 'write' },
      { ...g, ref: 't2', identity_ref: gh.user('acme', 'alice'), identity_name: 'alice', resource_ref: gh.repo('acme', 'web'), permission: 'write', level: 'write', via: 'team' },
      { ...g, ref: 'c1', identity_ref: gh.user('acme', 'deploy-bot'), identity_name: 'deploy-bot', resource_ref: gh.repo('acme', 'web'), permission: 'admin', level: 'admin' },
      { ...g, ref: 'm1', identity_ref: gh.user('acme', 'alice'), identity_name: 'alice', resource_ref: gh.org('acme'), permission: 'member', level: 'read' },
      { ...g, ref: 'drift', identity_ref: gh.user('acme', 'mallory'), identity_name: 'mallory', resource_ref: gh.repo('acme', 'web'), permission: 'admin', level: 'admin' },
    ])).toEqual(['drift']);
  });

  it('malformed JSON and a non-Terraform document are errors naming the file; the loader lists them', async () => {
    const bad = join(dir, 'bad.json'); writeFileSync(bad, '{"format_version": ');
    const other = join(dir, 'other.json'); writeFileSync(other, '{"resources": []}');
    expect(() => terraformGrants(bad)).toThrow(/bad\.json:1: not Terraform JSON/);
    expect(() => terraformGrants(other)).toThrow(/other\.json format_version: missing/);
    await expect(loadAuthority({ grants: [], owners: [], people: [], exceptions: [], terraform: [bad] })).rejects.toThrow(/bad\.json/);
    const a = await loadAuthority({ grants: [], owners: [], people: [], exceptions: [], terraform: [fx('aws.state.json')] });
    expect(a.terraformIgnored).toEqual({ aws_s3_bucket: 1 });
    expect(a.grants.every((x) => x.value.id.startsWith('tf:'))).toBe(true);
  });

  it('a broken state never has its text quoted in the error (states hold secrets); a UTF-16LE state reads like UTF-8', async () => {
    // An access key's secret in a state, the file broken right after it: V8's own message would quote the secret.
    const bad = join(dir, 'secret.json');
    writeFileSync(bad, '{"format_version": "1.0",\n "values": {"root_module": {"resources": [{"values": {"secret": "wJalrXUtnFEMI/K7MDENGbPxRfiCYSECRETKEY" x}}]}}}');
    const err = (() => { try { terraformGrants(bad); return null; } catch (e) { return e as Error; } })();
    expect(err?.message).toMatch(/secret\.json:2: not Terraform JSON \(`terraform show -json`\): invalid JSON: syntax error at column \d+/);
    expect(err?.message).not.toMatch(/wJalr|SECRET|CYSEC/);
    const utf16 = join(dir, 'aws.utf16.json');
    writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(readFileSync(fx('aws.state.json'), 'utf8'), 'utf16le')]));
    const values = (f: string) => terraformGrants(f).grants.map((g) => ({ ...g.value, provenance: { ...(g.value as { provenance?: object }).provenance, file: null } }));
    expect(values(utf16)).toEqual(values(fx('aws.state.json')));
    expect(values(utf16).length).toBeGreaterThan(0);
  });
});
