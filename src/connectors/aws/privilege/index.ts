// Over-privilege analysis of an AWS account from `get-account-authorization-details`: each principal's effective
// identity permissions (inline, attached, through groups; permission boundaries as an intersection; explicit denies),
// then a classification — administrator, can escalate to administrator, permissions management, write, read, none —
// with evidence that names the policies, statements and escalation paths. See readme.md for the model and its limits.
import {
  type Bits, type Catalogue, andInto, andNotInto, catalogue, count, hasBit, intersects, isSubset, orInto,
} from './catalogue.js';
import {
  ABSENT, type ConditionContext, type ConditionResult, type PrincipalContext, evaluateCondition, isSessionKey, serviceTrustCondition,
} from './conditions.js';
import { ESCALATION_RULES, type EscalationRule, type ServiceRole, type Step, type TargetKind } from './escalation.js';
import {
  type ParsedPolicy, type Statement, PolicyError, PolicyParser, coversAllResources, decodePolicyDocument, globCovers,
  globMeet, resourceMatches, substitute,
} from './policy.js';
import { globRegExp, resourceTemplates } from './catalogue.js';
import { type EscalatingPolicy, escalatingAwsManagedPolicies, judgePolicy } from './managed.js';
import type { PathClass, PathStep, PrincipalPrivilege, PrivilegePath } from './result.js';

const regexCache = new Map<string, RegExp>();
function globRegExpCached(p: string): RegExp {
  let r = regexCache.get(p);
  if (!r) { r = globRegExp(p); regexCache.set(p, r); }
  return r;
}

export { PolicyError, decodePolicyDocument } from './policy.js';
export { ESCALATION_RULES, ruleActions } from './escalation.js';
export { catalogue } from './catalogue.js';
export type { PathClass, PathStep, PrincipalPrivilege, PrivilegePath } from './result.js';

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
  /** Every path, with its steps, target, assumptions and chain (the same object `analyzePrivileges` returns). */
  privilege: PrincipalPrivilege;
}

export interface AnalyzeOptions {
  /** The instant conditions on aws:CurrentTime / aws:TokenIssueTime are judged at (default: now). */
  now?: Date;
  /** How many paths of one family to report per principal (each names a different target); default 10. */
  maxPathsPerFamily?: number;
  /** How many roles deep to follow role chains (A assumes B, which assumes C…); default 3. */
  maxChainDepth?: number;
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

const QUARANTINE = /^AWSCompromisedKeyQuarantine/;

interface Attached { kind: string; parsed: ParsedPolicy; via: string | null }

interface TrustStatement {
  label: string;
  role: string;
  sid: string | null;
  index: number;
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
  boundaryArn: string | null;
  boundaryMissing: string | null;
  groups: Node[];
  members: Node[];
  trust: TrustStatement[];
  instanceProfile: boolean;
  modifiable: boolean;
  effective: Bits;
  administrator: boolean;
  adminCapable: boolean;
  paths: Map<string, Legacy>;
  /** Every path found (the result contract); `paths` keeps the first per family for the classic evidence. */
  found: PrivilegePath[];
  tagsMutable: boolean;
  activeDenies: Statement[];
  notes: string[];
  quarantined: boolean;
  vars?: (name: string) => string | null;
  /** For a policy judged alone: "managed policy X" / "inline policy Y"; the node stands for its holder with only it. */
  subject?: string;
}

interface Target { arn: string; account: string; node?: Node; describe: (viewer: Node) => string }

interface Grant {
  ok: boolean; statements: Statement[]; unresolved: string[]; deniedBy?: Statement; boundaryBlocks?: boolean; trust?: string[];
  trustStatements?: { role: string; sid: string | null; index: number }[];
}

interface Legacy { path: string; actions: string[]; statements: string[]; sentence: string }
interface StepHit { action: string; resource: string; grant: Grant; policy?: EscalatingPolicy }
interface Found { path: PrivilegePath; legacy: Legacy }

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
  return new Analyzer(details, options.now ?? new Date(), options).run();
}

/**
 * Every user, group and role (keyed by ARN), and every policy attached to one, judged alone as its holder would hold
 * it (keyed by managed policy ARN, or `<owner ARN>#<inline policy name>`; a managed policy is judged as held by its
 * first holder). Policy judgements run against the account as it is (targets, roles, trusts), with no made-up principal.
 */
export function analyzeAccount(details: AuthorizationDetails, options: AnalyzeOptions = {}): { principals: Map<string, PrincipalAnalysis>; policies: Map<string, PrincipalAnalysis> } {
  const a = new Analyzer(details, options.now ?? new Date(), options);
  const principals = a.run();
  return { principals, policies: a.policiesAlone() };
}

/** The effective privilege of every user, group and role of one account export (all paths), keyed by ARN. */
export function analyzePrivileges(details: AuthorizationDetails, options: AnalyzeOptions = {}): Map<string, PrincipalPrivilege> {
  const out = new Map<string, PrincipalPrivilege>();
  for (const [arn, a] of analyzeAuthorizationDetails(details, options)) out.set(arn, a.privilege);
  return out;
}

