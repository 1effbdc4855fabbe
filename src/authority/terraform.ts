// Infrastructure as code as an authority source (#18): `terraform show -json` of a state or a plan, read as approved
// grants with provenance {file, address}. Access declared in reviewed IaC is approved; access that is not is drift
// (ungranted-access). Identity, resource and permission are formed exactly as each connector forms its refs.
// Unknown resource types are counted and ignored; malformed JSON is an error naming the file.
import { InputError } from '../errors.js';
import { readJsonFile } from '../io/records.js';
import { saRef } from '../connectors/gcp/map.js';
import { ref as gh } from '../connectors/github/map.js';
import type { Grant, Sourced } from './index.js';

export interface TfResource { address: string; type: string; values: Record<string, unknown> }
export interface TerraformGrants { grants: Sourced<Grant & { id: string }>[]; ignored: Record<string, number> }

export const TERRAFORM_TYPES = [
  'aws_iam_role_policy_attachment', 'aws_iam_user_policy_attachment', 'aws_iam_group_policy_attachment', 'aws_iam_policy_attachment',
  'aws_iam_group_membership', 'aws_iam_user_group_membership', 'aws_iam_role', 'aws_iam_user',
  'azurerm_role_assignment',
  'google_project_iam_member', 'google_project_iam_binding', 'google_organization_iam_member', 'google_organization_iam_binding',
  'github_team_membership', 'github_repository_collaborator', 'github_team_repository', 'github_membership', 'github_repository', 'github_team',
] as const;

/** Managed resources of a state (values.root_module), a plan (planned_values, resource_changes), child modules included. */
export function terraformResources(doc: Record<string, unknown>): TfResource[] {
  const out = new Map<string, TfResource>();
  const walk = (mod: unknown) => {
    if (!mod || typeof mod !== 'object') return;
    const m = mod as { resources?: unknown[]; child_modules?: unknown[] };
    for (const r of m.resources ?? []) {
      const x = r as { address?: string; mode?: string; type?: string; values?: Record<string, unknown> };
      if (x.mode === 'data' || !x.address || !x.type) continue;
      out.set(x.address, { address: x.address, type: x.type, values: x.values ?? {} });
    }
    for (const c of m.child_modules ?? []) walk(c);
  };
  walk((doc.values as Record<string, unknown> | undefined)?.root_module);
  walk((doc.planned_values as Record<string, unknown> | undefined)?.root_module);
  // A plan's resource_changes: what is planned to exist after apply (deleted resources approve nothing).
  for (const rc of (doc.resource_changes as unknown[] | undefined) ?? []) {
    const x = rc as { address?: string; mode?: string; type?: string; change?: { actions?: string[]; after?: Record<string, unknown> | null } };
    if (x.mode === 'data' || !x.address || !x.type) continue;
    if (x.change?.actions?.includes('delete') && !x.change.actions.includes('create')) { out.delete(x.address); continue; }
    if (x.change?.after && !out.has(x.address)) out.set(x.address, { address: x.address, type: x.type, values: x.change.after });
  }
  return [...out.values()];
}

const s = (v: unknown): string | null => (typeof v === 'string' && v.length ? v : null);
const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const account = (arn: string | null) => (arn ? /^arn:aws[\w-]*:iam::(\d{12}):/.exec(arn)?.[1] ?? null : null);
const GH_PERMISSION: Record<string, string> = { pull: 'read', push: 'write', triage: 'triage', maintain: 'maintain', admin: 'admin' };

function gcpMember(member: string): string {
  const i = member.indexOf(':');
  const type = member.slice(0, i);
  const value = member.slice(i + 1);
  if (type === 'serviceAccount') return saRef(value);
  return member; // user:, group:, domain:, principal:// … are the connector's refs as they are
}

