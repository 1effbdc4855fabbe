// Rule cases of the review rules (#18): drafts, grant hygiene, break-glass use and movers. Joined into CASES.
import { daysAgo, daysAhead, type Seed } from './harness.js';
import type { RuleCase } from './cases.js';

const svc = (extra: Record<string, unknown> = {}) => ({ ref: 'svc', kind: 'service_account', name: 'deployer', human: false, created_at: daysAgo(400), last_used_at: daysAgo(40), ...extra });
const ent = (extra: Record<string, unknown> = {}) => ({ ref: 'e1', identity_ref: 'svc', identity_name: 'deployer', resource_ref: 'repo/web', permission: 'write', level: 'write', ...extra });
const alice = { id: 'alice', name: 'Alice', status: 'active', team: 'platform', logins: { prov: ['alice'] } };
const grant = (extra: Record<string, unknown> = {}) => ({ id: 'G1', provider: 'prov', identity: 'svc', resource: 'repo/web', permission: 'write', max_level: 'write', owner: 'alice', expires_at: daysAhead(30), ...extra });
const draft = (extra: Record<string, unknown> = {}) => grant({ id: 'D1', status: 'draft', provenance: { signal: 'owner_record' }, ...extra });
const base = (s: Seed): Seed => ({ owners: [{ provider: 'prov', identity: 'svc', owner: 'alice' }], people: [alice], identities: [svc()], ...s });

