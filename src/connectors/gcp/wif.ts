// Workload identity federation: who a `principal://…/workloadIdentityPools/…` or `principalSet://…` member admits,
// judged from the pool's providers (issuer, attribute mapping, attribute condition, state). Pure functions, tested
// without a simulator. The attribute condition is CEL; only clear forms are read (==, startsWith, in, joined by && and
// ||): anything else is not taken as narrowing, and the judgement says so in its assumptions.
import type { MintFacts } from '../../model/index.js';

export interface WifProvider {
  name: string;
  disabled?: boolean | null;
  state?: string | null;
  attributeMapping?: Record<string, string> | null;
  attributeCondition?: string | null;
  oidc?: { issuerUri?: string | null; allowedAudiences?: string[] | null } | null;
  aws?: { accountId?: string | null } | null;
  saml?: { idpMetadataXml?: string | null } | null;
}

export interface WifPool { name: string; disabled?: boolean | null; state?: string | null; providers: WifProvider[] }

export interface WifMember {
  /** `principal` (one subject) or `principalSet`. */
  kind: 'principal' | 'principalSet';
  project: string;
  pool: string;
  /** projects/N/locations/L/workloadIdentityPools/P, as the API names the pool. */
  poolName: string;
  /** What the member selects inside the pool. */
  select: { by: 'all' } | { by: 'subject'; value: string } | { by: 'group'; value: string } | { by: 'attribute'; attribute: string; value: string };
}

/** A workload identity pool member, or null for any other member (workforce pools, service accounts, …). */
export function parseWifMember(member: string): WifMember | null {
  const m = /^(principal|principalSet):\/\/iam\.googleapis\.com\/projects\/([^/]+)\/locations\/([^/]+)\/workloadIdentityPools\/([^/]+)\/(.+)$/.exec(member);
  if (!m) return null;
  const [, kind, project, location, pool, rest] = m as unknown as [string, 'principal' | 'principalSet', string, string, string, string];
  const poolName = `projects/${project}/locations/${location}/workloadIdentityPools/${pool}`;
  let sel: WifMember['select'] | null = null;
  let s: RegExpExecArray | null;
  if (kind === 'principal' && (s = /^subject\/(.+)$/.exec(rest))) sel = { by: 'subject', value: s[1]! };
  else if (kind === 'principalSet' && rest === '*') sel = { by: 'all' };
  else if (kind === 'principalSet' && (s = /^group\/(.+)$/.exec(rest))) sel = { by: 'group', value: s[1]! };
  else if (kind === 'principalSet' && (s = /^attribute\.([a-z0-9_]+)\/(.+)$/.exec(rest))) sel = { by: 'attribute', attribute: s[1]!, value: s[2]! };
  return sel ? { kind, project, pool, poolName, select: sel } : null;
}

/**
 * Public issuers shared by every customer of the service: without a pin on the owner (an organisation, a group), any of
 * their customers' workflows holds a token the provider accepts. `owner` claims pin one customer; `repo` claims (and
 * the subject, whose format names owner and repository) pin one repository.
 */
interface SharedIssuer { label: string; owner: string[]; repo: string[]; sub: RegExp }
const SHARED_ISSUERS: Record<string, SharedIssuer> = {
  'https://token.actions.githubusercontent.com': { label: 'GitHub Actions', owner: ['repository_owner', 'repository_owner_id', 'enterprise', 'enterprise_id'], repo: ['repository', 'repository_id', 'workflow_ref'], sub: /^repo:([^/:]+)\/([^/:]+)?/ },
  'https://gitlab.com': { label: 'GitLab.com', owner: ['namespace_path', 'namespace_id'], repo: ['project_path', 'project_id'], sub: /^project_path:([^:]+)\/([^/:]+)?/ },
};
const shared = (issuer: string | null) => (issuer ? SHARED_ISSUERS[issuer.replace(/\/+$/, '')] ?? null : null);

/** How far a test narrows who is admitted: nothing, one owner (organisation, group, account), one repository/subject. */
type Pin = 0 | 1 | 2;
const NONE: Pin = 0, OWNER: Pin = 1, ONE: Pin = 2;

interface Test { claim: string | null; op: '==' | 'in' | 'startsWith'; values: string[]; text: string }

