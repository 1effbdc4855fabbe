// Issue 15 (report half): the report judges principals, not policies. The AWS connector runs offline on the real
// iam-vulnerable export, the run is reconciled and report.json is written; for every principal the report's class
// equals the privilege analysis's, each escalating principal's finding carries all its paths as structured JSON,
// per-policy rows never claim more than their principal holds, and no synthetic probe name reaches anything stored.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore, tempDir, writeConfig } from '../../helpers/index.js';
import { collectStage, reconcileStage } from '../../../src/pipeline/scan.js';
import { silentLogger } from '../../../src/log.js';
import { writeReports } from '../../../src/reports/index.js';
import { analyzeAuthorizationDetails } from '../../../src/connectors/aws/privilege/index.js';
import { decodeDetails, mapIam } from '../../../src/connectors/aws/map.js';
import type { EntitlementInput } from '../../../src/model/index.js';
import type { TenantSink } from '../../../src/connectors/types.js';

const FIXTURE = join(import.meta.dirname, '../../fixtures/aws/account-authorization-details.iam-vulnerable.json');
const ACCOUNT = '200611803367';
const FLAGGED = new Set(['administrator', 'escalation']);

async function scanFixture() {
  const dir = tempDir();
  const store = await openStore(dir);
  const loaded = await writeConfig(dir, { sources: [{ name: 'audit', type: 'aws', options: { offline: { authorization_details_file: FIXTURE, account_id: ACCOUNT } } }], authority: { required: false } });
  const { run, outcomes } = await collectStage(store, loaded, { log: silentLogger, env: {} });
  expect(outcomes.map((o) => o.tenant)).toEqual([ACCOUNT]);
  await reconcileStage(store, loaded, run.run_id);
  const out = join(dir, 'reports');
  await writeReports(store, { runId: run.run_id, formats: ['json', 'html'], outDir: out, now: new Date() });
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  return { store, runId: run.run_id, report, html: readFileSync(join(out, 'report.html'), 'utf8') };
}

