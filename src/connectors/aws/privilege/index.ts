// Over-privilege analysis of an AWS account from `get-account-authorization-details`: each principal's effective
// identity permissions (inline, attached, through groups; permission boundaries as an intersection; explicit denies),
// then a classification — administrator, can escalate to administrator, permissions management, write, read, none —
// with evidence that names the policies, statements and escalation paths. See readme.md for the model and its limits.
import {
  type Bits, type Catalogue, andInto, andNotInto, catalogue, count, hasBit, intersects, isSubset, orInto,
} from './catalogue.js';
import { type ConditionContext, type ConditionResult, type PrincipalContext, evaluateCondition, isSessionKey } from './conditions.js';
import { ESCALATION_RULES, type EscalationRule, type ServiceRole, type TargetKind } from './escalation.js';
import {
  type ParsedPolicy, type Statement, PolicyError, PolicyParser, coversAllResources, decodePolicyDocument, globCovers,
  resourceMatches, substitute,
} from './policy.js';
import { globRegExp } from './catalogue.js';

const regexCache = new Map<string, RegExp>();
function globRegExpCached(p: string): RegExp {
  let r = regexCache.get(p);
  if (!r) { r = globRegExp(p); regexCache.set(p, r); }
  return r;
}

export { PolicyError, decodePolicyDocument } from './policy.js';
export { ESCALATION_RULES, ruleActions } from './escalation.js';
export { catalogue } from './catalogue.js';

export interface AuthorizationDetails { UserDetailList: any[]; GroupDetailList: any[]; RoleDetailList: any[]; Policies: any[] }
export type Classification = 'administrator' | 'escalation' | 'permissions-management' | 'write' | 'read' | 'none';
export interface PrincipalAnalysis {
  arn: string; type: 'user' | 'role' | 'group'; name: string;
  classification: Classification;
  level: 'none' | 'read' | 'write' | 'admin' | 'owner';
  privileged: boolean;
  escalationPaths: { path: string; actions: string[]; statements: string[] }[];
  evidence: string[];
  quarantined: boolean;
}

export interface AnalyzeOptions {
  /** The instant conditions on aws:CurrentTime / aws:TokenIssueTime are judged at (default: now). */
  now?: Date;
}

const LEVEL_OF: Record<Classification, PrincipalAnalysis['level']> = {
  administrator: 'admin', escalation: 'admin', 'permissions-management': 'admin', write: 'write', read: 'read', none: 'none',
};

/** Actions that expose secret values or mint credentials: privileged even when their access level is Read. */
export const SECRET_OR_CREDENTIAL_ACTIONS = [
  'secretsmanager:GetSecretValue', 'secretsmanager:BatchGetSecretValue', 'ssm:GetParameter', 'ssm:GetParameters',
  'ssm:GetParametersByPath', 'kms:Decrypt', 'ec2:GetPasswordData', 'iam:CreateAccessKey', 'iam:CreateLoginProfile',
  'iam:UpdateLoginProfile', 'iam:CreateServiceSpecificCredential', 'iam:ResetServiceSpecificCredential',
  'iam:UploadSSHPublicKey', 'sts:GetFederationToken', 'redshift:GetClusterCredentials',
  'redshift:GetClusterCredentialsWithIAM', 'redshift-serverless:GetCredentials', 'sso:GetRoleCredentials',
  'cognito-identity:GetCredentialsForIdentity', 'lambda:GetFunction',
];

const ADMINISTRATOR_ACCESS = 'policy/AdministratorAccess';
const QUARANTINE = /^AWSCompromisedKeyQuarantine/;

interface Attached { kind: string; parsed: ParsedPolicy; via: string | null }

interface TrustStatement {
  label: string;
  effect: 'Allow' | 'Deny';
  actions: string[];
  anyPrincipal: boolean;
  aws: string[];
  services: string[];
  notPrincipal: boolean;
  condition: unknown;
}

interface Node {
  arn: string;
  type: 'user' | 'role' | 'group';
  name: string;
  path: string;
  accountId: string;
  partition: string;
  ctx: ConditionContext;
  policies: Attached[];
  attachedArns: Set<string>;
  missingPolicies: string[];
  allows: Statement[];
  denies: Statement[];
  boundary: Statement[] | null;
  boundaryName: string | null;
  boundaryMissing: string | null;
  groups: Node[];
  members: Node[];
  trust: TrustStatement[];
  instanceProfile: boolean;
  modifiable: boolean;
  effective: Bits;
  administrator: boolean;
  adminCapable: boolean;
  paths: Map<string, { path: string; actions: string[]; statements: string[]; sentence: string }>;
  notes: string[];
  quarantined: boolean;
  vars?: (name: string) => string | null;
}

interface Target { arn: string; account: string; node?: Node; describe: (viewer: Node) => string }

interface Grant { ok: boolean; statements: Statement[]; unresolved: string[]; deniedBy?: Statement; boundaryBlocks?: boolean; trust?: string[] }

const NO: Grant = { ok: false, statements: [], unresolved: [] };
const EMPTY: Bits = new Uint32Array(0);