export const REVIEW_CASES: RuleCase[] = [
  // unreviewed-grant, and ungranted-access's silence for drafts
  { rule: 'unreviewed-grant', name: 'only a draft grant covers it', seed: base({ entitlements: [ent()], grants: [draft()] }), fires: ['e1'], severity: 'low', reason: /draft grant\(s\) D1/ },
  { rule: 'unreviewed-grant', name: 'a glob draft grant matches it', seed: base({ entitlements: [ent()], grants: [draft({ identity: 'dep*', resource: 'repo/*' })] }), fires: ['e1'] },
  { rule: 'unreviewed-grant', name: 'an approved grant covers it too', seed: base({ entitlements: [ent()], grants: [draft(), grant()] }), fires: [] },
  { rule: 'unreviewed-grant', name: 'an expired draft is no longer known access', seed: base({ entitlements: [ent()], grants: [draft({ expires_at: daysAgo(1) })] }), fires: [] },
  { rule: 'unreviewed-grant', name: 'a draft for another resource', seed: base({ entitlements: [ent()], grants: [draft({ resource: 'repo/api' })] }), fires: [] },
  { rule: 'ungranted-access', name: 'a draft grant silences it', seed: base({ entitlements: [ent()], grants: [draft()] }), fires: [] },
  { rule: 'ungranted-access', name: 'an expired draft does not', seed: base({ entitlements: [ent()], grants: [draft({ expires_at: daysAgo(1) })] }), fires: ['e1'] },
  // A draft never approves: admin access held under a draft is still an admin permission no grant names.
  { rule: 'over-privileged', name: 'a draft does not name an admin permission', seed: base({ entitlements: [ent({ level: 'admin', permission: 'admin' })], grants: [draft({ permission: 'admin', max_level: 'admin' })] }), fires: ['e1'], reason: /no grant names it/ },
  { rule: 'unfulfilled-grant', name: 'a draft with no access is not unfulfilled', seed: base({ entitlements: [ent()], grants: [grant(), draft({ id: 'D2', resource: 'repo/api' })] }), fires: [] },

  // grant-without-owner
  { rule: 'grant-without-owner', name: 'approved grant names no owner', seed: base({ entitlements: [ent()], grants: [grant({ owner: null })] }), fires: ['G1'], severity: 'medium' },
  { rule: 'grant-without-owner', name: 'grant with an owner', seed: base({ entitlements: [ent()], grants: [grant()] }), fires: [] },
  { rule: 'grant-without-owner', name: 'expired grant without owner', seed: base({ entitlements: [ent()], grants: [grant({ owner: null, expires_at: daysAgo(1) })] }), fires: [] },
  { rule: 'grant-without-owner', name: 'draft without owner is unreviewed, not this', seed: base({ entitlements: [ent()], grants: [draft({ owner: null })] }), fires: [] },

  // grant-expiry-too-long
  { rule: 'grant-expiry-too-long', name: 'no expiry', seed: base({ entitlements: [ent()], grants: [grant({ expires_at: null })] }), fires: ['G1'], reason: /no expiry/ },
  { rule: 'grant-expiry-too-long', name: 'admin beyond the admin limit', seed: base({ entitlements: [ent()], grants: [grant({ max_level: 'admin', expires_at: daysAhead(120) })] }), fires: ['G1'], severity: 'medium', reason: /at most 90 days/ },
  { rule: 'grant-expiry-too-long', name: 'no max_level is judged as owner', seed: base({ entitlements: [ent()], grants: [grant({ max_level: null, expires_at: daysAhead(120) })] }), fires: ['G1'] },
  { rule: 'grant-expiry-too-long', name: 'admin within the admin limit', seed: base({ entitlements: [ent()], grants: [grant({ max_level: 'admin', expires_at: daysAhead(89) })] }), fires: [] },
  { rule: 'grant-expiry-too-long', name: 'write within the write limit', seed: base({ entitlements: [ent()], grants: [grant({ expires_at: daysAhead(300) })] }), fires: [] },

  // review-overdue
  { rule: 'review-overdue', name: 'approved long ago and never reviewed', seed: base({ entitlements: [ent()], grants: [grant({ granted_at: daysAgo(400) })] }), fires: ['G1'], reason: /never reviewed/ },
  { rule: 'review-overdue', name: 'last review too old', seed: base({ entitlements: [ent()], grants: [grant({ granted_at: daysAgo(400), last_reviewed: daysAgo(200), reviewer: 'carol' })] }), fires: ['G1'], reason: /last reviewed/ },
  { rule: 'review-overdue', name: 'reviewed recently', seed: base({ entitlements: [ent()], grants: [grant({ granted_at: daysAgo(400), last_reviewed: daysAgo(10), reviewer: 'carol' })] }), fires: [] },
  { rule: 'review-overdue', name: 'no dates to judge by', seed: base({ entitlements: [ent()], grants: [grant()] }), fires: [] },

  // break-glass-used
  { rule: 'break-glass-used', name: 'break-glass identity used recently', seed: base({ identities: [svc({ attributes: { break_glass: true }, last_used_at: daysAgo(2) })], entitlements: [ent()] }), fires: ['svc'], severity: 'high' },
  { rule: 'break-glass-used', name: 'its credential used recently', seed: base({ identities: [svc({ attributes: { break_glass: true } })], credentials: [{ ref: 'k1', kind: 'access_key', name: 'k', identity_ref: 'svc', created_at: daysAgo(30), last_used_at: daysAgo(1) }] }), fires: ['svc'] },
  { rule: 'break-glass-used', name: 'break-glass identity unused in the window', seed: base({ identities: [svc({ attributes: { break_glass: true } })], entitlements: [ent()] }), fires: [] },
  { rule: 'break-glass-used', name: 'ordinary identity used recently', seed: base({ identities: [svc({ last_used_at: daysAgo(1) })], entitlements: [ent()] }), fires: [] },

  // mover-access
  { rule: 'mover-access', name: 'owner changed team since approval', seed: base({ entitlements: [ent()], grants: [grant({ owner_team: 'data' })] }), fires: ['G1'], reason: /on team data; they are on team platform now/ },
  { rule: 'mover-access', name: 'owner on the same team', seed: base({ entitlements: [ent()], grants: [grant({ owner_team: 'platform' })] }), fires: [] },
  { rule: 'mover-access', name: 'no team known at approval', seed: base({ entitlements: [ent()], grants: [grant()] }), fires: [] },
];
