// Three-valued evaluation of IAM Condition blocks. "always" and "never" are claims we can prove from the export and
// the clock; everything else is "maybe". Callers stay sound with it: an Allow is dropped only when "never", a Deny is
// trusted only when "always" (a Deny that may not apply never removes access).
import { globRegExp } from './catalogue.js';

export type Verdict = 'always' | 'never' | 'maybe';

export interface PrincipalContext {
  arn: string;
  type: 'user' | 'role' | 'group';
  name: string;
  accountId: string;
  tags: Record<string, string>;
  /** The principal may change its own tags (iam:TagUser/TagRole on itself) or its sessions carry chosen session tags. */
  tagsMutable?: boolean;
}

/** A `known` value meaning "this request never carries the key" (e.g. aws:ResourceTag on iam:PassRole). */
export const ABSENT = '\u0000absent';

export interface ConditionContext {
  now: Date;
  /** Null for a group: its members are unknown users. */
  principal: PrincipalContext | null;
  /** Request keys a caller fixes for one question (lower-case key → value), e.g. iam:passedtoservice. */
  known?: Record<string, string>;
}

export interface ConditionResult {
  verdict: Verdict;
  /** Keys whose value we could not resolve (the statement then applies only when the caller can satisfy them). */
  unresolved: string[];
  /** Why a verdict is "never" or "always", for evidence. */
  reasons: string[];
}

/** Condition keys about the caller's own session, which whoever holds the principal can normally satisfy. */
const SESSION_KEYS = new Set([
  'aws:multifactorauthpresent', 'aws:multifactorauthage', 'aws:sourceip', 'aws:sourcevpc', 'aws:sourcevpce',
  'aws:vpcsourceip', 'aws:securetransport', 'aws:useragent', 'aws:referer', 'aws:requestedregion', 'aws:currenttime',
  'aws:epochtime', 'aws:tokenissuetime', 'aws:viaawsservice', 'aws:calledvia', 'aws:calledviafirst',
  'aws:calledvialast', 'aws:sourceidentity', 'aws:rolesessionname', 'aws:principalisawsservice',
  'aws:federatedprovider', 'aws:ec2instancesourcevpc', 'aws:ec2instancesourceprivateipv4', 'aws:sourceorgid',
  'aws:sourceorgpaths',
]);

export function isSessionKey(key: string): boolean { return SESSION_KEYS.has(key.toLowerCase()); }

/** Longest lifetime of temporary credentials (GetSessionToken allows 36 hours): bounds aws:TokenIssueTime. */
const MAX_SESSION_MS = 36 * 3600 * 1000;

type Resolved =
  | { kind: 'values'; values: string[]; mayBeAbsent?: boolean }
  | { kind: 'time'; min: number; max: number; mayBeAbsent: boolean }
  | { kind: 'absent' }
  | { kind: 'unknown' };

function resolveKey(key: string, ctx: ConditionContext): Resolved {
  const k = key.toLowerCase();
  let known = ctx.known?.[k];
  if (known === undefined && ctx.known) {
    const slash = k.indexOf('/');
    if (slash > 0) known = ctx.known[`${k.slice(0, slash)}/*`];
  }
  if (known === ABSENT) return { kind: 'absent' };
  if (known !== undefined) return { kind: 'values', values: [known] };
  const now = ctx.now.getTime();
  const p = ctx.principal;
  switch (k) {
    case 'aws:currenttime': return { kind: 'time', min: now, max: Number.POSITIVE_INFINITY, mayBeAbsent: false };
    case 'aws:epochtime': return { kind: 'time', min: now, max: Number.POSITIVE_INFINITY, mayBeAbsent: false };
    case 'aws:tokenissuetime':
      // Present only for temporary credentials: a role session always has one; a user may call with its long-term key.
      if (!p) return { kind: 'unknown' };
      return { kind: 'time', min: now - MAX_SESSION_MS, max: Number.POSITIVE_INFINITY, mayBeAbsent: p.type === 'user' };
  }
  if (!p) return { kind: 'unknown' };
  switch (k) {
    case 'aws:username': return p.type === 'user' ? { kind: 'values', values: [p.name] } : { kind: 'absent' };
    case 'aws:principalarn': return { kind: 'values', values: [p.arn] };
    case 'aws:principalaccount': return { kind: 'values', values: [p.accountId] };
    case 'aws:principaltype': return { kind: 'values', values: [p.type === 'user' ? 'User' : 'AssumedRole'] };
  }
  if (k.startsWith('aws:principaltag/')) {
    if (p.tagsMutable) return { kind: 'unknown' };
    const tag = Object.entries(p.tags).find(([t]) => t.toLowerCase() === k.slice('aws:principaltag/'.length));
    // A role session can carry session tags beyond the role's own, so a role's missing tag is unknown, not absent.
    if (tag) return { kind: 'values', values: [tag[1]], mayBeAbsent: false };
    return p.type === 'user' ? { kind: 'absent' } : { kind: 'unknown' };
  }
  return { kind: 'unknown' };
}