class Analyzer {
  private readonly cat: Catalogue = catalogue();
  private readonly parser = new PolicyParser(this.cat);
  private readonly managed = new Map<string, { name: string; arn: string; doc: unknown; version: string; attachments: number; versions: { id: string; doc: unknown }[] }>();
  private attachList: EscalatingPolicy[] = [];
  private readonly maxPaths: number;
  private readonly maxDepth: number;
  private readonly nodes: Node[] = [];
  private readonly users: Node[] = [];
  private readonly groups: Node[] = [];
  private readonly roles: Node[] = [];
  private readonly byArn = new Map<string, Node>();
  private readonly attachedCustomerPolicies: { arn: string; holders: Node[] }[] = [];
  private readonly candidateCache = new Map<string, Node[]>();
  private readonly patternCache = new Map<string, Target[]>();
  private readonly iamPermissions: Bits;
  private readonly secretBits: Bits;

  constructor(private readonly details: AuthorizationDetails, private readonly now: Date, options: AnalyzeOptions = {}) {
    this.maxPaths = Math.max(1, options.maxPathsPerFamily ?? 10);
    this.maxDepth = Math.max(0, options.maxChainDepth ?? 3);
    this.iamPermissions = this.cat.match('iam:*').slice();
    andInto(this.iamPermissions, this.cat.byLevel.permissions);
    this.secretBits = this.cat.empty();
    for (const a of SECRET_OR_CREDENTIAL_ACTIONS) orInto(this.secretBits, this.cat.match(a));
  }

  run(): Map<string, PrincipalAnalysis> {
    this.indexPolicies();
    this.buildNodes();
    for (const n of this.nodes) {
      const before = n.notes.length;
      this.computeEffective(n);
      if (this.canRetag(n)) {
        // Tags the principal can rewrite (or a session can bring) prove nothing: judge tag conditions as unknown.
        n.tagsMutable = true;
        n.ctx.principal!.tagsMutable = true;
        n.notes.length = before;
        this.computeEffective(n);
        n.notes.push(`${n.type === 'user' ? 'User' : 'Role'} ${n.name} ${n.type === 'user' ? 'may tag itself' : 'may be tagged by itself or through session tags'}, so conditions on aws:PrincipalTag are not taken as fixed.`);
      }
    }
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
    // Final pass: every path of every family each non-administrator has (up to maxPaths targets per family).
    for (const n of this.nodes) if (!n.administrator) for (const r of ESCALATION_RULES) this.tryRule(n, r, this.maxPaths);
    for (const n of this.nodes) if (!n.administrator) n.found.push(...this.chainPaths(n));
    const out = new Map<string, PrincipalAnalysis>();
    for (const n of this.nodes) out.set(n.arn, this.result(n));
    return out;
  }