export interface ProviderJudgement {
  provider: string;
  issuer: string | null;
  audience: string | null;
  breadth: MintFacts['breadth'];
  missing: string[];
  subject: string | null;
  /** The member selects something no token of this provider carries (an unmapped attribute): it admits nobody here. */
  admitsNobody: boolean;
  assumptions: string[];
}

export interface WifJudgement {
  /** The broadest active provider decides the edge; null when the pool admits nobody now (see `nobody`). */
  edge: ProviderJudgement | null;
  /** Why the member admits nobody: the pool or every provider is deleted or disabled, or no provider maps it. */
  nobody: string | null;
  providers: (ProviderJudgement & { active: boolean })[];
  assumptions: string[];
}

const active = (x: { disabled?: boolean | null; state?: string | null }) => !x.disabled && (x.state ?? 'ACTIVE') !== 'DELETED';
const RANK: Record<MintFacts['breadth'], number> = { pinned: 0, wildcard_subject: 1, any_account: 2, issuer_wide: 3, anyone: 4 };

/** The pool a member names (null: the listing did not contain it, even with deleted pools shown). */
export function judgeWifMember(member: WifMember, pool: WifPool | null): WifJudgement {
  if (!pool) return { edge: null, nobody: `pool ${member.poolName} does not exist (not listed, even among deleted pools)`, providers: [], assumptions: [] };
  const providers = pool.providers.map((p) => ({ ...judgeProvider(member, p), active: active(p) }));
  if (!active(pool)) {
    return { edge: null, nobody: `pool ${pool.name} is ${pool.disabled ? 'disabled' : 'deleted'}: it exchanges no token and existing tokens grant no access`, providers, assumptions: [] };
  }
  const live = providers.filter((p) => p.active);
  if (!live.length) return { edge: null, nobody: `pool ${pool.name} has no active provider (${providers.length ? 'every provider is disabled or deleted' : 'none configured'})`, providers, assumptions: [] };
  const admitting = live.filter((p) => !p.admitsNobody);
  if (!admitting.length) return { edge: null, nobody: live[0]!.assumptions[0] ?? `no active provider of ${pool.name} admits ${memberText(member)}`, providers, assumptions: [] };
  const edge = admitting.reduce((a, b) => (RANK[b.breadth] > RANK[a.breadth] ? b : a));
  return { edge, nobody: null, providers, assumptions: [...new Set(admitting.flatMap((p) => p.assumptions))] };
}

const memberText = (m: WifMember) => m.select.by === 'all' ? '*' : m.select.by === 'attribute' ? `attribute.${m.select.attribute}/${m.select.value}` : `${m.select.by}/${m.select.value}`;

function issuerOf(p: WifProvider): string | null {
  if (p.oidc?.issuerUri) return p.oidc.issuerUri;
  if (p.aws?.accountId) return `arn:aws:iam::${p.aws.accountId}:root`;
  if (p.saml) return /entityID\s*=\s*"([^"]+)"/.exec(p.saml.idpMetadataXml ?? '')?.[1] ?? 'saml';
  return null;
}

/** The default mapping of AWS providers, which applies when none is defined. */
const AWS_DEFAULT: Record<string, string> = { 'google.subject': 'assertion.arn', 'attribute.aws_role': '(aws role of assertion.arn)' };