const NEGATED = /^(StringNot|ArnNot|NotIpAddress|DateNotEquals|NumericNotEquals)/;

/** Evaluate a statement's Condition block (AND across operators and keys, OR across a key's values). */
export function evaluateCondition(condition: unknown, ctx: ConditionContext): ConditionResult {
  const result: ConditionResult = { verdict: 'always', unresolved: [], reasons: [] };
  if (condition === undefined || condition === null) return result;
  if (typeof condition !== 'object') return { verdict: 'maybe', unresolved: ['(malformed Condition)'], reasons: [] };
  let sawMaybe = false;
  for (const [rawOp, block] of Object.entries(condition as Record<string, unknown>)) {
    if (!block || typeof block !== 'object') { sawMaybe = true; result.unresolved.push(`(${rawOp})`); continue; }
    for (const [key, rawValues] of Object.entries(block as Record<string, unknown>)) {
      const values = (Array.isArray(rawValues) ? rawValues : [rawValues]).map((v) => String(v));
      const v = evaluateOne(rawOp, key, values, ctx);
      if (v === 'never') {
        result.verdict = 'never';
        result.reasons.push(`${rawOp} ${key} ${JSON.stringify(rawValues)} can never hold`);
        return result;
      }
      if (v === 'maybe') { sawMaybe = true; result.unresolved.push(key); }
      else if (v === 'always' && /time$/i.test(key)) result.reasons.push(`${rawOp} ${key} ${JSON.stringify(rawValues)} holds now`);
    }
  }
  if (sawMaybe) result.verdict = 'maybe';
  return result;
}

function evaluateOne(rawOp: string, key: string, policyValues: string[], ctx: ConditionContext): Verdict {
  let op = rawOp;
  if (/^For(Any|All)Values:/i.test(op)) return 'maybe';
  const ifExists = /IfExists$/.test(op);
  if (ifExists) op = op.slice(0, -'IfExists'.length);
  const resolved = resolveKey(key, ctx);
  if (op === 'Null') {
    // Null:true holds when the key is absent.
    const wantAbsent = policyValues.some((v) => v.toLowerCase() === 'true');
    if (resolved.kind === 'absent') return wantAbsent ? 'always' : 'never';
    if (resolved.kind === 'unknown') return 'maybe';
    const mayBeAbsent = resolved.kind === 'time' ? resolved.mayBeAbsent : resolved.mayBeAbsent === true;
    if (mayBeAbsent) return 'maybe';
    return wantAbsent ? 'never' : 'always';
  }
  const negated = NEGATED.test(op);
  if (resolved.kind === 'unknown') return 'maybe';
  // A missing key fails a positive operator and satisfies a negated one; IfExists makes it satisfy either.
  const whenAbsent: Verdict = ifExists || negated ? 'always' : 'never';
  if (resolved.kind === 'absent') return whenAbsent;
  let present: Verdict;
  if (resolved.kind === 'time') {
    present = compareTimeRange(op, resolved.min, resolved.max, policyValues);
    if (resolved.mayBeAbsent) return combineOr(present, whenAbsent);
    return present;
  }
  present = compareValues(op, resolved.values, policyValues, ctx);
  if (resolved.mayBeAbsent) return combineOr(present, whenAbsent);
  return present;
}

/** The key's value is one of two situations we cannot choose between. */
function combineOr(a: Verdict, b: Verdict): Verdict { return a === b ? a : 'maybe'; }

