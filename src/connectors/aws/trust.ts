// Role trust policies as mint edges: each Allow statement's trusted subject "may assume role R", with the breadth of
// what the statement admits computed from its Principal and Condition. Only Allow statements are read: a Deny in a
// trust policy can only narrow what is admitted, so ignoring it may overstate a trust, never understate it.
import type { MintFacts } from '../../model/index.js';
import { GITHUB_ACTIONS_ISSUER, githubSubjectGap, githubSubjectRepository } from '../ci-cloud.js';

export interface TrustEdge {
  /** The trusted subject: an existing principal's ARN, or a ref for a subject outside the account. */
  subjectRef: string;
  subjectName: string;
  /** An identity to emit for the subject (null: it is a principal of the account, already an identity). */
  subjectKind: 'workload' | 'public' | null;
  permission: string;
  mint: MintFacts;
  /** The CI pipeline the subject pins (owner/repo or group/project), when the issuer is a CI provider's. */
  pipeline: string | null;
}

const ASSUME = ['sts:AssumeRole', 'sts:AssumeRoleWithWebIdentity', 'sts:AssumeRoleWithSAML'];
const list = (v: unknown): string[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]).map(String);
const wild = (s: string) => /[*?]/.test(s);
/** The trust's issuer key prefix: what IAM uses for condition keys of an OIDC provider (its URL without scheme). */
export const oidcHost = (arn: string): string | null => /:oidc-provider\/(.+)$/.exec(arn)?.[1] ?? null;
const GITHUB = GITHUB_ACTIONS_ISSUER;