export function judgeProvider(member: WifMember, p: WifProvider): ProviderJudgement {
  const issuer = issuerOf(p);
  const mapping = p.aws && !Object.keys(p.attributeMapping ?? {}).length ? AWS_DEFAULT : p.attributeMapping ?? {};
  const pub = p.oidc ? shared(p.oidc.issuerUri ?? null) : null;
  const assumptions: string[] = [];
  const base = { provider: p.name, issuer, audience: p.oidc?.allowedAudiences?.length ? p.oidc.allowedAudiences.join(',') : null };
  /** The assertion claim an attribute is mapped from, when the mapping is a plain claim reference. */
  const claimOf = (attr: string): string | null | undefined => {
    const expr = mapping[attr];
    if (expr === undefined) return undefined;
    const m = /^\s*assertion(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*['"]([^'"]+)['"]\s*\])\s*$/.exec(expr);
    return m ? (m[1] ?? m[2])! : null;
  };

  // What the member itself selects.
  const tests: Test[] = [];
  const sel = member.select;
  if (sel.by !== 'all') {
    const attr = sel.by === 'subject' ? 'google.subject' : sel.by === 'group' ? 'google.groups' : `attribute.${sel.attribute}`;
    const claim = claimOf(attr);
    if (claim === undefined && !(p.aws && attr === 'attribute.aws_role')) {
      return { ...base, breadth: 'pinned', missing: [], subject: memberText(member), admitsNobody: true,
        assumptions: [`provider ${p.name} maps no ${attr}: no token it accepts matches ${memberText(member)}`] };
    }
    if (claim === null || claim === undefined) {
      // A computed mapping: the value is one value of an expression we do not read.
      if (pub) assumptions.push(`${attr} is mapped from \`${mapping[attr] ?? 'the AWS default'}\`, not read as a repository or owner pin`);
      tests.push({ claim: null, op: '==', values: [sel.value], text: `${attr} == ${sel.value}` });
    } else {
      tests.push({ claim, op: sel.by === 'group' ? 'in' : '==', values: [sel.value], text: `${attr} (assertion.${claim}) == ${sel.value}` });
    }
  }

  // The provider's attribute condition: OR of ANDs at the top level; an unread conjunct does not narrow.
  const cond = (p.attributeCondition ?? '').trim();
  const disjuncts = cond ? splitTop(stripParens(cond), '||').map((d) => splitTop(stripParens(d), '&&').map((c) => readTest(stripParens(c), claimOf))) : [];
  if (disjuncts.some((d) => d.includes(null))) assumptions.push(`part of the attribute condition is not read as narrowing: \`${cond}\``);

  const memberPin = tests.map((t) => pinOf(t, pub, p)).reduce<Pin>((a, b) => Math.max(a, b) as Pin, NONE);
  const condPins = disjuncts.map((d) => d.filter((t): t is Test => t !== null).map((t) => pinOf(t, pub, p)).reduce<Pin>((a, b) => Math.max(a, b) as Pin, NONE));
  // A disjunction is as broad as its broadest branch.
  const condPin = condPins.length ? condPins.reduce<Pin>((a, b) => Math.min(a, b) as Pin, ONE) : NONE;
  const pin = Math.max(memberPin, condPin) as Pin;
  const pinTests = [...tests, ...disjuncts.flat().filter((t): t is Test => t !== null)].filter((t) => pinOf(t, pub, p) === pin && pin > NONE);
  const subject = pinTests.length ? pinTests.map((t) => t.text).join(' && ') : `${member.poolName}/${memberText(member)}`;
  const noCond = !cond;

  if (pub) {
    const repoClaim = pub.repo[0]!, ownerClaim = pub.owner[0]!;
    if (pin === ONE) return { ...base, breadth: 'pinned', missing: [], subject, admitsNobody: false, assumptions };
    if (pin === OWNER) return { ...base, breadth: 'wildcard_subject', missing: [repoClaim], subject, admitsNobody: false, assumptions };
    return { ...base, breadth: 'issuer_wide', missing: noCond ? ['attribute_condition'] : [ownerClaim, repoClaim], subject: null, admitsNobody: false, assumptions };
  }
  if (p.aws) {
    if (pin >= OWNER) return { ...base, breadth: 'pinned', missing: [], subject, admitsNobody: false, assumptions };
    return { ...base, breadth: 'any_account', missing: ['attribute_condition'], subject: issuer, admitsNobody: false, assumptions };
  }
  if (pin === ONE) return { ...base, breadth: 'pinned', missing: [], subject, admitsNobody: false, assumptions };
  if (pin === OWNER) return { ...base, breadth: 'wildcard_subject', missing: [], subject, admitsNobody: false, assumptions };
  // An issuer we do not know as shared is taken as the organisation's own (a cluster, a tenant, a self-hosted CI).
  if (p.oidc) assumptions.push(`issuer ${issuer} is taken as the organisation's own; if others can obtain its tokens, anyone holding one is admitted`);
  return { ...base, breadth: 'wildcard_subject', missing: noCond && !p.saml ? ['attribute_condition'] : [], subject, admitsNobody: false, assumptions };
}

