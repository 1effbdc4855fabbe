// Who may obtain credentials as a service account: bindings of the impersonation roles (on the account itself, or on
// its project, which reaches every account there) are mint edges; chains of them that end at an administrator account
// are derived edges, found to a bounded depth. Pure functions, tested without a simulator.
import type { Level, MintFacts } from '../../model/index.js';
import type { MemberType } from './map.js';

/** Permissions that let the holder act as, or mint credentials of, a service account. */
const MINT_PERMS = /^iam\.serviceAccounts\.(getAccessToken|signBlob|signJwt|implicitDelegation|actAs|getOpenIdToken)$|^iam\.serviceAccountKeys\.create$/;
const MINT_ROLES = new Set([
  'roles/iam.serviceAccountTokenCreator', 'roles/iam.serviceAccountUser', 'roles/iam.workloadIdentityUser',
  'roles/iam.serviceAccountKeyAdmin', 'roles/iam.serviceAccountOpenIdTokenCreator',
]);

/**
 * Whether a role lets its members obtain credentials as the account(s) it is bound on. Basic roles (owner, editor)
 * carry actAs too, but they are judged as the owner/editor access they are; counting them here would make every
 * editor a mint edge to every account of its project.
 */
export function isMintRole(role: string, perms: string[] | null): boolean {
  if (MINT_ROLES.has(role)) return true;
  if (/^roles\/(owner|editor|viewer|browser)$/.test(role)) return false;
  return !!perms?.some((p) => MINT_PERMS.test(p));
}

/** How many subjects a binding member admits. */
export function memberBreadth(memberType: MemberType, member: string): MintFacts['breadth'] {
  if (member === 'allUsers') return 'anyone';
  // Any Google account at all: anyone holding a token of the issuer.
  if (member === 'allAuthenticatedUsers') return 'issuer_wide';
  if (memberType === 'domain') return 'wildcard_subject';
  // A whole workload identity pool (…/*) admits every identity its providers accept.
  if (memberType === 'principalSet') return /\/\*$/.test(member) ? 'wildcard_subject' : 'pinned';
  return 'pinned';
}

export interface MintLink { from: string; to: string }

export interface Chain { origin: string; target: string; path: string[]; depth: number }

/**
 * Impersonation chains of 2..maxDepth links that end at an account holding admin-or-above access (its own
 * entitlements, not its mint edges): the shortest per origin and target. A link missing in the middle breaks it.
 */
export function impersonationChains(links: MintLink[], levelOf: (ref: string) => Level | null, maxDepth = 4): Chain[] {
  const next = new Map<string, string[]>();
  for (const l of links) next.set(l.from, [...(next.get(l.from) ?? []), l.to]);
  const admin = (ref: string) => { const lv = levelOf(ref); return lv === 'admin' || lv === 'owner'; };
  const out: Chain[] = [];
  for (const origin of [...new Set(links.map((l) => l.from))].sort()) {
    const seen = new Set<string>([origin]);
    let frontier: string[][] = [[origin]];
    for (let depth = 1; depth <= maxDepth && frontier.length; depth++) {
      const nextFrontier: string[][] = [];
      for (const path of frontier) {
        for (const to of (next.get(path[path.length - 1]!) ?? []).slice().sort()) {
          if (seen.has(to)) continue;
          seen.add(to);
          const p = [...path, to];
          if (depth >= 2 && admin(to)) out.push({ origin, target: to, path: p, depth });
          nextFrontier.push(p);
        }
      }
      frontier = nextFrontier;
    }
  }
  return out;
}