describe('aws privilege in the report (iam-vulnerable)', () => {
  it('report.json gives every principal the class of its combined analysis, with all its paths', async () => {
    const { report } = await scanFixture();
    const analysis = analyzeAuthorizationDetails(JSON.parse(readFileSync(FIXTURE, 'utf8')));
    const principals = [...analysis.values()].filter((a) => a.type !== 'group');
    expect(principals).toHaveLength(44 + 78);

    // Each principal's over-privileged finding on its combined access: class and paths, straight from the report.
    const byIdentity = new Map<string, any>();
    for (const f of report.findings) {
      if (f.rule_id === 'over-privileged' && f.evidence.analysis?.summary === true) {
        expect(byIdentity.has(f.identity_ref), f.identity_ref).toBe(false);
        byIdentity.set(f.identity_ref, f);
      }
    }
    // The effective-access section answers for every principal, flagged or not.
    const access = new Map<string, any>(report.effective_access.map((r: any) => [r.identity_ref, r]));
    for (const a of principals) {
      const row = access.get(a.arn);
      expect(row?.class, a.arn).toBe(a.classification);
      const f = byIdentity.get(a.arn);
      // A service-linked role is provider-managed: AWS scopes it and only its service can use it, so it is shown (its
      // effective-access row above) but never a finding.
      const providerManaged = a.arn.includes(':role/aws-service-role/');
      if (providerManaged) { expect(f, a.arn).toBeUndefined(); continue; }
      if (FLAGGED.has(a.classification) || a.classification === 'permissions-management') {
        expect(f?.evidence.analysis.class, a.arn).toBe(a.classification);
        // All paths, not the first: one per escalation path of the analysis (plus the administrator grant).
        const families = f.evidence.analysis.paths.map((p: any) => p.family).sort();
        const want = a.privilege.paths.map((p) => p.family).sort();
        if (FLAGGED.has(a.classification)) expect(want.length, a.arn).toBeGreaterThan(0);
        expect(families, a.arn).toEqual(want);
        expect(row.paths.map((p: any) => p.family).sort(), a.arn).toEqual(want);
        for (const p of f.evidence.analysis.paths) {
          expect(p.steps.length, `${a.arn} ${p.family}`).toBeGreaterThan(0);
          for (const st of p.steps) expect(st.policy, `${a.arn} ${p.family} ${st.action}`).toMatch(/^(arn:aws:iam::|inline:arn:aws:iam::|trust:arn:aws:iam::)/);
          expect(p.target.ref).not.toBe('');
        }
      } else {
        expect(f, a.arn).toBeUndefined();
      }
    }

    // The published ground truth, read from the JSON report alone.
    const name = (arn: string) => arn.split('/').pop()!;
    const flaggedNames = new Set(report.findings.filter((f: any) => f.rule_id === 'over-privileged' && FLAGGED.has(f.evidence.analysis?.class)).map((f: any) => name(f.identity_ref)));
    const all = principals.map((a) => a.name);
    expect(all.filter((n) => /^(privesc|fn)/.test(n))).toHaveLength(76);
    expect(all.filter((n) => /^(privesc|fn)/.test(n) && flaggedNames.has(n))).toHaveLength(74);
    expect(all.filter((n) => /^fp/.test(n))).toHaveLength(10);
    expect(all.filter((n) => /^fp/.test(n) && flaggedNames.has(n))).toEqual([]);
    // No finding at all on a near miss.
    expect(report.findings.filter((f: any) => f.rule_id === 'over-privileged' && /^fp/.test(name(f.identity_ref ?? '')))).toEqual([]);
  });

  it('per-policy rows never claim more than the principal holds, and no probe name is stored or reported', async () => {
    const { store, runId, report, html } = await scanFixture();
    const rows = await store.all<{ identity_ref: string; permission: string; level: string; attributes: string }>(
      'SELECT identity_ref, permission, level, CAST(attributes AS VARCHAR) AS attributes FROM entitlements WHERE run_id = $1', [runId]);
    const RANK: Record<string, number> = { none: 0, read: 1, write: 2, 'permissions-management': 3, escalation: 4, administrator: 5 };
    const summary = new Map(rows.filter((r) => r.permission === 'effective-permissions').map((r) => [r.identity_ref, JSON.parse(r.attributes)]));
    expect(summary.size).toBe(44 + 78);
    for (const r of rows) {
      expect(r.attributes).not.toMatch(/policy-probe/);
      if (r.permission === 'effective-permissions') continue;
      const a = JSON.parse(r.attributes);
      // A trust edge (who may assume a role) is no policy row: its level is the role's, judged on the role.
      if (a.mint) continue;
      const s = summary.get(r.identity_ref)!;
      if (a.classification !== null) expect(RANK[a.classification], `${r.identity_ref} ${r.permission}`).toBeLessThanOrEqual(RANK[s.class]!);
      expect(a.principal_class).toBe(s.class);
      // A policy's paths are the principal's paths that go through it.
      for (const p of a.paths) expect(s.paths.map((x: any) => x.family)).toContain(p.family);
    }
    // A path split across two policies shows on the combined row and on both policies' rows.
    const fn1 = summary.get(`arn:aws:iam::${ACCOUNT}:user/fn1-privesc3-partial-user`)!;
    const split = fn1.paths.find((p: any) => p.family === 'iam:PassRole+ec2:RunInstances');
    expect(new Set(split.steps.map((st: any) => st.policy))).toEqual(new Set([`arn:aws:iam::${ACCOUNT}:policy/fn1-privesc3-partial`, `arn:aws:iam::${ACCOUNT}:policy/fn1-passrole-star`]));
    expect(split.target).toEqual({ kind: 'role', ref: `arn:aws:iam::${ACCOUNT}:role/privesc-high-priv-service-role` });
    expect(JSON.stringify(report)).not.toMatch(/policy-probe/);
    // "No known escalation path" is said of a principal only when its combined analysis found none — never of a
    // policy judged alone (that sentence read "no path" for escalations split across policies).
    for (const r of rows) if (r.permission !== 'effective-permissions') expect(r.attributes).not.toMatch(/no known escalation path/);
    for (const f of report.findings.filter((x: any) => JSON.stringify(x.evidence).includes('no known escalation path'))) {
      expect(f.evidence.analysis.summary, f.subject_ref).toBe(true);
      expect(FLAGGED.has(f.evidence.analysis.class), f.subject_ref).toBe(false);
    }
    expect(html).not.toMatch(/policy-probe/);
    // The HTML shows the paths readably: the split path's steps, with the policy that allows each, and its target.
    expect(html).toContain('id="effective-access"');
    expect(html).toContain('fn1-privesc3-partial-user');
    expect(html).toContain('privesc-high-priv-service-role');
  });
});

