// Policy documents: decoding (the API returns them URL-encoded), normalisation of statements into expanded action
// sets, and resource matching. Parsed statements are cached per document, so a managed policy attached to 10,000
// principals is expanded once.
import { type Bits, type Catalogue, globRegExp, orInto, andNotInto } from './catalogue.js';

export interface Statement {
  /** "managed policy NAME statement "Sid"" or "... statement #2" — how evidence names it. */
  label: string;
  policyName: string;
  /** The policy as a result names it: a managed policy ARN, or `inline:<owner ARN>#<policy name>`. */
  policyRef: string;
  sid: string | null;
  index: number;
  effect: 'Allow' | 'Deny';
  /** The actions this statement covers, expanded against the catalogue (NotAction already complemented). */
  actions: Bits;
  notAction: boolean;
  /** The Action/NotAction patterns as written, for evidence. */
  actionPatterns: string[];
  resources: string[];
  notResource: boolean;
  condition: unknown;
  /** Service names the catalogue does not know (a typo, or a service newer than the catalogue). */
  unknownPatterns: string[];
}

export interface ParsedPolicy {
  name: string;
  arn: string | null;
  statements: Statement[];
}

export class PolicyError extends Error {
  constructor(message: string) { super(message); this.name = 'PolicyError'; }
}

/** A policy document as the API or the CLI gives it: an object, JSON text, or URL-encoded JSON text. */
export function decodePolicyDocument(doc: unknown, where: string): Record<string, unknown> {
  if (doc && typeof doc === 'object' && !Array.isArray(doc)) return doc as Record<string, unknown>;
  if (typeof doc === 'string') {
    const text = doc.trimStart();
    const attempts = text.startsWith('{') ? [text] : [];
    try { attempts.push(decodeURIComponent(doc)); } catch { /* not URL-encoded */ }
    for (const a of attempts) {
      try {
        const parsed = JSON.parse(a) as unknown;
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
      } catch { /* try the next form */ }
    }
  }
  throw new PolicyError(`${where}: the policy document is neither JSON nor URL-encoded JSON`);
}