export function terraformGrants(file: string): TerraformGrants {
  let doc: Record<string, unknown>;
  try {
    doc = readJsonFile(file) as Record<string, unknown>;
  } catch (e) {
    // A state holds secrets in plain text: the error names a position, never the text around it (readJsonFile).
    if (e instanceof InputError) throw new InputError(e.issues.map((i) => ({ ...i, message: `not Terraform JSON (\`terraform show -json\`): ${i.message}` })));
    throw new InputError([{ file, message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }]);
  }
  if (!doc || typeof doc !== 'object' || typeof doc.format_version !== 'string') {
    throw new InputError([{ file, field: 'format_version', message: 'missing: give the output of `terraform show -json` (state or plan)' }]);
  }
  const res = terraformResources(doc);
  const byType = (t: string) => res.filter((r) => r.type === t);
  const ignored: Record<string, number> = {};
  for (const r of res) if (!(TERRAFORM_TYPES as readonly string[]).includes(r.type)) ignored[r.type] = (ignored[r.type] ?? 0) + 1;

  const grants: Sourced<Grant & { id: string }>[] = [];
  const add = (r: TfResource, g: { provider: string; tenant?: string | null; identity: string; resource: string; permission: string }, n = 0) => {
    grants.push({ file, line: 0, value: {
      id: `tf:${r.address}${n ? `#${n}` : ''}`, provider: g.provider, tenant: g.tenant ?? '*', identity: g.identity, resource: g.resource, permission: g.permission,
      status: 'approved', provenance: { signal: 'terraform', file, address: r.address }, granted_at: null, expires_at: null, last_reviewed: null,
      justification: `declared in Terraform (${r.address})`,
    } as Grant & { id: string } });
  };

  // AWS: the connector's identity is the principal ARN, the resource the account, the permission the policy ARN.
  const arnOf = (type: 'aws_iam_role' | 'aws_iam_user', name: string) => s(byType(type).find((x) => x.values.name === name)?.values.arn);
  const awsPrincipal = (type: 'aws_iam_role' | 'aws_iam_user', name: string, policyArn: string) => {
    const arn = arnOf(type, name);
    const acct = account(arn) ?? account(policyArn);
    return { provider: 'aws', tenant: acct, identity: arn ?? name, resource: acct ?? '*', permission: policyArn };
  };
  const groupUsers = new Map<string, Set<string>>();
  for (const r of byType('aws_iam_group_membership')) for (const u of list(r.values.users)) (groupUsers.get(String(r.values.group)) ?? groupUsers.set(String(r.values.group), new Set()).get(String(r.values.group))!).add(u);
  for (const r of byType('aws_iam_user_group_membership')) for (const g of list(r.values.groups)) (groupUsers.get(g) ?? groupUsers.set(g, new Set()).get(g)!).add(String(r.values.user));
  for (const r of byType('aws_iam_role_policy_attachment')) if (s(r.values.role) && s(r.values.policy_arn)) add(r, awsPrincipal('aws_iam_role', s(r.values.role)!, s(r.values.policy_arn)!));
  for (const r of byType('aws_iam_user_policy_attachment')) if (s(r.values.user) && s(r.values.policy_arn)) add(r, awsPrincipal('aws_iam_user', s(r.values.user)!, s(r.values.policy_arn)!));
  const groupAttach = (r: TfResource, group: string, policy: string, start: number) => {
    let n = start;
    for (const u of [...(groupUsers.get(group) ?? [])].sort()) add(r, awsPrincipal('aws_iam_user', u, policy), ++n);
    return n;
  };
  for (const r of byType('aws_iam_group_policy_attachment')) if (s(r.values.group) && s(r.values.policy_arn)) groupAttach(r, s(r.values.group)!, s(r.values.policy_arn)!, 0);
  for (const r of byType('aws_iam_policy_attachment')) {
    const p = s(r.values.policy_arn);
    if (!p) continue;
    let n = 0;
    for (const role of list(r.values.roles)) add(r, awsPrincipal('aws_iam_role', role, p), ++n);
    for (const user of list(r.values.users)) add(r, awsPrincipal('aws_iam_user', user, p), ++n);
    for (const g of list(r.values.groups)) n = groupAttach(r, g, p, n);
  }

  // Azure: identity azure:<entra tenant>/<sp|user|group>/<object id> (the Entra tenant is not in the state: any),
  // resource the assignment's scope, permission the role definition's GUID.
  const AZ_KIND: Record<string, string> = { ServicePrincipal: 'sp', User: 'user', Group: 'group' };
  for (const r of byType('azurerm_role_assignment')) {
    const pid = s(r.values.principal_id); const scope = s(r.values.scope); const role = s(r.values.role_definition_id);
    if (!pid || !scope || !role) continue;
    add(r, { provider: 'azure', identity: `azure:*/${AZ_KIND[String(r.values.principal_type)] ?? '*'}/${pid}`, resource: scope, permission: role.split('/').pop()!.toLowerCase() });
  }

  // GCP: identity as the connector forms it from the member, resource the cloudresourcemanager node.
  for (const r of [...byType('google_project_iam_member'), ...byType('google_project_iam_binding')]) {
    const project = s(r.values.project); const role = s(r.values.role);
    if (!project || !role) continue;
    const members = r.type.endsWith('_member') ? [s(r.values.member)].filter((m): m is string => !!m) : list(r.values.members);
    members.forEach((m, i) => add(r, { provider: 'gcp', tenant: project, identity: gcpMember(m), resource: `//cloudresourcemanager.googleapis.com/projects/${project}`, permission: role }, members.length > 1 ? i + 1 : 0));
  }
  for (const r of [...byType('google_organization_iam_member'), ...byType('google_organization_iam_binding')]) {
    const org = s(r.values.org_id); const role = s(r.values.role);
    if (!org || !role) continue;
    const members = r.type.endsWith('_member') ? [s(r.values.member)].filter((m): m is string => !!m) : list(r.values.members);
    members.forEach((m, i) => add(r, { provider: 'gcp', identity: gcpMember(m), resource: `//cloudresourcemanager.googleapis.com/organizations/${org}`, permission: role }, members.length > 1 ? i + 1 : 0));
  }

  // GitHub: the organisation comes from github_repository.full_name or a github_membership id (org:login);
  // unknown, the grant matches the repository in any organisation.
  const orgOfRepo = new Map<string, string>();
  for (const r of byType('github_repository')) { const f = s(r.values.full_name); if (f?.includes('/')) orgOfRepo.set(String(r.values.name), f.split('/')[0]!); }
  const memberOrg = byType('github_membership').map((r) => s(r.values.id)?.split(':')[0]).find((x) => !!x) ?? null;
  const org = (repo: string) => orgOfRepo.get(repo) ?? memberOrg;
  const slugOf = new Map<string, string>();
  for (const r of byType('github_team')) { const slug = s(r.values.slug); if (slug) { slugOf.set(String(r.values.id), slug); slugOf.set(slug, slug); } }
  const teamSlug = (id: string) => slugOf.get(id) ?? (/^\d+$/.test(id) ? null : id);
  const repoRef = (repo: string) => (org(repo) ? gh.repo(org(repo)!, repo) : `github:*/${repo}`);
  for (const r of byType('github_repository_collaborator')) {
    const repo = s(r.values.repository); const user = s(r.values.username);
    if (!repo || !user) continue;
    add(r, { provider: 'github', tenant: org(repo), identity: org(repo) ? gh.user(org(repo)!, user) : user, resource: repoRef(repo), permission: GH_PERMISSION[String(r.values.permission ?? 'push')] ?? String(r.values.permission) });
  }
  const teamMembers = new Map<string, string[]>();
  for (const r of byType('github_team_membership')) { const t = teamSlug(String(r.values.team_id)); const u = s(r.values.username); if (t && u) teamMembers.set(t, [...(teamMembers.get(t) ?? []), u]); }
  for (const r of byType('github_team_repository')) {
    const repo = s(r.values.repository); const slug = teamSlug(String(r.values.team_id ?? ''));
    if (!repo || !slug) continue;
    const perm = GH_PERMISSION[String(r.values.permission ?? 'pull')] ?? String(r.values.permission);
    const o = org(repo);
    add(r, { provider: 'github', tenant: o, identity: o ? gh.team(o, slug) : slug, resource: repoRef(repo), permission: perm });
    // Members hold the team's access to the repository (the connector's via-team entitlements).
    (teamMembers.get(slug) ?? []).forEach((u, i) => add(r, { provider: 'github', tenant: o, identity: o ? gh.user(o, u) : u, resource: repoRef(repo), permission: perm }, i + 1));
  }
  for (const r of byType('github_membership')) {
    const id = s(r.values.id); const user = s(r.values.username); const o = id?.includes(':') ? id.split(':')[0]! : memberOrg;
    if (!user || !o) continue;
    add(r, { provider: 'github', tenant: o, identity: gh.user(o, user), resource: gh.org(o), permission: r.values.role === 'admin' ? 'owner' : 'member' });
  }
  return { grants, ignored };
}