function asList(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

function arnParts(arn: string): { partition: string; account: string } {
  const p = arn.split(':');
  return { partition: p[1] ?? 'aws', account: p[4] ?? '' };
}

/** Analyse every user, group and role of one account export. Keyed by ARN. */
export function analyzeAuthorizationDetails(details: AuthorizationDetails, options: AnalyzeOptions = {}): Map<string, PrincipalAnalysis> {
  return new Analyzer(details, options.now ?? new Date()).run();
}

class Analyzer {
  private readonly cat: Catalogue = catalogue();
  private readonly parser = new PolicyParser(this.cat);
  private readonly managed = new Map<string, { name: string; arn: string; doc: unknown; version: string; attachments: number }>();
  private readonly nodes: Node[] = [];
  private readonly users: Node[] = [];
  private readonly groups: Node[] = [];
  private readonly roles: Node[] = [];
  private readonly byArn = new Map<string, Node>();
  private readonly attachedCustomerPolicies: { arn: string; holders: Node[] }[] = [];
  private adminPolicyArns: string[] = [];
  private readonly candidateCache = new Map<string, Node[]>();
  private readonly patternCache = new Map<string, Target[]>();
  private readonly iamPermissions: Bits;
  private readonly secretBits: Bits;

  constructor(private readonly details: AuthorizationDetails, private readonly now: Date) {
    this.iamPermissions = this.cat.match('iam:*').slice();
    andInto(this.iamPermissions, this.cat.byLevel.permissions);
    this.secretBits = this.cat.empty();
    for (const a of SECRET_OR_CREDENTIAL_ACTIONS) orInto(this.secretBits, this.cat.match(a));
  }

  run(): Map<string, PrincipalAnalysis> {
    this.indexPolicies();
    this.buildNodes();
    for (const n of this.nodes) this.computeEffective(n);
    this.findAdminPolicies();
    this.collectAttachedPolicies();
    // Direct paths do not depend on anyone else; transitive ones are solved to a fixpoint from the administrators.
    for (const n of this.nodes) {
      n.adminCapable = n.administrator;
      if (!n.administrator) for (const r of ESCALATION_RULES) if (!r.transitive) this.tryRule(n, r);
      if (n.paths.size > 0) n.adminCapable = true;
    }
    for (let changed = true; changed;) {
      changed = false;
      for (const n of this.nodes) {
        if (n.adminCapable) continue;
        for (const r of ESCALATION_RULES) if (r.transitive && this.tryRule(n, r)) { n.adminCapable = true; changed = true; break; }
      }
    }
    // Final pass: every path each non-administrator has, for complete evidence.
    for (const n of this.nodes) if (!n.administrator) for (const r of ESCALATION_RULES) if (r.transitive) this.tryRule(n, r);
    const out = new Map<string, PrincipalAnalysis>();
    for (const n of this.nodes) out.set(n.arn, this.result(n));
    return out;
  }

  // ---- input -------------------------------------------------------------------------------------------------

  private indexPolicies(): void {
    for (const p of asList(this.details.Policies) as any[]) {
      if (!p || typeof p.Arn !== 'string') continue;
      const versions = asList(p.PolicyVersionList) as any[];
      const v = versions.find((x) => x?.IsDefaultVersion === true || x?.IsDefaultVersion === 'true')
        ?? versions.find((x) => x?.VersionId === p.DefaultVersionId);
      if (!v) throw new PolicyError(`managed policy ${p.PolicyName ?? p.Arn}: the export holds no default version`);
      this.managed.set(p.Arn, { name: String(p.PolicyName ?? p.Arn.split('/').pop()), arn: p.Arn, doc: v.Document, version: String(v.VersionId ?? p.DefaultVersionId ?? ''), attachments: Number(p.AttachmentCount ?? 0) });
    }
  }

  /** `how` qualifies the label: "(via group G)", or "permissions boundary" in place of "managed policy". */
  private managedPolicy(arn: string, how: { via?: string; boundary?: boolean } = {}): ParsedPolicy | null {
    const m = this.managed.get(arn);
    if (!m) return null;
    const where = `${how.boundary ? 'permissions boundary' : 'managed policy'} ${m.name}${how.via ? ` (via group ${how.via})` : ''}`;
    return this.parser.parse(where, m.name, arn, m.doc, `${arn}#${m.version}`);
  }

  private newNode(raw: any, type: Node['type'], name: string): Node {
    const arn = String(raw.Arn);
    const { partition, account } = arnParts(arn);
    const tags: Record<string, string> = {};
    for (const t of asList(raw.Tags) as any[]) if (t && typeof t.Key === 'string') tags[t.Key] = String(t.Value ?? '');
    const principal: PrincipalContext = { arn, type, name, accountId: account, tags };
    const path = String(raw.Path ?? '/');
    return {
      arn, type, name, path, accountId: account, partition,
      ctx: { now: this.now, principal: type === 'group' ? null : principal },
      policies: [], attachedArns: new Set(), missingPolicies: [], allows: [], denies: [], boundary: null,
      boundaryName: null, boundaryMissing: null, groups: [], members: [], trust: [], instanceProfile: false,
      modifiable: type !== 'role' || !(path.startsWith('/aws-service-role/') || path.startsWith('/aws-reserved/')),
      effective: EMPTY, administrator: false, adminCapable: false, paths: new Map(), notes: [],
      quarantined: false,
    };
  }

  private attachManaged(n: Node, list: unknown, via: Node | null): void {
    for (const a of asList(list) as any[]) {
      const arn = String(a?.PolicyArn ?? '');
      const name = String(a?.PolicyName ?? arn.split('/').pop());
      if (QUARANTINE.test(name)) n.quarantined = true;
      n.attachedArns.add(arn);
      const parsed = this.managedPolicy(arn, { via: via?.name });
      if (!parsed) { n.missingPolicies.push(name); continue; }
      n.policies.push({ kind: 'managed', parsed, via: via?.name ?? null });
    }
  }

  private attachInline(n: Node, list: unknown, via: Node | null): void {
    for (const p of asList(list) as any[]) {
      const name = String(p?.PolicyName ?? '(unnamed)');
      const kind = via ? `inline policy ${name} (via group ${via.name})` : `inline policy ${name}`;
      const docKey = typeof p?.PolicyDocument === 'string' ? p.PolicyDocument : JSON.stringify(p?.PolicyDocument);
      const parsed = this.parser.parse(kind, name, null, p?.PolicyDocument, docKey);
      n.policies.push({ kind: 'inline', parsed, via: via?.name ?? null });
    }
  }

  private buildNodes(): void {
    const groupsByName = new Map<string, Node>();
    const rawGroups = new Map<string, any>();
    for (const g of asList(this.details.GroupDetailList) as any[]) {
      rawGroups.set(String(g.GroupName), g);
      const n = this.newNode(g, 'group', String(g.GroupName));
      this.attachInline(n, g.GroupPolicyList, null);
      this.attachManaged(n, g.AttachedManagedPolicies, null);
      groupsByName.set(n.name, n);
      this.groups.push(n);
    }
    for (const u of asList(this.details.UserDetailList) as any[]) {
      const n = this.newNode(u, 'user', String(u.UserName));
      this.attachInline(n, u.UserPolicyList, null);
      this.attachManaged(n, u.AttachedManagedPolicies, null);
      for (const gName of asList(u.GroupList) as string[]) {
        const g = groupsByName.get(String(gName));
        if (!g) { n.notes.push(`Member of group ${gName}, which is not in the export: its policies are unknown.`); continue; }
        n.groups.push(g);
        g.members.push(n);
        this.attachInline(n, rawGroups.get(g.name)?.GroupPolicyList, g);
        this.attachManaged(n, rawGroups.get(g.name)?.AttachedManagedPolicies, g);
      }
      this.setBoundary(n, u.PermissionsBoundary);
      this.users.push(n);
    }
    for (const r of asList(this.details.RoleDetailList) as any[]) {
      const n = this.newNode(r, 'role', String(r.RoleName));
      this.attachInline(n, r.RolePolicyList, null);
      this.attachManaged(n, r.AttachedManagedPolicies, null);
      this.setBoundary(n, r.PermissionsBoundary);
      n.trust = this.parseTrust(n, r.AssumeRolePolicyDocument);
      n.instanceProfile = asList(r.InstanceProfileList).length > 0;
      this.roles.push(n);
    }
    for (const n of [...this.users, ...this.groups, ...this.roles]) { this.nodes.push(n); this.byArn.set(n.arn, n); }
    for (const n of this.nodes) {
      for (const a of n.policies) for (const s of a.parsed.statements) (s.effect === 'Allow' ? n.allows : n.denies).push(s);
    }
  }

  private setBoundary(n: Node, pb: any): void {
    const arn = pb?.PermissionsBoundaryArn;
    if (typeof arn !== 'string' || arn === '') return;
    const parsed = this.managedPolicy(arn, { boundary: true });
    n.boundaryName = arn.split('/').pop() ?? arn;
    if (!parsed) { n.boundaryMissing = arn; return; }
    n.boundary = parsed.statements.filter((s) => s.effect === 'Allow');
    // A Deny inside a boundary applies like any explicit deny.
    for (const s of parsed.statements) if (s.effect === 'Deny') n.denies.push(s);
  }

  private parseTrust(n: Node, doc: unknown): TrustStatement[] {
    if (doc === undefined || doc === null) return [];
    const d = decodePolicyDocument(doc, `trust policy of role ${n.name}`);
    return asList(d.Statement).map((raw, i) => {
      const s = (raw ?? {}) as Record<string, unknown>;
      const sid = typeof s.Sid === 'string' && s.Sid !== '' ? s.Sid : null;
      const notPrincipal = s.NotPrincipal !== undefined;
      const p = (notPrincipal ? s.NotPrincipal : s.Principal) as unknown;
      const aws: string[] = []; const services: string[] = [];
      let anyPrincipal = p === '*';
      if (p && typeof p === 'object') {
        const o = p as Record<string, unknown>;
        for (const a of asList(o.AWS).map(String)) { if (a === '*') anyPrincipal = true; else aws.push(a); }
        for (const s2 of asList(o.Service).map(String)) services.push(s2.toLowerCase());
      }
      return {
        label: `trust policy of role ${n.name} statement ${sid ? `"${sid}"` : `#${i + 1}`}`,
        effect: s.Effect === 'Deny' ? 'Deny' : 'Allow',
        actions: asList(s.Action).map((a) => String(a).toLowerCase()),
        anyPrincipal, aws, services, notPrincipal, condition: s.Condition,
      } satisfies TrustStatement;
    });
  }

  // ---- effective permissions ---------------------------------------------------------------------------------

  private vars(n: Node): (name: string) => string | null {
    return n.vars ??= (name: string) => {
      const k = name.toLowerCase();
      if (k === 'aws:username') return n.type === 'user' ? n.name : null;
      if (k === 'aws:principalaccount') return n.accountId;
      if (k === 'aws:principalarn') return n.type === 'group' ? null : n.arn;
      if (k.startsWith('aws:principaltag/') && n.ctx.principal) {
        const t = Object.entries(n.ctx.principal.tags).find(([key]) => key.toLowerCase() === k.slice(17));
        return t ? t[1] : null;
      }
      return null;
    };
  }

  private verdict(n: Node, s: Statement, known?: Record<string, string>): ConditionResult {
    if (s.condition === undefined) return { verdict: 'always', unresolved: [], reasons: [] };
    return evaluateCondition(s.condition, known ? { ...n.ctx, known } : n.ctx);
  }

  /** Does an unconditional Deny remove this Allow statement's actions on every resource the Allow names? */
  private denyCovers(n: Node, d: Statement, s: Statement): boolean {
    if (d.notResource) return false;
    const vars = this.vars(n);
    const outer = d.resources.map((p) => substitute(p, vars, true)).filter((p): p is string => p !== null);
    if (outer.includes('*')) return true;
    if (s.notResource) return false;
    return s.resources.every((r) => {
      const inner = substitute(r, vars, false);
      return inner !== null && outer.some((o) => globCovers(o, inner));
    });
  }

  private effectiveOf(n: Node, allows: Statement[], activeDenies: Statement[]): Bits {
    const out = this.cat.empty();
    for (const s of allows) {
      if (this.verdict(n, s).verdict === 'never') continue;
      let bits = s.actions;
      for (const d of activeDenies) {
        if (intersects(bits, d.actions) && this.denyCovers(n, d, s)) {
          if (bits === s.actions) bits = s.actions.slice();
          andNotInto(bits, d.actions);
        }
      }
      orInto(out, bits);
    }
    return out;
  }

  private computeEffective(n: Node): void {
    const activeDenies: Statement[] = [];
    for (const d of n.denies) {
      const v = this.verdict(n, d);
      if (v.verdict === 'always') { activeDenies.push(d); n.notes.push(`Explicit deny: ${d.label} denies ${describeActions(d)} on ${describeResources(d)}.`); }
      else if (v.verdict === 'maybe') n.notes.push(`${d.label} is a Deny that applies only when ${v.unresolved.join(', ')} hold(s); it may not apply, so it is not counted as removing access.`);
      else n.notes.push(`${d.label} is a Deny whose condition can never hold (${v.reasons.join('; ')}); it has no effect.`);
    }
    for (const s of n.allows) {
      const v = this.verdict(n, s);
      if (v.verdict === 'never') n.notes.push(`${s.label} can never apply (${v.reasons.join('; ')}); ignored.`);
      else if (v.verdict === 'maybe') n.notes.push(`${s.label} applies only when ${v.unresolved.join(', ')} hold(s); treated as satisfiable.`);
      if (s.unknownPatterns.length > 0) n.notes.push(`${s.label} names actions the catalogue does not know (${s.unknownPatterns.join(', ')}); they are not counted.`);
    }
    n.effective = this.effectiveOf(n, n.allows, activeDenies);
    if (n.boundary) {
      andInto(n.effective, this.effectiveOf(n, n.boundary, activeDenies));
      n.notes.push(`Permissions boundary ${n.boundaryName} caps the effective permissions (intersection with the identity policies).`);
    } else if (n.boundaryMissing) {
      n.notes.push(`Permissions boundary ${n.boundaryMissing} is not in the export; it is treated as allowing everything, which can only overstate access.`);
    }
    for (const m of n.missingPolicies) n.notes.push(`Managed policy ${m} is attached but not in the export: its permissions are unknown and not counted, so this analysis may understate access.`);
    n.administrator = this.isAdministrator(n, n.allows, activeDenies) && (!n.boundary || this.isAdministrator(n, n.boundary, activeDenies));
  }

  /** Every catalogue action allowed on every resource, and no unconditional deny touching IAM permission management. */
  private scratch: Bits | null = null;
  private isAdministrator(n: Node, allows: Statement[], activeDenies: Statement[]): boolean {
    // Cheap exit first: without a statement on every resource there is no "everything on everything".
    if (!allows.some(coversAllResources)) return false;
    const all = this.scratch ??= this.cat.empty();
    all.fill(0);
    for (const s of allows) {
      if (!coversAllResources(s)) continue;
      const v = this.verdict(n, s);
      // A condition narrows "everything" unless it is only about the caller's session (MFA, source IP, time…).
      if (v.verdict === 'never' || (v.verdict === 'maybe' && !v.unresolved.every(isSessionKey))) continue;
      orInto(all, s.actions);
    }
    if (!isSubset(this.cat.full, all)) return false;
    return !activeDenies.some((d) => intersects(d.actions, this.iamPermissions));
  }

  /** Is `action` allowed for `n` on `arn` (or on some resource when arn is null)? */
  private allowed(n: Node, action: string, arn: string | null, known?: Record<string, string>): Grant {
    const i = this.cat.indexOf(action);
    if (i < 0) return NO;
    const vars = this.vars(n);
    for (const d of n.denies) {
      if (!hasBit(d.actions, i)) continue;
      if (arn ? !resourceMatches(d, arn, vars) : !coversAllResources(d)) continue;
      if (this.verdict(n, d, known).verdict === 'always') return { ...NO, deniedBy: d };
    }
    const a = this.firstAllow(n, n.allows, i, arn, vars, known);
    if (!a) return NO;
    if (n.boundary) {
      const b = this.firstAllow(n, n.boundary, i, arn, vars, known);
      if (!b) return { ...NO, boundaryBlocks: true };
      return { ok: true, statements: [a.s, b.s], unresolved: [...a.unresolved, ...b.unresolved] };
    }
    return { ok: true, statements: [a.s], unresolved: a.unresolved };
  }

  /** The first Allow for action index `i` (an unconditional one preferred). */
  private firstAllow(n: Node, list: Statement[], i: number, arn: string | null, vars: (name: string) => string | null, known?: Record<string, string>): { s: Statement; unresolved: string[] } | null {
    let maybe: { s: Statement; unresolved: string[] } | null = null;
    for (const s of list) {
      if (!hasBit(s.actions, i)) continue;
      if (arn && !resourceMatches(s, arn, vars)) continue;
      const v = this.verdict(n, s, known);
      if (v.verdict === 'always') return { s, unresolved: [] };
      if (v.verdict === 'maybe' && !maybe) maybe = { s, unresolved: v.unresolved };
    }
    return maybe;
  }

  // ---- targets -----------------------------------------------------------------------------------------------

  private findAdminPolicies(): void {
    const arns = new Set<string>();
    const partitions = new Set(this.nodes.map((n) => n.partition));
    if (partitions.size === 0) partitions.add('aws');
    for (const p of partitions) arns.add(`arn:${p}:iam::aws:${ADMINISTRATOR_ACCESS}`);
    // Any policy in the export that alone grants everything works as well (and may be allowed where AWS's is not).
    const probe = this.newNode({ Arn: 'arn:aws:iam::000000000000:user/(probe)' }, 'user', '(probe)');
    for (const [arn] of this.managed) {
      const parsed = this.managedPolicy(arn);
      if (!parsed) continue;
      const allows = parsed.statements.filter((s) => s.effect === 'Allow');
      const denies = parsed.statements.filter((s) => s.effect === 'Deny' && this.verdict(probe, s).verdict === 'always');
      if (this.isAdministrator(probe, allows, denies)) arns.add(arn);
    }
    this.adminPolicyArns = [...arns];
  }

  private collectAttachedPolicies(): void {
    const holders = new Map<string, Node[]>();
    for (const n of this.nodes) {
      for (const arn of n.attachedArns) {
        if (/^arn:[^:]*:iam::aws:/.test(arn) || !this.managed.has(arn)) continue;
        // A user's set also lists its groups' policies; count the group itself as the holder.
        if (n.type === 'user' && n.groups.some((g) => g.attachedArns.has(arn)) && !this.directlyAttached(n, arn)) continue;
        const list = holders.get(arn) ?? [];
        list.push(n);
        holders.set(arn, list);
      }
    }
    for (const [arn, list] of holders) this.attachedCustomerPolicies.push({ arn, holders: list });
  }

  private directlyAttached(n: Node, arn: string): boolean {
    return n.policies.some((p) => p.kind === 'managed' && p.via === null && p.parsed.arn === arn);
  }

  /** The base population a target kind is drawn from, and whether a member qualifies right now. */
  private population(n: Node, kind: TargetKind): { list: Target[]; preferred: Target[]; ok: (t: Target) => boolean } {
    const p = this.populationAnyAccount(n, kind);
    // IAM users, groups, roles and policies have no resource policies: an identity can only change its own account's.
    return { ...p, ok: (t) => t.account === n.accountId && p.ok(t) };
  }

  private populationAnyAccount(n: Node, kind: TargetKind): { list: Target[]; preferred: Target[]; ok: (t: Target) => boolean } {
    const nodes = (key: string, list: () => Node[]) => {
      let cached = this.populationCache.get(key);
      if (!cached) { cached = list().map((t) => this.target(t)); this.populationCache.set(key, cached); }
      return cached;
    };
    const users = nodes('users', () => this.users);
    const groups = nodes('groups', () => this.groups);
    const roles = nodes('roles', () => this.roles);
    switch (kind) {
      case 'attached-policy': {
        const mine = this.attachedCustomerPolicies.filter((p) => p.holders.some((h) => h === n || n.groups.includes(h)));
        return { list: this.policyTargets(), preferred: mine.map((p) => this.policyTarget(p)), ok: () => true };
      }
      case 'user': return { list: users, preferred: n.type === 'user' ? [this.target(n)] : [], ok: () => true };
      case 'group-with-members': return { list: groups, preferred: (n.type === 'group' ? [n] : n.groups).map((g) => this.target(g)), ok: (t) => t.node!.members.length > 0 };
      case 'modifiable-role': return { list: roles, preferred: n.type === 'role' ? [this.target(n)] : [], ok: (t) => t.node!.modifiable };
      // Prefer administrators as targets: the evidence then names the shortest route.
      case 'other-admin-user': return { list: users, preferred: nodes('admin-users', () => this.users.filter((u) => u.administrator)), ok: (t) => t.node !== n && t.node!.adminCapable };
      case 'admin-group': return { list: groups, preferred: nodes('admin-groups', () => this.groups.filter((g) => g.administrator)), ok: (t) => t.node!.adminCapable && !n.groups.includes(t.node!) };
      case 'other-admin-role': return { list: roles, preferred: nodes('admin-roles', () => this.roles.filter((r) => r.administrator)), ok: (t) => t.node !== n && t.node!.modifiable && t.node!.adminCapable };
      case 'any': return { list: [], preferred: [], ok: () => false };
    }
  }

  private lookupTarget(kind: TargetKind, arn: string): Target | undefined {
    if (kind === 'attached-policy') {
      const p = this.attachedCustomerPolicies.find((x) => x.arn === arn);
      return p ? this.policyTarget(p) : undefined;
    }
    const node = this.byArn.get(arn);
    if (!node) return undefined;
    const type = kind === 'user' || kind === 'other-admin-user' ? 'user' : kind === 'group-with-members' || kind === 'admin-group' ? 'group' : 'role';
    return node.type === type ? this.target(node) : undefined;
  }

  private readonly targetCache = new Map<unknown, Target>();
  private readonly populationCache = new Map<string, Target[]>();
  private target(t: Node): Target {
    let x = this.targetCache.get(t);
    if (!x) { x = { arn: t.arn, account: t.accountId, node: t, describe: (n) => `${t.type} ${t.name}${t === n ? ' (itself)' : ''}` }; this.targetCache.set(t, x); }
    return x;
  }
  private policyTarget(p: { arn: string; holders: Node[] }): Target {
    let x = this.targetCache.get(p);
    if (!x) {
      x = { arn: p.arn, account: arnParts(p.arn).account, describe: (n) => `policy ${p.arn.split('/').pop()} (attached to ${p.holders.slice(0, 3).map((h) => h === n ? 'itself' : `${h.type} ${h.name}`).join(', ')}${p.holders.length > 3 ? ', …' : ''})` };
      this.targetCache.set(p, x);
    }
    return x;
  }
  private policyTargetList: Target[] | null = null;
  private policyTargets(): Target[] {
    this.policyTargetList ??= this.attachedCustomerPolicies.map((p) => this.policyTarget(p));
    return this.policyTargetList;
  }

  /** Would an administrator policy on this user or role be capped by a boundary the principal cannot remove? */
  private cappedByBoundary(n: Node, t: Node | undefined): boolean {
    if (!t || t.type === 'group' || !t.boundary) return false;
    const full = this.cat.empty();
    for (const s of t.boundary) if (coversAllResources(s) && this.verdict(t, s).verdict !== 'never') orInto(full, s.actions);
    if (isSubset(this.cat.full, full)) return false;
    const noun = t.type === 'user' ? 'User' : 'Role';
    return !(this.allowed(n, `iam:Delete${noun}PermissionsBoundary`, t.arn).ok || this.allowed(n, `iam:Put${noun}PermissionsBoundary`, t.arn).ok);
  }

  private rolesTrusting(svc: ServiceRole): Node[] {
    const key = `svc\u0000${svc.service}\u0000${svc.instanceProfile ? 1 : 0}`;
    let list = this.candidateCache.get(key) as Node[] | undefined;
    if (!list) {
      list = this.roles.filter((r) => (!svc.instanceProfile || r.instanceProfile) && r.trust.some((t) =>
        t.effect === 'Allow' && !t.notPrincipal && t.services.includes(svc.service) && t.actions.some((a) => matchesAction(a, 'sts:assumerole'))));
      this.candidateCache.set(key, list);
    }
    return list;
  }

  private trustIndex: { named: Map<string, Node[]>; open: Map<string, Node[]> } | null = null;

  /** Roles whose trust policy could let `n` in: naming it (or its sessions), or its account / anyone. */
  private assumable(n: Node): Node[] {
    if (!this.trustIndex) {
      const named = new Map<string, Node[]>(); const open = new Map<string, Node[]>();
      const add = (m: Map<string, Node[]>, k: string, r: Node) => { const l = m.get(k) ?? []; if (!l.includes(r)) l.push(r); m.set(k, l); };
      for (const r of this.roles) {
        for (const t of r.trust) {
          if (t.effect !== 'Allow') continue;
          if (t.anyPrincipal || t.notPrincipal) add(open, '*', r);
          for (const a of t.aws) {
            const session = /^arn:[^:]*:sts::(\d+):assumed-role\/([^/]+)\//.exec(a);
            const root = /^arn:[^:]*:iam::(\d+):root$/.exec(a);
            if (session) add(named, `session:${session[1]}:${session[2]}`, r);
            else if (/^\d{12}$/.test(a)) add(open, a, r);
            else if (root) add(open, root[1]!, r);
            else add(named, a, r);
          }
        }
      }
      this.trustIndex = { named, open };
    }
    const out = [...(this.trustIndex.named.get(n.arn) ?? [])];
    if (n.type === 'role') out.push(...(this.trustIndex.named.get(`session:${n.accountId}:${n.name}`) ?? []));
    // Trust in the principal's account (or anyone) still needs sts:AssumeRole in its own policies.
    if (hasBit(n.effective, this.cat.indexOf('sts:AssumeRole'))) {
      out.push(...(this.trustIndex.open.get(n.accountId) ?? []), ...(this.trustIndex.open.get('*') ?? []));
    }
    return out;
  }

  /** Can `n` assume role `r`? Same-account trust naming the principal needs no identity permission. */
  private canAssume(n: Node, r: Node): Grant {
    if (r === n) return NO;
    let direct = false; let viaAccount = false; const used: TrustStatement[] = [];
    const ctx: ConditionContext = n.ctx;
    const sessionOf = (a: string) => /^arn:[^:]*:sts::(\d+):assumed-role\/([^/]+)\//.exec(a);
    for (const t of r.trust) {
      if (!t.actions.some((a) => matchesAction(a, 'sts:assumerole'))) continue;
      const v = t.condition === undefined ? 'always' : evaluateCondition(t.condition, ctx).verdict;
      let names = false; let account = t.anyPrincipal;
      for (const a of t.aws) {
        if (n.type !== 'group' && a === n.arn) names = true;
        const s = sessionOf(a);
        if (s && n.type === 'role' && s[1] === n.accountId && s[2] === n.name) names = true;
        if (a === n.accountId || a === `arn:${n.partition}:iam::${n.accountId}:root`) account = true;
      }
      if (t.notPrincipal) { names = false; account = !t.aws.includes(n.arn); }
      if (t.effect === 'Deny') {
        if ((names || account || t.anyPrincipal) && v === 'always') return NO;
        continue;
      }
      if (v === 'never') continue;
      if (names) { direct = true; used.push(t); } else if (account) { viaAccount = true; used.push(t); }
    }
    const trust = used.map((t) => t.label);
    if (direct) {
      const g = this.allowed(n, 'sts:AssumeRole', r.arn);
      if (g.deniedBy) return NO;
      return { ok: true, statements: g.ok ? g.statements : [], unresolved: g.ok ? g.unresolved : [], trust };
    }
    if (viaAccount) return { ...this.allowed(n, 'sts:AssumeRole', r.arn), trust };
    return NO;
  }

  // ---- rules -------------------------------------------------------------------------------------------------

  /** Record the rule's path on `n` if it holds; returns whether it holds. */
  private tryRule(n: Node, rule: EscalationRule): boolean {
    if (n.paths.has(rule.path)) return true;
    const actions: string[] = []; const statements: Statement[] = []; const extra: string[] = []; const conditional: string[] = [];
    const trustLabels: string[] = [];
    const take = (g: Grant, action: string) => {
      actions.push(action);
      for (const s of g.statements) if (!statements.includes(s)) statements.push(s);
      conditional.push(...g.unresolved);
    };
    for (const step of rule.steps) {
      let satisfied = false;
      for (const action of step.anyOf) {
        if (step.on === 'any') {
          const g = this.allowed(n, action, null);
          if (g.ok) { take(g, action); satisfied = true; break; }
          continue;
        }
        if (!hasBit(n.effective, this.cat.indexOf(action))) continue;
        for (const t of this.candidates(n, action, step.on)) {
          if (this.cappedByBoundary(n, t.node)) continue;
          const g = this.allowTarget(n, action, t.arn, step.attachesPolicy === true);
          if (g.ok) { take(g, action); extra.push(t.describe(n)); satisfied = true; break; }
        }
        if (satisfied) break;
      }
      if (!satisfied) return false;
    }
    if (rule.assumeRole) {
      const hit = this.assumable(n).find((r) => r.adminCapable && r !== n && this.canAssume(n, r).ok);
      if (!hit) return false;
      const g = this.canAssume(n, hit);
      take(g, 'sts:AssumeRole');
      trustLabels.push(...(g.trust ?? []));
      extra.push(`role ${hit.name} (${this.kind(hit)})`);
    }
    const svc = rule.passRole ?? rule.serviceRole;
    if (svc) {
      let found: Node | undefined;
      for (const r of this.rolesTrusting(svc)) {
        if (!r.adminCapable || r === n || r.accountId !== n.accountId) continue;
        if (!rule.passRole) { found = r; break; }
        const g = this.allowed(n, 'iam:PassRole', r.arn, { 'iam:passedtoservice': svc.service });
        if (g.ok) { take(g, 'iam:PassRole'); found = r; break; }
      }
      if (!found) return false;
      extra.push(`${rule.passRole ? 'passing' : 'whose resources may run as'} role ${found.name} (${this.kind(found)}, trusted by ${svc.service}${svc.instanceProfile ? ', in an instance profile' : ''})`);
    }
    const labels = [...statements.map((s) => s.label), ...trustLabels];
    const cond = [...new Set(conditional)];
    const sentence = `Can escalate to administrator via ${rule.path}: ${rule.summary}` +
      (extra.length ? ` — ${extra.join('; ')}` : '') +
      (labels.length ? `; granted by ${labels.join(', ')}` : '') +
      (cond.length ? `; only when ${cond.join(', ')} hold(s)` : '') + '.';
    n.paths.set(rule.path, { path: rule.path, actions: [...new Set(actions)], statements: labels, sentence });
    return true;
  }

  private kind(n: Node): string {
    return n.administrator ? 'administrator' : 'can escalate';
  }

  private allowTarget(n: Node, action: string, arn: string, attachesPolicy: boolean): Grant {
    if (!attachesPolicy) return this.allowed(n, action, arn);
    for (const policy of this.adminPolicyArns) {
      const g = this.allowed(n, action, arn, { 'iam:policyarn': policy });
      if (g.ok) return g;
    }
    return NO;
  }

  /**
   * Targets of a kind that some Allow statement for the action could match: the principal's own first, then the
   * rest, lazily (with Resource "*" the first usually answers). Wildcard patterns are matched once per population.
   */
  private *candidates(n: Node, action: string, kind: TargetKind): Generator<Target> {
    const { list, preferred, ok } = this.population(n, kind);
    const i = this.cat.indexOf(action);
    const vars = this.vars(n);
    let allowedSet: Set<Target> | null = null;
    const relevant = n.allows.filter((s) => hasBit(s.actions, i));
    if (!relevant.some((s) => s.notResource || s.resources.includes('*'))) {
      allowedSet = new Set();
      for (const s of relevant) {
        for (const raw of s.resources) {
          const pattern = substitute(raw, vars, false);
          if (pattern === null) continue;
          if (!/[*?]/.test(pattern)) {
            const t = this.lookupTarget(kind, pattern);
            if (t) allowedSet.add(t);
            continue;
          }
          const key = `${kind}\u0000${pattern}`;
          let hits = this.patternCache.get(key);
          if (!hits) {
            const re = globRegExpCached(pattern);
            hits = list.filter((x) => re.test(x.arn));
            this.patternCache.set(key, hits);
          }
          for (const t of hits) allowedSet.add(t);
        }
      }
    }
    const seen = new Set<Target>();
    for (const t of preferred) {
      if (seen.has(t)) continue;
      seen.add(t);
      if (ok(t) && (!allowedSet || allowedSet.has(t))) yield t;
    }
    for (const t of allowedSet ?? list) {
      if (seen.has(t)) continue;
      if (ok(t)) yield t;
    }
  }

  // ---- output ------------------------------------------------------------------------------------------------

  private result(n: Node): PrincipalAnalysis {
    const e = n.effective;
    const has = (b: Bits) => intersects(e, b);
    let classification: Classification;
    if (n.administrator) classification = 'administrator';
    else if (n.paths.size > 0) classification = 'escalation';
    else if (has(this.cat.byLevel.permissions)) classification = 'permissions-management';
    else if (has(this.cat.byLevel.write) || has(this.cat.byLevel.tagging)) classification = 'write';
    else if (has(this.cat.byLevel.read) || has(this.cat.byLevel.list)) classification = 'read';
    else classification = 'none';
    const secrets = intersects(e, this.secretBits) ? this.cat.names(intersectionOf(e, this.secretBits), 8) : [];
    const privileged = ['administrator', 'escalation', 'permissions-management'].includes(classification) || secrets.length > 0;
    const evidence: string[] = [];
    const policyNames = n.policies.map((p) => p.via ? `${p.parsed.name} (via group ${p.via})` : p.parsed.name);
    evidence.push(summary(n, classification, policyNames, count(e)));
    if (n.administrator) {
      const granting = n.allows.filter((s) => coversAllResources(s) && this.verdict(n, s).verdict !== 'never' && intersects(s.actions, this.iamPermissions));
      evidence.push(`Administrator: every action in the catalogue (${this.cat.size}) is allowed on every resource, granted by ${granting.map((s) => `${s.label} (${describeActions(s)})`).join(', ')}.`);
    }
    for (const p of n.paths.values()) evidence.push(p.sentence);
    if (classification === 'permissions-management') {
      const perms = intersectionOf(e, this.cat.byLevel.permissions);
      evidence.push(`Permissions management: allowed ${this.cat.names(perms, 6).join(', ')}${count(perms) > 6 ? ', …' : ''}; no known escalation path to administrator was found.`);
    }
    if (secrets.length > 0) evidence.push(`Privileged: can read secrets or mint credentials (${secrets.join(', ')}).`);
    if (n.quarantined) evidence.push('AWS has attached an AWSCompromisedKeyQuarantine policy: a key of this user was exposed.');
    evidence.push(...n.notes);
    return {
      arn: n.arn, type: n.type, name: n.name, classification, level: LEVEL_OF[classification], privileged,
      escalationPaths: [...n.paths.values()].map(({ path, actions, statements }) => ({ path, actions, statements })),
      evidence, quarantined: n.quarantined,
    };
  }
}

function intersectionOf(a: Bits, b: Bits): Bits { const out = a.slice(); andInto(out, b); return out; }

function matchesAction(pattern: string, action: string): boolean {
  if (pattern === '*' || pattern === action) return true;
  if (!pattern.includes('*') && !pattern.includes('?')) return false;
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i').test(action);
}

function describeActions(s: Statement): string {
  const list = s.actionPatterns.length > 4 ? [...s.actionPatterns.slice(0, 4), '…'] : s.actionPatterns;
  return `${s.notAction ? 'NotAction' : 'Action'} ${list.join(', ')}`;
}

function describeResources(s: Statement): string {
  const list = s.resources.length > 3 ? [...s.resources.slice(0, 3), '…'] : s.resources;
  return `${s.notResource ? 'everything except ' : ''}${list.join(', ')}`;
}

function summary(n: Node, c: Classification, policies: string[], actions: number): string {
  const what: Record<Classification, string> = {
    administrator: 'administrator',
    escalation: 'can escalate to administrator',
    'permissions-management': 'permissions management',
    write: 'write',
    read: 'read',
    none: 'no effective permissions',
  };
  const from = policies.length ? `from ${policies.join(', ')}` : 'with no identity policies';
  return `${n.type[0]!.toUpperCase()}${n.type.slice(1)} ${n.name} is classified ${what[c]}: ${actions} actions effectively allowed ${from}.`;
}