function pinOf(t: Test, pub: SharedIssuer | null, p: WifProvider): Pin {
  if (!pub) {
    // Own issuers, AWS accounts, SAML: an exact value pins one subject; a prefix admits a family of them.
    if (t.op === 'startsWith') return OWNER;
    return ONE;
  }
  const c = t.claim;
  if (!c) return NONE;
  if (c === 'sub') {
    return t.values.map((v): Pin => {
      const m = pub.sub.exec(v);
      if (!m) return NONE;
      // A subject names owner and repository; a prefix pins the repository only when it ends the repository name.
      if (t.op !== 'startsWith') return m[2] ? ONE : OWNER;
      return m[2] && v[m[0].length] === ':' ? ONE : OWNER;
    }).reduce<Pin>((a, b) => Math.min(a, b) as Pin, ONE);
  }
  if (pub.repo.includes(c)) {
    if (t.op !== 'startsWith') return ONE;
    // repository.startsWith('acme/') pins the owner; 'acme' alone also matches 'acme-evil/…'.
    return t.values.every((v) => /^[^/]+\//.test(v)) ? OWNER : NONE;
  }
  if (pub.owner.includes(c)) return t.op === 'startsWith' ? NONE : OWNER;
  return NONE;
}

/** One comparison of a claim with literals, or null when the text is anything else. */
function readTest(text: string, claimOf: (attr: string) => string | null | undefined): Test | null {
  const LHS = String.raw`(assertion(?:\.[A-Za-z_][A-Za-z0-9_]*|\[\s*'[^']+'\s*\]|\[\s*"[^"]+"\s*\])|attribute\.[a-z0-9_]+|google\.subject)`;
  const LIT = String.raw`('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")`;
  let m: RegExpExecArray | null;
  let lhs: string, op: Test['op'], values: string[];
  if ((m = new RegExp(`^${LHS}\\s*==\\s*${LIT}$`).exec(text)) || (m = new RegExp(`^${LIT}\\s*==\\s*${LHS}$`).exec(text))) {
    const lhsFirst = !/^['"]/.test(m[1]!);
    lhs = lhsFirst ? m[1]! : m[2]!; op = '=='; values = [unquote(lhsFirst ? m[2]! : m[1]!)];
  } else if ((m = new RegExp(`^${LHS}\\.startsWith\\(\\s*${LIT}\\s*\\)$`).exec(text))) {
    lhs = m[1]!; op = 'startsWith'; values = [unquote(m[2]!)];
  } else if ((m = new RegExp(`^${LHS}\\s+in\\s+\\[\\s*(${LIT}(?:\\s*,\\s*${LIT})*)\\s*,?\\s*\\]$`).exec(text))) {
    lhs = m[1]!; op = 'in'; values = [...m[2]!.matchAll(new RegExp(LIT, 'g'))].map((x) => unquote(x[1]!));
  } else return null;
  let claim: string | null;
  const a = /^assertion(?:\.(.+)|\[\s*['"](.+)['"]\s*\])$/.exec(lhs);
  if (a) claim = (a[1] ?? a[2])!;
  else claim = claimOf(lhs) ?? null;
  return { claim, op, values, text: `${lhs}${op === '==' ? ' == ' : op === 'in' ? ' in ' : '.startsWith '}${values.join('|')}` };
}

const unquote = (s: string) => s.slice(1, -1).replace(/\\(.)/g, '$1');

/** Splits at a top-level operator (outside quotes and brackets). */
function splitTop(s: string, op: '&&' | '||'): string[] {
  const out: string[] = [];
  let depth = 0, quote: string | null = null, start = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quote) { if (ch === '\\') i++; else if (ch === quote) quote = null; continue; }
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '(' || ch === '[') depth++;
    else if (ch === ')' || ch === ']') depth--;
    else if (depth === 0 && s.startsWith(op, i)) { out.push(s.slice(start, i).trim()); start = i + 2; i++; }
  }
  out.push(s.slice(start).trim());
  return out;
}

/** Removes parentheses that enclose the whole expression. */
function stripParens(s: string): string {
  let t = s.trim();
  while (t.startsWith('(') && t.endsWith(')')) {
    let depth = 0, encloses = true, quote: string | null = null;
    for (let i = 0; i < t.length; i++) {
      const ch = t[i]!;
      if (quote) { if (ch === '\\') i++; else if (ch === quote) quote = null; continue; }
      if (ch === '"' || ch === "'") quote = ch;
      else if (ch === '(') depth++;
      else if (ch === ')') { depth--; if (depth === 0 && i < t.length - 1) { encloses = false; break; } }
    }
    if (!encloses) break;
    t = t.slice(1, -1).trim();
  }
  return t;
}