function compareTimeRange(op: string, min: number, max: number, policyValues: string[]): Verdict {
  const times = policyValues.map(parsePolicyTime);
  if (times.some((t) => Number.isNaN(t))) return 'maybe';
  // For each policy value: does every possible key value satisfy it, none, or some?
  const per = times.map((t): Verdict => {
    switch (op) {
      case 'DateLessThan': return max < t ? 'always' : min >= t ? 'never' : 'maybe';
      case 'DateLessThanEquals': return max <= t ? 'always' : min > t ? 'never' : 'maybe';
      case 'DateGreaterThan': return min > t ? 'always' : max <= t ? 'never' : 'maybe';
      case 'DateGreaterThanEquals': return min >= t ? 'always' : max < t ? 'never' : 'maybe';
      case 'DateEquals': return t < min || t > max ? 'never' : 'maybe';
      case 'DateNotEquals': return t < min || t > max ? 'always' : 'maybe';
      default: return 'maybe';
    }
  });
  if (op === 'DateNotEquals') return per.every((v) => v === 'always') ? 'always' : 'maybe';
  if (per.some((v) => v === 'always')) return 'always';
  if (per.every((v) => v === 'never')) return 'never';
  return 'maybe';
}

function parsePolicyTime(v: string): number {
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  return Date.parse(v);
}

function substituteVariables(value: string, ctx: ConditionContext): string | null {
  if (!value.includes('${')) return value;
  let unresolved = false;
  const out = value.replace(/\$\{([^}]+)\}/g, (_m, name: string) => {
    if (name === '*') return '*';
    if (name === '?') return '?';
    if (name === '$') return '$';
    const r = resolveKey(name, ctx);
    if (r.kind === 'values' && !r.mayBeAbsent && r.values.length === 1) return r.values[0]!;
    unresolved = true;
    return '';
  });
  return unresolved ? null : out;
}

function compareValues(op: string, keyValues: string[], rawPolicyValues: string[], ctx: ConditionContext): Verdict {
  const policyValues: string[] = [];
  for (const v of rawPolicyValues) {
    const s = substituteVariables(v, ctx);
    if (s === null) return 'maybe';
    policyValues.push(s);
  }
  let test: (actual: string, expected: string) => boolean;
  switch (op) {
    case 'StringEquals': case 'StringNotEquals': case 'ArnEquals': case 'ArnNotEquals':
      test = (a, e) => a === e; break;
    case 'StringEqualsIgnoreCase': case 'StringNotEqualsIgnoreCase':
      test = (a, e) => a.toLowerCase() === e.toLowerCase(); break;
    case 'StringLike': case 'StringNotLike': case 'ArnLike': case 'ArnNotLike':
      test = (a, e) => globRegExp(e).test(a); break;
    case 'Bool':
      test = (a, e) => a.toLowerCase() === e.toLowerCase(); break;
    default:
      return 'maybe';
  }
  const negated = NEGATED.test(op);
  // Single-valued key: a positive operator holds when the value matches any policy value; a negated one when none.
  const matches = keyValues.some((a) => policyValues.some((e) => test(a, e)));
  const holds = negated ? !matches : matches;
  return holds ? 'always' : 'never';
}

/**
 * Can a service acting for a resource of `account` satisfy a role trust statement's Condition? Services set
 * aws:SourceAccount / aws:SourceArn to the resource they act for, so a trust pinned to another account (or to ARNs
 * of another account) can never be met by a resource the caller creates in its own account.
 */
export function serviceTrustCondition(condition: unknown, account: string, now: Date): ConditionResult {
  const r = evaluateCondition(condition, { now, principal: null, known: { 'aws:sourceaccount': account, 'aws:sourceowner': account } });
  if (r.verdict === 'never' || !condition || typeof condition !== 'object') return r;
  for (const [op, block] of Object.entries(condition as Record<string, unknown>)) {
    if (!/^(StringEquals|StringLike|ArnEquals|ArnLike)$/.test(op) || !block || typeof block !== 'object') continue;
    for (const [key, raw] of Object.entries(block as Record<string, unknown>)) {
      if (key.toLowerCase() !== 'aws:sourcearn') continue;
      const values = (Array.isArray(raw) ? raw : [raw]).map(String);
      const accountOk = values.some((v) => { const field = v.split(':')[4]; return field === undefined || field.includes('$') || globRegExp(field).test(account); });
      if (!accountOk) return { verdict: 'never', unresolved: [], reasons: [`${op} aws:SourceArn ${JSON.stringify(raw)} names only other accounts`] };
    }
  }
  return r;
}