function asList(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

const PARTITIONS_AWS_OWNED_IAM = /^arn:[^:]*:iam::aws:/;

type StatementCore = Omit<Statement, 'label' | 'policyName' | 'policyRef'>;

export class PolicyParser {
  private readonly cache = new Map<string, Statement[]>();
  /** Label-independent statements per document, so one policy seen under several labels is expanded once. */
  private readonly cores = new Map<string, StatementCore[]>();
  private awsOwnedIamWrites: Bits | null = null;
  constructor(private readonly cat: Catalogue) {}

  /**
   * Normalise a policy. `where` prefixes every statement label ("managed policy X (via group G)").
   * The cache key must identify the document (a managed policy's ARN and version, or the document text).
   */
  parse(where: string, name: string, arn: string | null, doc: unknown, cacheKey: string | null, ref: string = arn ?? name): ParsedPolicy {
    const key = cacheKey ? `${where}\u0000${ref}\u0000${cacheKey}` : null;
    let statements = key ? this.cache.get(key) : undefined;
    if (!statements) {
      let cores = cacheKey ? this.cores.get(cacheKey) : undefined;
      if (!cores) {
        const document = decodePolicyDocument(doc, where);
        cores = asList(document.Statement).map((s, i) => this.statement(where, s, i));
        if (cacheKey) this.cores.set(cacheKey, cores);
      }
      statements = cores.map((c) => ({ ...c, policyName: name, policyRef: ref, label: `${where} statement ${c.sid ? `"${c.sid}"` : `#${c.index + 1}`}` }));
      if (key) this.cache.set(key, statements);
    }
    return { name, arn, statements };
  }

  private statement(where: string, raw: unknown, index: number): StatementCore {
    if (!raw || typeof raw !== 'object') throw new PolicyError(`${where} statement #${index + 1}: not an object`);
    const s = raw as Record<string, unknown>;
    const sid = typeof s.Sid === 'string' && s.Sid !== '' ? s.Sid : null;
    const label = `${where} statement ${sid ? `"${sid}"` : `#${index + 1}`}`;
    const effect = s.Effect === 'Deny' ? 'Deny' : s.Effect === 'Allow' ? 'Allow' : null;
    if (!effect) throw new PolicyError(`${label}: Effect must be Allow or Deny, got ${JSON.stringify(s.Effect)}`);
    const notAction = s.NotAction !== undefined;
    const actionPatterns = asList(notAction ? s.NotAction : s.Action).map(String);
    const named = this.cat.empty();
    const unknownPatterns: string[] = [];
    for (const p of actionPatterns) {
      this.cat.addMatches(named, p);
      const service = p.split(':')[0]!;
      if (p !== '*' && !/[*?]/.test(service) && !this.cat.hasService(service)) unknownPatterns.push(p);
    }
    let actions = named;
    if (notAction) { actions = this.cat.empty(); actions.set(this.cat.full); andNotInto(actions, named); }
    const notResource = s.NotResource !== undefined;
    const resources = asList(notResource ? s.NotResource : s.Resource).map(String);
    // AWS-managed policies (arn:aws:iam::aws:policy/...) cannot be changed by any customer: an Allow of IAM
    // write actions only on them grants nothing usable, so those actions are dropped from such a statement.
    if (effect === 'Allow' && !notResource && resources.length > 0 && resources.every((r) => PARTITIONS_AWS_OWNED_IAM.test(r))) {
      if (!this.awsOwnedIamWrites) {
        const writes = this.cat.empty();
        orInto(writes, this.cat.byLevel.write);
        orInto(writes, this.cat.byLevel.permissions);
        orInto(writes, this.cat.byLevel.tagging);
        const iamOnly = this.cat.match('iam:*').slice();
        for (let i = 0; i < iamOnly.length; i++) iamOnly[i]! &= writes[i]!;
        this.awsOwnedIamWrites = iamOnly;
      }
      // `actions` is this statement's own bitset (fresh from `named` or the complement), so it may be changed.
      andNotInto(actions, this.awsOwnedIamWrites);
    }
    return {
      sid, index, effect, actions, notAction, actionPatterns, resources, notResource,
      condition: s.Condition, unknownPatterns,
    };
  }
}

/** Values for ${...} policy variables in Resource elements; null = unknown. */
export type VariableLookup = (name: string) => string | null;

const resourceRegexCache = new Map<string, RegExp>();

function resourceRegExp(pattern: string): RegExp {
  let re = resourceRegexCache.get(pattern);
  if (!re) { re = globRegExp(pattern); resourceRegexCache.set(pattern, re); }
  return re;
}

/**
 * Substitute policy variables. For an Allow an unknown variable widens to `*` (never hide access); for a Deny the
 * pattern is dropped (never assume a Deny covers what we cannot see).
 */
export function substitute(pattern: string, vars: VariableLookup, forDeny: boolean): string | null {
  if (!pattern.includes('${')) return pattern;
  let unknown = false;
  const out = pattern.replace(/\$\{([^}]+)\}/g, (_m, name: string) => {
    if (name === '*') return '[*]';
    if (name === '?') return '[?]';
    if (name === '$') return '$';
    const v = vars(name);
    if (v === null) { unknown = true; return '*'; }
    return v;
  });
  if (unknown && forDeny) return null;
  // ${*} and ${?} are literal characters; our glob has no escape, so they match themselves or more (sound for Allow).
  return out.replace(/\[\*\]/g, '*').replace(/\[\?\]/g, '?');
}

/** Does the statement's Resource/NotResource cover this concrete ARN? */
export function resourceMatches(s: Statement, arn: string, vars: VariableLookup): boolean {
  const forDeny = s.effect === 'Deny';
  let hit = false;
  for (const p of s.resources) {
    const pattern = substitute(p, vars, forDeny);
    if (pattern === null) continue;
    if (pattern === '*' || resourceRegExp(pattern).test(arn)) { hit = true; break; }
  }
  if (!s.notResource) return hit;
  // NotResource with an unresolvable variable: for a Deny we cannot tell, so it does not cover.
  if (forDeny && s.resources.some((p) => substitute(p, vars, true) === null)) return false;
  return !hit;
}

/** Does this statement apply to every resource (Resource "*")? */
export function coversAllResources(s: Statement): boolean {
  return !s.notResource && s.resources.includes('*');
}

/** Glob containment: every string `inner` matches is matched by `outer` (sound: false when unsure). */
export function globCovers(outer: string, inner: string): boolean {
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const k = i * (inner.length + 1) + j;
    const m = memo.get(k);
    if (m !== undefined) return m;
    let r: boolean;
    if (i === outer.length) r = j === inner.length;
    else if (outer[i] === '*') r = go(i + 1, j) || (j < inner.length && go(i, j + 1));
    else if (j === inner.length) r = false;
    else if (inner[j] === '*') r = false;
    else if (outer[i] === '?') r = go(i + 1, j + 1);
    else r = inner[j] === outer[i] && go(i + 1, j + 1);
    memo.set(k, r);
    return r;
  };
  return go(0, 0);
}

/** Is there a string both globs match? (Both may hold `*` and `?`.) Used to require two steps to reach one resource. */
export function globsIntersect(a: string, b: string): boolean {
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const k = i * (b.length + 1) + j;
    const m = memo.get(k);
    if (m !== undefined) return m;
    let r: boolean;
    if (i === a.length && j === b.length) r = true;
    else if (i < a.length && a[i] === '*') r = go(i + 1, j) || (j < b.length && go(i, j + 1));
    else if (j < b.length && b[j] === '*') r = go(i, j + 1) || (i < a.length && go(i + 1, j));
    else if (i === a.length || j === b.length) r = false;
    else r = (a[i] === '?' || b[j] === '?' || a[i] === b[j]) && go(i + 1, j + 1);
    memo.set(k, r);
    return r;
  };
  return go(0, 0);
}

/** A pattern for what both globs match, when one contains the other; otherwise the narrower-looking `a` (null: disjoint). */
export function globMeet(a: string, b: string): string | null {
  if (a === '*') return b;
  if (b === '*') return a;
  if (globCovers(a, b)) return b;
  if (globCovers(b, a)) return a;
  return globsIntersect(a, b) ? a : null;
}