describe('aws privilege mapping: boundaries and denies cap the policies', () => {
  const acct = '111122223333';
  const doc = (stmts: unknown[]) => ({ Version: '2012-10-17', Statement: stmts });
  const admin = { PolicyName: 'AdministratorAccess', Arn: 'arn:aws:iam::aws:policy/AdministratorAccess', DefaultVersionId: 'v1', PolicyVersionList: [{ VersionId: 'v1', IsDefaultVersion: true, Document: doc([{ Effect: 'Allow', Action: '*', Resource: '*' }]) }] };
  const readOnly = { PolicyName: 'ReadS3', Arn: `arn:aws:iam::${acct}:policy/ReadS3`, DefaultVersionId: 'v1', PolicyVersionList: [{ VersionId: 'v1', IsDefaultVersion: true, Document: doc([{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }]) }] };
  const user = (name: string, extra: Record<string, unknown>) => ({
    UserName: name, UserId: `AIDA${name.toUpperCase()}`, Arn: `arn:aws:iam::${acct}:user/${name}`, Path: '/', CreateDate: '2024-01-01T00:00:00Z', GroupList: [],
    AttachedManagedPolicies: [{ PolicyName: 'AdministratorAccess', PolicyArn: admin.Arn }], UserPolicyList: [], Tags: [], ...extra,
  });

  function mapped(details: any) {
    const d = decodeDetails(details);
    const principals = analyzeAuthorizationDetails(d);
    const ents: EntitlementInput[] = [];
    const sink = { identity() {}, credential() {}, entitlement(e: EntitlementInput) { ents.push(e); } } as unknown as TenantSink;
    // Policies judged alone say AdministratorAccess is administrator: the mapping must cap that at the principal.
    const alone = new Map([[admin.Arn, { ...principals.get(`arn:aws:iam::${acct}:user/free`)! }]]);
    mapIam({ account: acct, partition: 'aws', details: d, report: null, extraKeys: new Map(), principals, policies: alone, privileges: new Map([...principals].map(([arn, a]) => [arn, a.privilege])) }, sink);
    return (name: string, perm: string) => ents.find((e) => e.identity_ref === `arn:aws:iam::${acct}:user/${name}` && e.permission === perm)!;
  }

  it('a boundary or an explicit deny caps the policy rows and the summary names the limit', () => {
    const find = mapped({
      UserDetailList: [
        user('free', {}),
        user('bounded', { PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: readOnly.Arn } }),
        user('denied', { UserPolicyList: [{ PolicyName: 'deny-all', PolicyDocument: doc([{ Effect: 'Deny', NotAction: 's3:GetObject', Resource: '*' }]) }] }),
      ],
      GroupDetailList: [], RoleDetailList: [], Policies: [admin, readOnly],
    });
    expect(find('free', 'effective-permissions')).toMatchObject({ level: 'admin', attributes: { summary: true, class: 'administrator' } });
    expect((find('free', 'effective-permissions').attributes as any).paths.map((p: any) => p.family)).toEqual(['administrator']);
    for (const who of ['bounded', 'denied']) {
      const s = find(who, 'effective-permissions');
      expect(s, who).toMatchObject({ level: 'read', privileged: false, attributes: { summary: true, class: 'read', paths: [] } });
      expect((s.attributes as any).limits.join(' '), who).toMatch(who === 'bounded' ? /Permissions boundary ReadS3/ : /Explicit deny/);
      // The administrator policy on its own is administrator; on this principal it is not.
      expect(find(who, admin.Arn), who).toMatchObject({ level: 'read', privileged: false, attributes: { classification: 'read', principal_class: 'read', paths: [] } });
    }
  });
});