/** Assume actions a statement allows (NotAction: every one it does not exclude; sts:TagSession & co. are not edges). */
function actionsOf(st: any): string[] {
  const matches = (pat: string, a: string) => new RegExp(`^${pat.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i').test(a);
  if (st.NotAction !== undefined) return ASSUME.filter((a) => !list(st.NotAction).some((p) => matches(p, a)));
  return ASSUME.filter((a) => list(st.Action).some((p) => matches(p, a)));
}

interface KeyTest { op: string; values: string[] }

/**
 * Values a condition key is required to take, by statement. Only positive string tests constrain (StringEquals,
 * StringLike, their ForAnyValue forms); negated tests (StringNot*), ForAllValues (true when the key is absent) and
 * IfExists forms (true when absent) admit tokens without the key, so they are not constraints here.
 */
function required(cond: Record<string, any> | undefined, key: string): KeyTest | null {
  if (!cond) return null;
  for (const [opRaw, body] of Object.entries(cond)) {
    const op = opRaw.replace(/^ForAnyValue:/i, '');
    if (/^ForAllValues:/i.test(opRaw) || /IfExists$/i.test(op)) continue;
    if (!/^(StringEquals|StringEqualsIgnoreCase|StringLike|ArnEquals|ArnLike)$/i.test(op) || typeof body !== 'object' || body === null) continue;
    for (const [k, v] of Object.entries(body)) {
      if (k.toLowerCase() === key.toLowerCase()) return { op, values: list(v) };
    }
  }
  return null;
}
/** Literal under StringEquals; a pattern only when the operator is a Like one. */
const isPattern = (t: KeyTest, v: string) => /Like$/i.test(t.op) && wild(v);

/** The pipeline a GitHub / GitLab subject claim pins, when the owner and repository are literal. */
function pipelineOf(host: string, sub: string): string | null {
  if (host === GITHUB) return githubSubjectRepository(sub);
  const m = /^project_path:([^:*?]+\/[^:*?]+):/.exec(sub);
  return m ? m[1]! : null;
}

/** A subject pattern whose first segment (the GitHub owner, the GitLab group) is open admits any tenant of the issuer. */
function ownerOpen(host: string, sub: string): boolean {
  if (/^\*+$/.test(sub)) return true;
  if (host === GITHUB) return /^repo:[^/]*[*?]/.test(sub) || !/^repo:/.test(sub) && wild(sub.split(':')[0] ?? '');
  if (/gitlab/.test(host)) return /^project_path:[^/]*[*?]/.test(sub);
  return false;
}

export function trustEdges(doc: { Statement?: unknown } | null, opts: { account: string; partition: string; roleArn: string; knownPrincipal(arn: string): { ref: string; name: string } | null }): TrustEdge[] {
  const out: TrustEdge[] = [];
  const stmts = Array.isArray(doc?.Statement) ? doc!.Statement as any[] : doc?.Statement ? [doc.Statement as any] : [];
  const base = { target_provider: 'aws', target_ref: opts.roleArn, audience: null as string | null };
  for (const st of stmts) {
    if (st?.Effect !== 'Allow') continue;
    const actions = actionsOf(st);
    if (!actions.length) continue;
    const cond = (st.Condition ?? undefined) as Record<string, any> | undefined;
    const conditions = cond ? { ...cond } : null;
    const externalId = required(cond, 'sts:ExternalId');
    // NotPrincipal with Allow admits everyone but the named principals: judged as anyone.
    const principal = st.NotPrincipal !== undefined ? '*' : st.Principal;
    if (principal === undefined) continue;
    const p = principal === '*' ? { AWS: '*' } : principal as Record<string, unknown>;
    const assume = actions.includes('sts:AssumeRole') ? 'sts:AssumeRole' : null;

    if (assume) for (const a of list(p.AWS)) out.push(...awsPrincipal(a, assume, externalId, conditions, cond));

    const fed = list(p.Federated);
    for (const f of fed) {
      const host = oidcHost(f);
      if (host && actions.includes('sts:AssumeRoleWithWebIdentity')) out.push(...oidc(f, host, conditions, cond));
      else if (/:saml-provider\//.test(f) && actions.includes('sts:AssumeRoleWithSAML')) {
        const aud = required(cond, 'SAML:aud');
        const sub = required(cond, 'SAML:sub');
        // The IdP decides who receives an assertion naming this role: the trust pins the issuer, and a SAML:sub test
        // pins the subject further. AWS checks the assertion's recipient itself, so SAML:aud is recorded, not required.
        const subs = sub?.values.length ? sub.values : [null];
        for (const s of subs) {
          out.push({ subjectRef: `saml:${f}${s ? `#${s}` : ''}`, subjectName: s ?? `SAML provider ${f.split('/').pop()}`, subjectKind: 'workload', permission: 'sts:AssumeRoleWithSAML', pipeline: null,
            mint: { ...base, mechanism: 'saml', issuer: f, subject: s, audience: aud?.values.join(',') ?? null, breadth: s && sub && isPattern(sub, s) ? 'wildcard_subject' : 'pinned', missing: [], conditions } });
        }
      } else if (!host && /amazonaws\.com$|^cognito-identity|accounts\.google\.com|graph\.facebook\.com|www\.amazon\.com/.test(f) && actions.includes('sts:AssumeRoleWithWebIdentity')) {
        // A built-in web identity provider named by host (Cognito, Google, Login with Amazon, Facebook).
        out.push(...oidc(f, f, conditions, cond));
      }
    }
  }
  // One edge per (subject, action): the same subject in two statements is one entitlement with both conditions.
  const seen = new Map<string, TrustEdge>();
  for (const e of out) {
    const k = `${e.subjectRef}|${e.permission}`;
    const prev = seen.get(k);
    if (!prev || BREADTH_RANK[e.mint.breadth] > BREADTH_RANK[prev.mint.breadth]) seen.set(k, e);
  }
  return [...seen.values()];

  function awsPrincipal(a: string, permission: string, externalId: KeyTest | null, conditions: Record<string, unknown> | null, cond: Record<string, any> | undefined): TrustEdge[] {
    const acct = /^\d{12}$/.test(a) ? a : /^arn:[^:]+:(?:iam|sts)::(\d{12}):/.exec(a)?.[1] ?? null;
    const isRoot = /^\d{12}$/.test(a) || /:root$/.test(a);
    if (a === '*') {
      // Anyone in any account, unless a condition ties the caller to an organisation, an account or a principal.
      const org = required(cond, 'aws:PrincipalOrgID') ?? required(cond, 'aws:PrincipalOrgPaths');
      const pa = required(cond, 'aws:PrincipalAccount');
      const parn = required(cond, 'aws:PrincipalArn');
      if (parn?.values.length) {
        return parn.values.flatMap((v) => {
          const named = awsPrincipal(v, permission, externalId, conditions, undefined);
          // A pattern whose account is open is no narrower than anyone.
          if (!named.length) return [{ subjectRef: '*', subjectName: 'anyone', subjectKind: 'public' as const, permission, pipeline: null,
            mint: { ...base, mechanism: 'assume_role' as const, issuer: null, subject: v, breadth: 'anyone' as const, missing: externalId ? [] : ['sts:ExternalId'], conditions } }];
          return named.map((e) => (isPattern(parn, v) ? { ...e, mint: { ...e.mint, breadth: 'wildcard_subject' as const } } : e));
        });
      }
      if (pa?.values.length) return pa.values.flatMap((v) => awsPrincipal(v, permission, externalId, conditions, undefined));
      if (org?.values.length) {
        return [{ subjectRef: `aws-organization:${org.values.join(',')}`, subjectName: `any principal of organisation ${org.values.join(', ')}`, subjectKind: 'workload', permission, pipeline: null,
          mint: { ...base, mechanism: 'assume_role', issuer: null, subject: org.values.join(','), breadth: 'any_account', missing: [], conditions } }];
      }
      return [{ subjectRef: '*', subjectName: 'anyone', subjectKind: 'public', permission, pipeline: null,
        mint: { ...base, mechanism: 'assume_role', issuer: null, subject: null, breadth: 'anyone', missing: externalId ? [] : ['sts:ExternalId'], conditions } }];
    }
    if (!acct) return [];
    if (acct === opts.account) {
      // The account's own root delegates to the account's IAM policies (judged on each principal), not a trust edge.
      if (isRoot) return [];
      const known = opts.knownPrincipal(a);
      return [{ subjectRef: known?.ref ?? a, subjectName: known?.name ?? a.split('/').pop()!, subjectKind: known ? null : 'workload', permission, pipeline: null,
        mint: { ...base, mechanism: 'assume_role', issuer: null, subject: a, breadth: 'pinned', missing: [], conditions } }];
    }
    // Another account: its root admits whoever that account's administrators allow; ExternalId ties the trust to
    // this customer when the other account is a third party's (the confused-deputy defence).
    const missing = externalId ? [] : ['sts:ExternalId'];
    if (isRoot) {
      return [{ subjectRef: `aws-account:${acct}`, subjectName: `any principal of account ${acct}`, subjectKind: 'workload', permission, pipeline: null,
        mint: { ...base, mechanism: 'assume_role', issuer: null, subject: a, breadth: 'any_account', missing, conditions } }];
    }
    return [{ subjectRef: a, subjectName: a.split('/').pop()!, subjectKind: 'workload', permission, pipeline: null,
      mint: { ...base, mechanism: 'assume_role', issuer: null, subject: a, breadth: 'pinned', missing, conditions } }];
  }

  function oidc(provider: string, host: string, conditions: Record<string, unknown> | null, cond: Record<string, any> | undefined): TrustEdge[] {
    const key = host.startsWith('cognito-identity') ? 'cognito-identity.amazonaws.com' : host;
    const sub = required(cond, `${key}:sub`);
    const aud = required(cond, `${key}:aud`);
    // aud is not listed when absent: IAM checks every web-identity token's audience against the OIDC provider's
    // client-id list, so the trust's own aud test adds nothing a missing one takes away. The subject is what pins.
    const missing = sub?.values.length ? [] : ['sub'];
    const audience = aud?.values.join(',') ?? null;
    const mechanism = 'oidc' as const;
    if (!sub || !sub.values.length) {
      // Cognito: the audience is the identity pool, so a pinned aud pins the pool (any of its identities).
      const breadth = key === 'cognito-identity.amazonaws.com' && aud && !aud.values.some((v) => isPattern(aud, v)) ? 'wildcard_subject' as const : 'issuer_wide' as const;
      return [{ subjectRef: `oidc:${host}`, subjectName: `any token of ${host}`, subjectKind: 'workload', permission: 'sts:AssumeRoleWithWebIdentity', pipeline: null,
        mint: { ...base, mechanism, issuer: host, subject: null, audience, breadth, missing, conditions } }];
    }
    return sub.values.map((s) => {
      const pattern = isPattern(sub, s);
      let breadth: MintFacts['breadth'] = pattern && ownerOpen(host, s) ? 'issuer_wide' : pattern ? 'wildcard_subject' : 'pinned';
      // A customised GitHub subject without a repository claim is what every repository of the owner presents (and,
      // without an owner claim, every organisation with the same template): "pinned" to it is pinned to none.
      const gap = host === GITHUB ? githubSubjectGap(s) : null;
      if (gap && breadth !== 'issuer_wide') breadth = gap.ownerless ? 'issuer_wide' : 'wildcard_subject';
      return { subjectRef: `oidc:${host}#${s}`, subjectName: s, subjectKind: 'workload' as const, permission: 'sts:AssumeRoleWithWebIdentity',
        pipeline: pipelineOf(host, s), mint: { ...base, mechanism, issuer: host, subject: s, audience, breadth, missing: gap ? [...missing, gap.missing] : missing, conditions } };
    });
  }
}

const BREADTH_RANK: Record<MintFacts['breadth'], number> = { pinned: 0, wildcard_subject: 1, any_account: 2, issuer_wide: 3, anyone: 4 };
