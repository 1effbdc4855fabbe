// The configuration file's schema. Every key has a description and a default; `nhi-recon schema` prints it as
// JSON Schema for editors. Unknown keys are errors (a typo must not silently disable a safety rail).
import { z } from 'zod';
import { LEVELS, SEVERITIES } from '../model/index.js';
import { Routing } from '../routing/config.js';

const Days = z.number().int().min(0).max(36500);

const Thresholds = z.strictObject({
  stale_days: Days.optional().describe('An identity or credential unused for this many days is stale.'),
  grace_days: Days.optional().describe('A never-used identity or credential younger than this is not yet stale.'),
  max_credential_age_days: Days.optional().describe('An active credential not rotated for this many days is unrotated.'),
  max_credential_lifetime_days: Days.optional().describe('A credential whose lifetime (creation to expiry) exceeds this is treated as non-expiring.'),
});

const MaxGrantDays = z.strictObject({
  read: Days.default(365), write: Days.default(365), admin: Days.default(90), owner: Days.default(90),
});

export const Policy = z.strictObject({
  stale_days: Days.default(90).describe('An identity or credential unused for this many days is stale.'),
  grace_days: Days.default(14).describe('A never-used identity or credential younger than this is not yet stale.'),
  max_credential_age_days: Days.default(90).describe('An active credential not rotated for this many days is unrotated.'),
  max_credential_lifetime_days: Days.default(365).describe('A credential whose lifetime exceeds this is treated as non-expiring.'),
  providers: z.record(z.string(), Thresholds).default({}).describe('Per-provider overrides of the thresholds above, keyed by provider (aws, github, …).'),
  disabled_rules: z.array(z.string()).default([]).describe('Rule ids not to run.'),
  draft_grant_days: Days.default(90).describe('Draft grants written by `baseline` expire this many days after they are drafted: the time owners have to review them.'),
  max_grant_days: MaxGrantDays.default({ read: 365, write: 365, admin: 90, owner: 90 })
    .describe('Longest a grant may run (from now to its expiry) per level it approves; beyond it (or with no expiry) grant-expiry-too-long fires, and review extend-until is refused.'),
  review_every_days: Days.default(180).describe('An approved grant not reviewed (or, never reviewed, approved) for this many days is review-overdue.'),
  break_glass_window_days: Days.default(7).describe('A break-glass identity used this recently (or since the previous run) is reported by break-glass-used.'),
}).describe('Thresholds the rules use.');
export type Policy = z.infer<typeof Policy>;

export const Source = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, dot, dash and underscore only').describe('Unique name of this source; recorded on every row it collects.'),
  type: z.string().describe('Connector id: file, github, aws, azure, gcp.'),
  tenants: z.array(z.string().min(1)).default([]).describe('Tenants in scope (organisation, account id, subscription, project). Empty: the connector discovers them.'),
  enabled: z.boolean().default(true),
  concurrency: z.number().int().min(1).max(256).default(8).describe('Requests in flight at once for this source.'),
  retries: z.number().int().min(0).max(20).default(5).describe('Retries of a throttled or failed request before the tenant counts as incomplete.'),
  timeout_seconds: z.number().min(1).max(600).default(30).describe('Timeout of one request.'),
  cache: z.boolean().default(true).describe('Use conditional requests (ETags) where the provider supports them.'),
  options: z.record(z.string(), z.unknown()).default({}).describe('Connector options; validated by the connector. Credentials only by reference (an env var name), never inline.'),
});
export type Source = z.infer<typeof Source>;

const FileList = z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : [v]));

export const Authority = z.strictObject({
  grants: FileList.default([]).describe('Grant record files (YAML, JSON or CSV).'),
  owners: FileList.default([]).describe('Identity owner record files.'),
  people: FileList.default([]).describe('People directory exports.'),
  exceptions: FileList.default([]).describe('Exception (mute) files: findings suppressed until the exception expires.'),
  integrations: FileList.default([]).describe('Integration register files: approved third-party apps (app id, scope globs, owner, ticket, expiry).'),
  decisions: FileList.default([]).describe('Review decision logs (NDJSON) that `review apply` appends to: certified access becomes approved grants, transfers owner records, revocations withdraw the grants they name.'),
  terraform: FileList.default([]).describe('Terraform state or plan JSON (`terraform show -json`) read as approved grants with provenance (file, resource address): access declared in reviewed IaC is approved, the rest is drift.'),
  required: z.boolean().default(true).describe('Fail the run when no grant file is configured (everything would look ungranted).'),
});

export const Reports = z.strictObject({
  out_dir: z.string().default('reports').describe('Folder for report files.'),
  formats: z.array(z.enum(['json', 'csv', 'ocsf', 'markdown', 'html'])).default(['json', 'csv', 'ocsf', 'markdown', 'html']),
  fail_on: z.enum(['none', ...SEVERITIES]).default('none').describe('Exit 1 when an open finding is at or above this severity.'),
  include_resolved: z.boolean().default(true).describe('Include findings resolved in this run in the reports.'),
});

export const Protected = z.strictObject({
  provider: z.string().optional(),
  tenant: z.string().optional(),
  ref: z.string().describe('Identity, credential or entitlement ref (glob allowed) never to be touched.'),
  reason: z.string().optional(),
});