  /** Each attached policy alone, held by its (first) holder; call after run(). */
  policiesAlone(): Map<string, PrincipalAnalysis> {
    const out = new Map<string, PrincipalAnalysis>();
    for (const p of this.nodes) {
      for (const a of p.policies) {
        if (a.via !== null) continue;
        const key = a.kind === 'managed' && a.parsed.arn ? a.parsed.arn : `${p.arn}#${a.parsed.name}`;
        if (out.has(key)) continue;
        const q = this.newNode({ Arn: p.arn, Path: p.path, Tags: Object.entries(p.ctx.principal?.tags ?? {}).map(([Key, Value]) => ({ Key, Value })) }, p.type, p.name);
        q.subject = `${a.kind === 'managed' ? 'managed' : 'inline'} policy ${a.parsed.name}`;
        q.policies = [a];
        for (const st of a.parsed.statements) (st.effect === 'Allow' ? q.allows : q.denies).push(st);
        q.groups = p.groups; q.members = p.members; q.trust = p.trust; q.instanceProfile = p.instanceProfile; q.modifiable = p.modifiable;
        q.attachedArns = a.parsed.arn ? new Set([a.parsed.arn]) : new Set();
        if (p.tagsMutable && q.ctx.principal) { q.tagsMutable = true; q.ctx.principal.tagsMutable = true; }
        this.computeEffective(q);
        q.adminCapable = q.administrator;
        if (!q.administrator) {
          for (const r of ESCALATION_RULES) this.tryRule(q, r, this.maxPaths);
          q.found.push(...this.chainPaths(q));
        }
        out.set(key, this.result(q));
      }
    }
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
      this.managed.set(p.Arn, { name: String(p.PolicyName ?? p.Arn.split('/').pop()), arn: p.Arn, doc: v.Document, version: String(v.VersionId ?? p.DefaultVersionId ?? ''), attachments: Number(p.AttachmentCount ?? 0), versions: versions.map((x) => ({ id: String(x?.VersionId ?? ''), doc: x?.Document })) });
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
      boundaryName: null, boundaryArn: null, boundaryMissing: null, groups: [], members: [], trust: [], instanceProfile: false,
      modifiable: type !== 'role' || !(path.startsWith('/aws-service-role/') || path.startsWith('/aws-reserved/')),
      effective: EMPTY, administrator: false, adminCapable: false, paths: new Map(), found: [], notes: [],
      quarantined: false, tagsMutable: false, activeDenies: [],
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
      const parsed = this.parser.parse(kind, name, null, p?.PolicyDocument, docKey, `inline:${(via ?? n).arn}#${name}`);
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
    n.boundaryArn = arn;
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
        label: `trust policy of role ${n.name} statement ${sid ? `"${sid}"` : `#${i + 1}`}`, role: n.arn, sid, index: i,
        effect: s.Effect === 'Deny' ? 'Deny' : 'Allow',
        actions: asList(s.Action).map((a) => String(a).toLowerCase()),
        anyPrincipal, aws, services, notPrincipal, condition: s.Condition,
      } satisfies TrustStatement;
    });
  }

  // ---- effective permissions ---------------------------------------------------------------------------------

  /** Can the principal's tags differ from the export's: it may tag itself, or (a role) its trust allows sts:TagSession? */
  private canRetag(n: Node): boolean {
    if (!n.ctx.principal) return false;
    const mentions = (list: Statement[]) => list.some((st) => st.condition !== undefined && /principaltag/i.test(JSON.stringify(st.condition)));
    if (!mentions(n.allows) && !mentions(n.denies) && !(n.boundary && mentions(n.boundary))) return false;
    if (n.type === 'role' && n.trust.some((t) => t.effect === 'Allow' && t.actions.some((a) => matchesAction(a, 'sts:tagsession')))) return true;
    return this.allowed(n, n.type === 'user' ? 'iam:TagUser' : 'iam:TagRole', n.arn).ok;
  }

  private vars(n: Node): (name: string) => string | null {
    return n.vars ??= (name: string) => {
      const k = name.toLowerCase();
      if (k === 'aws:username') return n.type === 'user' ? n.name : null;
      if (k === 'aws:principalaccount') return n.accountId;
      if (k === 'aws:principalarn') return n.type === 'group' ? null : n.arn;
      if (k.startsWith('aws:principaltag/') && n.ctx.principal && !n.tagsMutable) {
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
    n.activeDenies = activeDenies;
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
    const partitions = new Set(this.nodes.map((n) => n.partition));
    if (partitions.size === 0) partitions.add('aws');
    // Every policy an attach could use: any in the export that alone grants administrator or self-escalation (it may be
    // allowed where AWS's is not), and every AWS managed policy that does — a Deny naming AdministratorAccess alone
    // leaves IAMFullAccess attachable.
    const admin: EscalatingPolicy[] = []; const escalating: EscalatingPolicy[] = [];
    for (const [arn, m] of this.managed) {
      if (/^arn:[^:]*:iam::aws:/.test(arn)) continue;
      const hit = judgePolicy(this.cat, this.parser, m.name, arn, m.doc);
      if (hit) (hit.administrator ? admin : escalating).push(hit);
    }
    const aws = [...partitions].flatMap((p) => escalatingAwsManagedPolicies(p));
    this.attachList = [...aws.filter((p) => p.administrator), ...admin, ...aws.filter((p) => !p.administrator), ...escalating];
  }

  /** Does a stored non-default version of this policy escalate (broader), or drop a Deny of the default (narrower)? */
  private versionEscalates(arn: string): boolean {
    const m = this.managed.get(arn);
    if (!m || m.versions.length <= 1) return true;
    const denies = (doc: unknown) => JSON.stringify(asList(decodePolicyDocument(doc, `managed policy ${m.name}`).Statement).filter((x: any) => x?.Effect === 'Deny'));
    const current = denies(m.doc);
    return m.versions.some((v) => v.id !== m.version && (judgePolicy(this.cat, this.parser, m.name, `${arn}#${v.id}`, v.doc) !== null || (current !== '[]' && denies(v.doc) !== current)));
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
        const mine = this.attachedCustomerPolicies.filter((p) => p.holders.some((h) => h.arn === n.arn || n.groups.includes(h)));
        return { list: this.policyTargets(), preferred: mine.map((p) => this.policyTarget(p)), ok: () => true };
      }
      case 'user': return { list: users, preferred: n.type === 'user' ? [this.target(n)] : [], ok: () => true };
      case 'group-with-members': return { list: groups, preferred: (n.type === 'group' ? [n] : n.groups).map((g) => this.target(g)), ok: (t) => t.node!.members.length > 0 };
      case 'modifiable-role': return { list: roles, preferred: n.type === 'role' ? [this.target(n)] : [], ok: (t) => t.node!.modifiable };
      // Prefer administrators as targets: the evidence then names the shortest route.
      case 'other-admin-user': return { list: users, preferred: nodes('admin-users', () => this.users.filter((u) => u.administrator)), ok: (t) => t.arn !== n.arn && t.node!.adminCapable };
      case 'admin-group': return { list: groups, preferred: nodes('admin-groups', () => this.groups.filter((g) => g.administrator)), ok: (t) => t.node!.adminCapable && !n.groups.includes(t.node!) };
      case 'other-admin-role': return { list: roles, preferred: nodes('admin-roles', () => this.roles.filter((r) => r.administrator)), ok: (t) => t.arn !== n.arn && t.node!.modifiable && t.node!.adminCapable };
      case 'self': return { list: [], preferred: [this.target(n), ...n.groups.map((g) => this.target(g))], ok: () => true };
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
    if (kind === 'self') return this.target(node);
    const type = kind === 'user' || kind === 'other-admin-user' ? 'user' : kind === 'group-with-members' || kind === 'admin-group' ? 'group' : 'role';
    return node.type === type ? this.target(node) : undefined;
  }

  private readonly targetCache = new Map<unknown, Target>();
  private readonly populationCache = new Map<string, Target[]>();
  private target(t: Node): Target {
    let x = this.targetCache.get(t);
    if (!x) { x = { arn: t.arn, account: t.accountId, node: t, describe: (n) => `${t.type} ${t.name}${t.arn === n.arn ? ' (itself)' : ''}` }; this.targetCache.set(t, x); }
    return x;
  }
  private policyTarget(p: { arn: string; holders: Node[] }): Target {
    let x = this.targetCache.get(p);
    if (!x) {
      x = { arn: p.arn, account: arnParts(p.arn).account, describe: (n) => `policy ${p.arn.split('/').pop()} (attached to ${p.holders.slice(0, 3).map((h) => h.arn === n.arn ? 'itself' : `${h.type} ${h.name}`).join(', ')}${p.holders.length > 3 ? ', …' : ''})` };
      this.targetCache.set(p, x);
    }
    return x;
  }
  private policyTargetList: Target[] | null = null;
  private policyTargets(): Target[] {
    this.policyTargetList ??= this.attachedCustomerPolicies.map((p) => this.policyTarget(p));
    return this.policyTargetList;
  }

  /** Per target: does its boundary allow everything (and so cap nothing)? */
  private readonly boundaryOpen = new Map<Node, boolean>();

  /** Would an administrator policy on this user or role be capped by a boundary the principal cannot remove? */
  private cappedByBoundary(n: Node, t: Node | undefined): boolean {
    if (!t || t.type === 'group' || !t.boundary) return false;
    let open = this.boundaryOpen.get(t);
    if (open === undefined) {
      const full = this.cat.empty();
      for (const s of t.boundary) if (coversAllResources(s) && this.verdict(t, s).verdict !== 'never') orInto(full, s.actions);
      open = isSubset(this.cat.full, full);
      this.boundaryOpen.set(t, open);
    }
    if (open) return false;
    const noun = t.type === 'user' ? 'User' : 'Role';
    return !(this.allowed(n, `iam:Delete${noun}PermissionsBoundary`, t.arn).ok || this.allowed(n, `iam:Put${noun}PermissionsBoundary`, t.arn).ok);
  }

  private rolesTrusting(svc: ServiceRole, mayCreateProfile = false): Node[] {
    const key = `svc\u0000${svc.service}\u0000${svc.instanceProfile ? 1 : 0}\u0000${mayCreateProfile ? 1 : 0}`;
    let list = this.candidateCache.get(key) as Node[] | undefined;
    if (!list) {
      // With instanceProfile, a role outside any profile still qualifies: a path that passes it may create one.
      list = this.roles.filter((r) => (!svc.instanceProfile || r.instanceProfile || mayCreateProfile) && this.serviceMayAssume(r, svc.service));
      this.candidateCache.set(key, list);
    }
    return list;
  }

  /** Does the role's trust let the service assume it for a resource of the role's own account (conditions included)? */
  private serviceMayAssume(r: Node, service: string): boolean {
    let allowed = false;
    for (const t of r.trust) {
      if (!t.actions.some((a) => matchesAction(a, 'sts:assumerole'))) continue;
      const names = t.anyPrincipal || (!t.notPrincipal && t.services.includes(service));
      if (!names) continue;
      const v = t.condition === undefined ? 'always' : serviceTrustCondition(t.condition, r.accountId, this.now).verdict;
      if (t.effect === 'Deny') { if (v === 'always') return false; continue; }
      if (v !== 'never' && !t.notPrincipal && t.services.includes(service)) allowed = true;
    }
    return allowed;
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
    if (r.arn === n.arn) return NO;
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
    const trustStatements = used.map((t) => ({ role: t.role, sid: t.sid, index: t.index }));
    if (direct) {
      const g = this.allowed(n, 'sts:AssumeRole', r.arn);
      if (g.deniedBy) return NO;
      return { ok: true, statements: g.ok ? g.statements : [], unresolved: g.ok ? g.unresolved : [], trust, trustStatements };
    }
    if (viaAccount) return { ...this.allowed(n, 'sts:AssumeRole', r.arn), trust, trustStatements };
    return NO;
  }

  // ---- rules -------------------------------------------------------------------------------------------------

  /** Record the rule's paths on `n` (at most `limit`); returns whether it holds. */
  private tryRule(n: Node, rule: EscalationRule, limit = 1): boolean {
    if (limit <= 1 && n.paths.has(rule.path)) return true;
    const found = this.findPaths(n, rule, limit);
    if (found.length === 0) return false;
    if (!n.paths.has(rule.path)) n.paths.set(rule.path, found[0]!.legacy);
    if (limit > 1) {
      n.found = n.found.filter((p) => p.family !== rule.path);
      n.found.push(...found.map((f) => f.path));
    } else if (!n.found.some((p) => p.family === rule.path)) n.found.push(found[0]!.path);
    return true;
  }

  private findPaths(n: Node, rule: EscalationRule, limit: number): Found[] {
    if (rule.principals && !rule.principals.includes(n.type)) return [];
    // Cheap exit: every step needs one of its actions in the effective set (most rules fail here for most principals).
    for (const step of rule.steps) if (!step.anyOf.some((a) => hasBit(n.effective, this.cat.indexOf(a)))) return [];
    if (rule.passRole && !hasBit(n.effective, this.cat.indexOf('iam:PassRole'))) return [];
    if (rule.removes === 'boundary' && !(n.boundary && this.isAdministrator(n, n.allows, n.activeDenies))) return [];
    if (rule.removes === 'deny') return this.denyRemoval(n, rule, limit);
    const hits: StepHit[] = [];
    let targeted: Step | null = null;
    for (const [k, step] of rule.steps.entries()) {
      if (step.on !== 'any') { targeted = step; continue; }
      const h = this.anyStep(n, step, hits);
      if (!h) return [];
      hits[k] = h;
    }
    const base = () => hits.filter((h) => h !== undefined);
    const out: Found[] = [];
    if (targeted) {
      const seen = new Set<string>();
      for (const action of targeted.anyOf) {
        if (!hasBit(n.effective, this.cat.indexOf(action))) continue;
        for (const t of this.candidates(n, action, targeted.on)) {
          if (seen.has(t.arn)) continue;
          if (targeted.on === 'self' && t.node && !action.includes(capitalise(t.node.type))) continue;
          if (this.cappedByBoundary(n, t.node)) continue;
          if (action === 'iam:SetDefaultPolicyVersion' && !this.versionEscalates(t.arn)) continue;
          const a = this.allowTarget(n, action, t.arn, targeted.attachesPolicy === true);
          if (!a) continue;
          seen.add(t.arn);
          const node = t.node;
          const cls: PathClass = a.policy ? (a.policy.administrator ? 'administrator' : 'escalation')
            : node && /^other-admin|^admin-group/.test(targeted.on) ? (node.administrator ? 'administrator' : 'escalation') : 'administrator';
          const what = a.policy ? `attaching ${a.policy.name} to ${t.describe(n)}` : t.describe(n);
          const target: PrivilegePath['target'] = node ? { kind: node.type, ref: node.arn } : { kind: 'policy', ref: t.arn };
          const assumptions = this.targetAssumptions(n, rule, t);
          out.push(this.makePath(n, rule, [...base(), { action, resource: t.arn, grant: a.grant }], target, cls, [what], assumptions));
          if (out.length >= limit) return out;
        }
      }
      return out;
    }
    if (rule.assumeRole) {
      for (const r of this.assumable(n)) {
        if (!r.adminCapable || r.arn === n.arn) continue;
        const g = this.canAssume(n, r);
        if (!g.ok) continue;
        out.push(this.makePath(n, rule, [{ action: 'sts:AssumeRole', resource: r.arn, grant: g }], { kind: 'role', ref: r.arn },
          r.administrator ? 'administrator' : 'escalation', [`role ${r.name} (${this.kind(r)})`], []));
        if (out.length >= limit) return out;
      }
      return out;
    }
    const svc = rule.passRole ?? rule.serviceRole;
    if (svc) {
      for (const r of this.rolesTrusting(svc, !!rule.passRole)) {
        if (!r.adminCapable || r.arn === n.arn || r.accountId !== n.accountId) continue;
        const steps = base();
        const assumptions = [...(rule.assumptions ?? [])];
        let profile = '';
        if (rule.passRole) {
          const g = this.allowed(n, 'iam:PassRole', r.arn, { 'iam:passedtoservice': svc.service, 'aws:resourcetag/*': ABSENT });
          if (!g.ok) continue;
          steps.push({ action: 'iam:PassRole', resource: r.arn, grant: g });
          if (svc.instanceProfile && !r.instanceProfile) {
            // No profile holds the role yet: the principal must make one.
            const create = this.anyStep(n, { anyOf: ['iam:CreateInstanceProfile'], on: 'any' }, []);
            const add = create && this.anyStep(n, { anyOf: ['iam:AddRoleToInstanceProfile'], on: 'any', same: 0 }, [create]);
            if (!create || !add) continue;
            steps.push(create, add);
            profile = ', in an instance profile it creates';
          }
        } else {
          assumptions.push(`an existing ${serviceNoun(svc.service)} runs with role ${r.name}`);
        }
        out.push(this.makePath(n, rule, steps, { kind: 'role', ref: r.arn }, r.administrator ? 'administrator' : 'escalation',
          [`${rule.passRole ? 'passing' : 'whose resources may run as'} role ${r.name} (${this.kind(r)}, trusted by ${svc.service}${svc.instanceProfile ? (profile || ', in an instance profile') : ''})`], assumptions));
        if (out.length >= limit) return out;
      }
      return out;
    }
    if (rule.creates) {
      const h = hits[rule.creates.step]!;
      const attached = hits.find((x) => x?.policy)?.policy;
      const cls: PathClass = attached && !attached.administrator ? 'escalation' : 'administrator';
      const assumptions = rule.creates.kind === 'role' ? [`the new role's trust policy names ${n.type === 'group' ? 'a member of this group' : 'this principal'} (the creator writes it)`] : [];
      out.push(this.makePath(n, rule, base(), { kind: rule.creates.kind, ref: h.resource }, cls,
        [`a new ${rule.creates.kind} ${h.resource}${attached ? ` with ${attached.name}` : ''}`], assumptions));
    }
    return out;
  }

  /** Own policies (not a group's) whose unconditional Denies alone keep `n` from administrator, and the right to remove them. */
  private denyRemoval(n: Node, rule: EscalationRule, limit: number): Found[] {
    const out: Found[] = [];
    if (n.activeDenies.length === 0) return out;
    const noun = capitalise(n.type);
    for (const a of n.policies) {
      if (a.via !== null) continue;
      const mine = a.parsed.statements.filter((s) => s.effect === 'Deny' && n.activeDenies.includes(s));
      if (mine.length === 0) continue;
      const rest = n.activeDenies.filter((d) => !mine.includes(d));
      if (!this.isAdministrator(n, n.allows, rest) || (n.boundary && !this.isAdministrator(n, n.boundary, rest))) continue;
      const action = a.kind === 'managed' ? `iam:Detach${noun}Policy` : `iam:Delete${noun}Policy`;
      const g = this.allowed(n, action, n.arn, a.parsed.arn ? { 'iam:policyarn': a.parsed.arn } : undefined);
      if (!g.ok) continue;
      const ref = mine[0]!.policyRef;
      out.push(this.makePath(n, rule, [{ action, resource: n.arn, grant: g }], { kind: 'policy', ref }, 'administrator',
        [`${a.kind === 'managed' ? 'detaching' : 'deleting'} ${a.parsed.name} (${mine.map((d) => d.label).join(', ')})`], []));
      if (out.length >= limit) break;
    }
    return out;
  }

  private targetAssumptions(n: Node, rule: EscalationRule, t: Target): string[] {
    const out = [...(rule.assumptions ?? [])];
    if (rule.path === 'iam:CreateLoginProfile') out.push(`user ${t.node?.name ?? t.arn} has no console password yet`);
    if (rule.path === 'iam:UpdateLoginProfile') out.push(`user ${t.node?.name ?? t.arn} has a console password`);
    if (rule.path === 'iam:CreateAccessKey') out.push(`user ${t.node?.name ?? t.arn} has fewer than two access keys`);
    if (rule.path === 'iam:SetDefaultPolicyVersion') {
      const m = this.managed.get(t.arn);
      if (m && m.versions.length <= 1) out.push(`policy ${m.name} has a stored version broader than its default (the export lists only the default)`);
    }
    void n;
    return out;
  }

  private makePath(n: Node, rule: EscalationRule, hits: StepHit[], target: PrivilegePath['target'], cls: PathClass, extra: string[], assumptions: string[]): Found {
    const steps: PathStep[] = [];
    const actions: string[] = []; const labels: string[] = []; const conditional: string[] = [];
    for (const h of hits) {
      if (!actions.includes(h.action)) actions.push(h.action);
      const identity = h.grant.statements.slice(0, 1);
      for (const s of h.grant.statements) if (!labels.includes(s.label)) labels.push(s.label);
      conditional.push(...h.grant.unresolved);
      for (const s of identity) steps.push({ action: h.action, resource: h.resource, policy: s.policyRef, statement: s.sid ?? `#${s.index}` });
      for (const t of h.grant.trustStatements ?? []) steps.push({ action: h.action, resource: h.resource, policy: `trust:${t.role}`, statement: t.sid ?? `#${t.index}` });
    }
    for (const h of hits) for (const t of h.grant.trust ?? []) if (!labels.includes(t)) labels.push(t);
    const cond = [...new Set(conditional)];
    if (cond.length) assumptions = [...assumptions, `the request satisfies the conditions on ${cond.join(', ')}`];
    const sentence = `Can escalate to administrator via ${rule.path}: ${rule.summary}` +
      (extra.length ? ` — ${extra.join('; ')}` : '') +
      (labels.length ? `; granted by ${labels.join(', ')}` : '') +
      (cond.length ? `; only when ${cond.join(', ')} hold(s)` : '') + '.';
    const summary = `${capitalise(rule.summary)}${extra.length ? `: ${extra.join('; ')}` : ''}.`;
    return {
      path: { family: rule.path, summary, class: cls, steps, target, assumptions: [...new Set(assumptions)], via: [] },
      legacy: { path: rule.path, actions, statements: labels, sentence },
    };
  }

  private kind(n: Node): string {
    return n.administrator ? 'administrator' : 'can escalate';
  }

  /** Policies an attach step may attach, most powerful first: the export's administrator policies, then escalating ones. */
  private attachable(): EscalatingPolicy[] {
    return this.attachList;
  }

  private allowTarget(n: Node, action: string, arn: string, attachesPolicy: boolean): { grant: Grant; policy?: EscalatingPolicy } | null {
    // iam:PermissionsBoundary on an action against an existing user or role is that principal's boundary (or none).
    const t = this.byArn.get(arn);
    const base: Record<string, string> = t && t.type !== 'group' && /^iam:/.test(action) ? { 'iam:permissionsboundary': t.boundaryArn ?? ABSENT } : {};
    if (!attachesPolicy) { const g = this.allowed(n, action, arn, base); return g.ok ? { grant: g } : null; }
    for (const policy of this.attachable()) {
      if (policy.arn.split(':')[1] !== n.partition) continue;
      const g = this.allowed(n, action, arn, { ...base, 'iam:policyarn': policy.arn });
      if (g.ok) return { grant: g, policy };
    }
    return null;
  }

  /**
   * The ARN pattern an `any` step acts on: the catalogue's resource type for the action, in the principal's account —
   * the one that can be the linked step's resource when there is one, the only one otherwise (`*` when ambiguous).
   */
  private stepTemplate(n: Node, step: Step, action: string, linked?: string): string | null {
    const fill = (t: string) => t.replace(/\$\{Partition\}/g, n.partition).replace(/\$\{Account\}/g, n.accountId).replace(/\$\{[^}]+\}/g, '*');
    const all = (step.resource ? [step.resource] : resourceTemplates(action)).map(fill);
    if (linked !== undefined) {
      if (all.length === 0) return linked;
      for (const t of all) { const m = globMeet(linked, t); if (m !== null) return m; }
      return null;
    }
    // An action without resource types is authorised against the literal resource "*" only.
    if (all.length === 0) return NO_RESOURCE;
    return all.length === 1 ? all[0]! : '*';
  }

  /**
   * Satisfy an `any` step: some allowed resource pattern of the step's resource type (the same resource as an earlier
   * step when `same` is set) that no unconditional Deny covers and the boundary allows.
   */
  private anyStep(n: Node, step: Step, prior: StepHit[]): StepHit | null {
    for (const action of step.anyOf) {
      const i = this.cat.indexOf(action);
      if (!hasBit(n.effective, i)) continue;
      const linked = step.same !== undefined ? prior[step.same] : undefined;
      const want = this.stepTemplate(n, step, action, linked?.resource);
      if (want === null) continue;
      const policies: (EscalatingPolicy | undefined)[] = step.attachesPolicy && /^iam:Attach/.test(action) ? this.attachable() : [undefined];
      // A new user or role created under a boundary the policy requires (delegated administration) is capped by it:
      // only no boundary, or an administrator policy as the boundary, leaves the path open.
      const boundaries: (string | undefined)[] = /^iam:Create(User|Role)$/.test(action)
        ? [ABSENT, ...this.attachable().filter((p) => p.administrator).map((p) => p.arn)] : [undefined];
      for (const policy of policies) {
        for (const boundary of boundaries) {
          const known: Record<string, string> = {};
          if (policy) known['iam:policyarn'] = policy.arn;
          if (boundary) known['iam:permissionsboundary'] = boundary;
          const hit = this.allowOnPattern(n, i, want, Object.keys(known).length ? known : undefined);
          if (hit) return { action, resource: hit.resource, grant: hit.grant, policy };
        }
      }
    }
    return null;
  }

  private allowOnPattern(n: Node, i: number, wanted: string, known?: Record<string, string>): { resource: string; grant: Grant } | null {
    const vars = this.vars(n);
    const literal = wanted === NO_RESOURCE;
    const want = literal ? '*' : wanted;
    const patterns = (s: Statement): string[] => {
      if (literal) return resourceMatches(s, '*', vars) ? ['*'] : [];
      if (s.notResource) return resourceMatches(s, want, vars) ? [want] : [];
      return s.resources.map((r) => substitute(r, vars, false)).filter((r): r is string => r !== null);
    };
    const denied = (w: string): boolean => n.denies.some((d) => hasBit(d.actions, i) && !d.notResource && this.verdict(n, d, known).verdict === 'always' &&
      d.resources.some((r) => { const p = substitute(r, vars, true); return p !== null && globCovers(p, w); }));
    let maybe: { resource: string; grant: Grant } | null = null;
    for (const s of n.allows) {
      if (!hasBit(s.actions, i)) continue;
      const v = this.verdict(n, s, known);
      if (v.verdict === 'never') continue;
      for (const p of patterns(s)) {
        const w = globMeet(p, want);
        if (w === null || denied(w)) continue;
        let statements = [s];
        if (n.boundary) {
          const b = n.boundary.find((bs) => hasBit(bs.actions, i) && this.verdict(n, bs, known).verdict !== 'never' && patterns(bs).some((bp) => globMeet(bp, w) !== null));
          if (!b) continue;
          statements = [s, b];
        }
        const hit = { resource: w, grant: { ok: true, statements, unresolved: v.unresolved } };
        if (v.verdict === 'always') return hit;
        maybe ??= hit;
      }
    }
    return maybe;
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
      evidence, quarantined: n.quarantined, privilege: this.privilege(n, classification),
    };
  }

  private privilege(n: Node, classification: Classification): PrincipalPrivilege {
    const paths: PrivilegePath[] = [];
    if (n.administrator) {
      const granting = n.allows.filter((s) => coversAllResources(s) && this.verdict(n, s).verdict !== 'never' && !s.notAction && s.actionPatterns.some((a) => /^\*$|^iam:\*$/i.test(a)));
      paths.push({
        family: 'administrator', summary: `Holds every action on every resource${n.boundary ? ' (its permissions boundary allows everything too)' : ''}.`, class: 'administrator',
        steps: (granting.length ? granting : n.allows.filter(coversAllResources)).map((s) => ({ action: s.actionPatterns.join(', '), resource: '*', policy: s.policyRef, statement: s.sid ?? `#${s.index}` })),
        target: { kind: 'account', ref: n.accountId }, assumptions: [], via: [],
      });
    }
    // Most direct first: the principal's own paths (catalogue order, administrator results first), then chains by depth.
    const rank = (p: PrivilegePath) => p.via.length * 10 + (p.class === 'administrator' ? 0 : 1) + p.assumptions.length * 0.01;
    const own = [...n.found].map((p, i) => ({ p, i })).sort((a, b) => rank(a.p) - rank(b.p) || a.i - b.i).map((x) => x.p);
    paths.push(...own);
    const limits: string[] = [];
    if (n.boundary) limits.push(`Permissions boundary ${n.boundaryName} caps the effective permissions.`);
    else if (n.boundaryMissing) limits.push(`Permissions boundary ${n.boundaryMissing} is not in the export and is treated as allowing everything.`);
    for (const note of n.notes) if (note.startsWith('Explicit deny:')) limits.push(note);
    return { arn: n.arn, type: n.type, name: n.name, class: classification === 'none' ? 'none' : classification, paths, limits };
  }

  /**
   * Paths through role chains: the roles `n` can assume (breadth first, up to maxDepth roles deep), each role's own
   * paths with `via` naming the roles assumed in order, and an administrator role reached by a longer chain.
   */
  private chainPaths(n: Node): PrivilegePath[] {
    if (this.maxDepth === 0 || n.type === 'group' && n.members.length === 0) return [];
    const out: PrivilegePath[] = [];
    const seen = new Set<Node>([n]);
    // Bounded work per principal: a role trusted by the whole account would otherwise make every caller visit every role.
    let budget = CHAIN_ROLE_BUDGET;
    let frontier: { node: Node; via: Node[]; steps: PathStep[] }[] = [{ node: n, via: [], steps: [] }];
    for (let depth = 1; depth <= this.maxDepth && frontier.length > 0; depth++) {
      const next: typeof frontier = [];
      for (const f of frontier) {
        for (const r of this.assumable(f.node)) {
          if (seen.has(r) || r.arn === n.arn || !r.adminCapable) continue;
          if (budget-- <= 0 || out.length >= CHAIN_PATH_LIMIT) return out;
          const g = this.canAssume(f.node, r);
          if (!g.ok) continue;
          seen.add(r);
          const assume: PathStep[] = [
            ...g.statements.slice(0, 1).map((s) => ({ action: 'sts:AssumeRole', resource: r.arn, policy: s.policyRef, statement: s.sid ?? `#${s.index}` })),
            ...(g.trustStatements ?? []).map((t) => ({ action: 'sts:AssumeRole', resource: r.arn, policy: `trust:${t.role}`, statement: t.sid ?? `#${t.index}` })),
          ];
          const via = [...f.via, r];
          const steps = [...f.steps, ...assume];
          if (depth > 1 && r.administrator) {
            out.push({ family: 'sts:AssumeRole', summary: `Can assume administrator role ${r.name} through ${f.via.map((v) => v.name).join(' → ')}.`, class: 'administrator', steps, target: { kind: 'role', ref: r.arn }, assumptions: [], via: f.via.map((v) => v.arn) });
          }
          if (!r.administrator) {
            for (const p of r.found) {
              if (p.family === 'sts:AssumeRole' || p.via.length > 0) continue;
              out.push({ ...p, summary: `After assuming ${via.map((v) => `role ${v.name}`).join(' → ')}: ${p.summary}`, steps: [...steps, ...p.steps], via: via.map((v) => v.arn) });
            }
          }
          next.push({ node: r, via, steps });
        }
      }
      frontier = next;
    }
    return out;
  }
}

/** What an `any` step acts on when its action takes no resource: IAM authorises it against the literal "*". */
const NO_RESOURCE = '\u0000*';

/** Roles a chain search may try per principal, and chain paths it may report. */
const CHAIN_ROLE_BUDGET = 50;
const CHAIN_PATH_LIMIT = 50;

function capitalise(s: string): string { return s.length ? s[0]!.toUpperCase() + s.slice(1) : s; }

const SERVICE_NOUNS: Record<string, string> = {
  'lambda.amazonaws.com': 'Lambda function', 'ec2.amazonaws.com': 'EC2 instance', 'glue.amazonaws.com': 'Glue development endpoint',
  'cloudformation.amazonaws.com': 'CloudFormation stack', 'sagemaker.amazonaws.com': 'SageMaker notebook instance',
  'codebuild.amazonaws.com': 'CodeBuild project', 'codestar.amazonaws.com': 'CodeStar project',
  'ecs-tasks.amazonaws.com': 'ECS task',
};
function serviceNoun(service: string): string { return SERVICE_NOUNS[service] ?? `${service} resource`; }

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
  if (n.subject) return `${capitalise(n.subject)}, alone as held by ${n.type} ${n.name}, is classified ${what[c]}: ${actions} actions effectively allowed.`;
  return `${n.type[0]!.toUpperCase()}${n.type.slice(1)} ${n.name} is classified ${what[c]}: ${actions} actions effectively allowed ${from}.`;
}