export const OptOut = z.strictObject({
  ref: z.string().describe('Target ref or glob the remediation engine must skip.'),
  reason: z.string().min(1),
  expires_at: z.string().describe('Opt-outs expire: ISO date.'),
  ticket: z.string().optional(),
});

export const ActionRule = z.strictObject({
  rule: z.string().describe('Finding rule id.'),
  provider: z.string().default('*'),
  operation: z.string().describe('A connector operation (see `nhi-recon capabilities`).'),
  then: z.strictObject({
    operation: z.string(),
    after_days: z.number().int().min(0).default(14),
  }).optional().describe('A destructive follow-up once the reversible action has held this long.'),
  allow_irreversible: z.boolean().default(false).describe('Allow `operation` itself to be one that cannot be undone (revoking a token that cannot be disabled). Off: such an operation is held, never run.'),
});

export const Remediation = z.strictObject({
  mode: z.enum(['report', 'enforce']).default('report').describe('enforce only acts when `apply --enforce` is also given.'),
  max_actions: z.number().int().min(0).default(25).describe('Circuit breaker: more planned actions than this and nothing is done.'),
  max_fraction: z.number().min(0).max(1).default(0.1).describe("Circuit breaker: actions on more than this fraction of a tenant's identities and nothing is done."),
  min_consecutive_runs: z.number().int().min(1).default(2).describe('A finding must be seen in this many consecutive runs before it is acted on.'),
  actions: z.array(ActionRule).default([]).describe('Which finding leads to which action; empty means nothing is ever done.'),
  opt_outs: z.array(OptOut).default([]),
  plan_dir: z.string().default('plans'),
});

const DropGuard = (what: string) => z.strictObject({
  enabled: z.boolean().default(true).describe(`Judge ${what}; false: any drop is believed.`),
  max_drop: z.number().min(0).max(1).default(0.5).describe('A count that fell by more than this fraction of its previous value (0.5: by more than half) is implausible.'),
  min_count: z.number().int().min(1).default(5).describe('Only counts that were at least this large before are judged: small numbers swing legitimately.'),
});

export const Guards = z.strictObject({
  collection: DropGuard("each tenant's identities, credentials and entitlements, and each kind within them, against the tenant's last complete collection")
    .default({ enabled: true, max_drop: 0.5, min_count: 5 })
    .describe("Plausibility guard: a tenant answering with far fewer records than its last complete collection is `suspect` (findings carried, never resolved; nothing there is acted on; exit 3) until a person accepts the drop."),
  authority: DropGuard('the grant files (an empty one is refused) and the grant count against the previous run')
    .default({ enabled: true, max_drop: 0.5, min_count: 5 })
    .describe('Authority guard: an empty grant file, `grants: []`, or a grant set that shrank beyond max_drop against the previous run is refused (exit 2) unless accepted.'),
  accept_drop: z.array(z.string().min(1)).default([])
    .describe('Tenants (TENANT or SOURCE/TENANT) whose implausible drop a person has checked and accepts: they count as complete and the acceptance is recorded in the run. Remove the entry after that run, or every later drop of the tenant is accepted unseen (`--accept-drop` accepts for one run only).'),
  accept_authority_drop: z.boolean().default(false)
    .describe('Accept an empty grant file or a shrunken grant set (recorded in the run). Set it for one run only; `--accept-authority-drop` does the same from the command line.'),
}).describe('Guards against absence that is not evidence: a provider or a record file that suddenly holds (almost) nothing.');

export const Config = z.strictObject({
  version: z.literal(1).default(1),
  database: z.string().default('nhi-recon.duckdb').describe('DuckDB file; relative paths are relative to the config file.'),
  memory_limit: z.string().regex(/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i).default('2GB').describe('DuckDB memory limit; beyond it queries spill to disk.'),
  sources: z.array(Source).default([]),
  authority: Authority.default({ grants: [], owners: [], people: [], exceptions: [], integrations: [], decisions: [], terraform: [], required: true }),
  policy: Policy.default({ stale_days: 90, grace_days: 14, max_credential_age_days: 90, max_credential_lifetime_days: 365, providers: {}, disabled_rules: [],
    draft_grant_days: 90, max_grant_days: { read: 365, write: 365, admin: 90, owner: 90 }, review_every_days: 180, break_glass_window_days: 7 }),
  reports: Reports.default({ out_dir: 'reports', formats: ['json', 'csv', 'ocsf', 'markdown', 'html'], fail_on: 'none', include_resolved: true }),
  protected: z.array(Protected).default([]).describe('Break-glass identities never touched by remediation.'),
  break_glass: z.array(z.string().min(1)).default([])
    .describe('Break-glass identities (refs or names, globs allowed): any recorded use is a break-glass-used finding. List them under `protected` too so remediation never touches them.'),
  remediation: Remediation.default({ mode: 'report', max_actions: 25, max_fraction: 0.1, min_consecutive_runs: 2, actions: [], opt_outs: [], plan_dir: 'plans' }),
  guards: Guards.default({
    collection: { enabled: true, max_drop: 0.5, min_count: 5 }, authority: { enabled: true, max_drop: 0.5, min_count: 5 },
    accept_drop: [], accept_authority_drop: false,
  }),
  routing: Routing.default({ enabled: true, destinations: [] }),
});
export type Config = z.infer<typeof Config>;

export const LEVEL_VALUES = LEVELS;
