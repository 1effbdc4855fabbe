// Loaders for the authoritative records: grants (what was approved), owners (who answers for each non-human
// identity), people (who is active or departed, with their logins per provider), and exceptions (mutes).
// Every record remembers its file and line; any invalid record fails the whole load with every problem listed,
// because a half-loaded grant file would make approved access look ungranted.
import { basename } from 'node:path';
import { z } from 'zod';
import { LEVELS, LooseDate } from '../model/index.js';
import { readRecords, type SourcedRecord } from '../io/records.js';
import { InputError, type InputIssue } from '../errors.js';
import type { Store } from '../store/store.js';
import { DecisionRecord, decisionsToRecords } from './decisions.js';
import { terraformGrants } from './terraform.js';

const GLOB = /[*?[]/;
export const isGlob = (s: string) => GLOB.test(s);

const Str = z.preprocess((v) => (typeof v === 'number' ? String(v) : v), z.string().trim().min(1));
const OptStr = z.preprocess((v) => (v === '' || v === null ? undefined : typeof v === 'number' ? String(v) : v), z.string().trim().min(1).optional());
const OptDate = LooseDate.optional().transform((v) => v ?? null);

export const Provenance = z.strictObject({
  signal: OptStr, file: OptStr, address: OptStr, run_id: OptStr,
  partial: z.boolean().optional().describe('Proposed from a run whose tenant was not collected completely.'),
});
export type Provenance = z.infer<typeof Provenance>;

export const Grant = z.strictObject({
  id: OptStr.describe('Unique id of the grant (defaults to file:line).'),
  provider: Str.describe('Provider the grant applies to (github, aws, azure, gcp, or a file-import provider).'),
  tenant: OptStr.default('*').describe('Tenant (org, account, subscription, project); glob allowed; default any.'),
  identity: Str.describe('Identity ref or name; glob allowed.'),
  resource: OptStr.default('*').describe('Resource ref; glob allowed; default any.'),
  permission: OptStr.default('*').describe('Provider-native permission; glob allowed; default any.'),
  max_level: z.preprocess((v) => (v === '' || v === null ? undefined : v), z.enum(LEVELS).optional()).describe('Highest level the grant allows.'),
  owner: OptStr, approver: OptStr, ticket: OptStr,
  granted_at: OptDate, expires_at: OptDate,
  justification: OptStr,
  // Review lifecycle (#18): a draft is known access nobody has reviewed yet (written by `baseline`); it silences
  // ungranted-access but never counts as approval (unreviewed-grant reports it instead).
  status: z.preprocess((v) => (v === '' || v === null ? undefined : typeof v === 'string' ? v.trim().toLowerCase() : v), z.enum(['approved', 'draft']).default('approved'))
    .describe('approved (default) or draft: proposed by `baseline`, not yet reviewed; a draft never counts as approval.'),
  provenance: z.preprocess((v) => (v === '' || v === null ? undefined : v), z.union([z.string().trim().min(1), Provenance]).optional())
    .describe('Where the grant came from: a sentence, or {signal, file, address} (baseline signal, Terraform resource, review).'),
  last_reviewed: OptDate.describe('When an owner last certified this access.'),
  reviewer: OptStr.describe('Who last reviewed it.'),
  owner_team: OptStr.describe("The owner's team when the grant was approved (review apply records it); mover-access compares it with the team now."),
}).superRefine((g, ctx) => {
  if (g.granted_at && g.expires_at && g.expires_at.getTime() < g.granted_at.getTime()) {
    ctx.addIssue({ code: 'custom', path: ['expires_at'], message: `expires (${g.expires_at.toISOString()}) before it was granted (${g.granted_at.toISOString()})` });
  }
});
export type Grant = z.infer<typeof Grant>;

export const Owner = z.strictObject({
  provider: Str, tenant: OptStr.default('*'), identity: Str, owner: Str,
  note: OptStr,
});
export type Owner = z.infer<typeof Owner>;

const Logins = z.preprocess((v) => {
  // CSV form: "github:alice;aws:alice.smith"
  if (typeof v !== 'string') return v;
  const out: Record<string, string[]> = {};
  for (const part of v.split(/[;,]/).map((s) => s.trim()).filter(Boolean)) {
    const i = part.indexOf(':');
    if (i < 1) return v; // let the schema report it
    (out[part.slice(0, i).trim()] ??= []).push(part.slice(i + 1).trim());
  }
  return out;
}, z.record(z.string(), z.union([Str, z.array(Str)]).transform((x) => (Array.isArray(x) ? x : [x]))));

export const Person = z.strictObject({
  id: Str, name: OptStr, email: OptStr,
  status: z.preprocess((v) => (typeof v === 'string' ? v.trim().toLowerCase() : v), z.enum(['active', 'departed'])),
  departed_at: OptDate, team: OptStr,
  logins: Logins.optional().default({}),
});
export type Person = z.infer<typeof Person>;

export const Exception = z.strictObject({
  id: OptStr,
  finding_id: OptStr.describe('Mute one finding by its id.'),
  rule: OptStr.describe('Or mute a rule …'),
  match: OptStr.describe('… for subjects whose ref matches this glob.'),
  reason: Str, ticket: OptStr, owner: OptStr,
  expires_at: LooseDate.refine((d) => d !== null, { message: 'exceptions must expire' }),
}).refine((e) => e.finding_id || e.match, { message: 'give finding_id, or match (with an optional rule)' });
export type Exception = z.infer<typeof Exception>;

/** A list of globs, or in CSV one string separated by ';' or ','. */
const GlobList = z.preprocess((v) => (typeof v === 'string' ? v.split(/[;,]/).map((x) => x.trim()).filter(Boolean) : v),
  z.array(Str).min(1, 'list at least one scope (a glob such as "*.read" is allowed)'));

/**
 * An integration register entry: a third-party (or first-party) app the organisation approved, with the scopes it may
 * hold. It names the app by its vendor app / OAuth client id (model IntegrationFacts.app_id, glob allowed); an
 * expired entry approves nothing.
 */
export const RegisterEntry = z.strictObject({
  id: OptStr.describe('Unique id of the entry (defaults to file:line).'),
  provider: Str.describe('Provider whose integrations it approves (okta, azure, google, github, …).'),
  tenant: OptStr.default('*').describe('Tenant; glob allowed; default any.'),
  app_id: Str.describe('Vendor app / OAuth client id (IntegrationFacts.app_id); glob allowed.'),
  name: OptStr.describe('Name, for people.'),
  approved_scopes: GlobList.describe("Globs over the integration's scope permissions (CSV: separated by ';')."),
  max_level: z.preprocess((v) => (v === '' || v === null ? undefined : v), z.enum(LEVELS).optional()).describe('Highest scope level approved.'),
  owner: OptStr, approver: OptStr, ticket: OptStr,
  approved_at: OptDate, expires_at: OptDate,
  justification: OptStr,
}).superRefine((g, ctx) => {
  if (g.approved_at && g.expires_at && g.expires_at.getTime() < g.approved_at.getTime()) {
    ctx.addIssue({ code: 'custom', path: ['expires_at'], message: `expires (${g.expires_at.toISOString()}) before it was approved (${g.approved_at.toISOString()})` });
  }
});
export type RegisterEntry = z.infer<typeof RegisterEntry>;

export interface Sourced<T> { file: string; line: number; value: T }

export interface Authority {
  grants: Sourced<Grant & { id: string }>[];
  owners: Sourced<Owner>[];
  people: Sourced<Person>[];
  exceptions: Sourced<Exception & { id: string }>[];
  /** The integration register (approved third-party apps and their scopes); absent = none configured. */
  integrations?: Sourced<RegisterEntry & { id: string }>[];
  /** The files each kind was loaded from (a configured file with no record is still listed). */
  files?: { grants: string[]; owners: string[]; people: string[]; exceptions: string[]; integrations?: string[] };
  /** Terraform resources of types that declare no access, by type (reported by validate). */
  terraformIgnored?: Record<string, number>;
}

async function loadKind<T>(files: string[], key: string, schema: z.ZodType<T>, required: string[], issues: InputIssue[]): Promise<Sourced<T>[]> {
  const out: Sourced<T>[] = [];
  for (const file of files) {
    try {
      for await (const rec of readRecords(file, { key, requiredColumns: required })) {
        const parsed = schema.safeParse(stripUndefined(rec));
        if (parsed.success) out.push({ file: rec.file, line: rec.line, value: parsed.data });
        else for (const i of parsed.error.issues) issues.push({ file: rec.file, line: rec.line, field: i.path.join('.') || undefined, message: describe(i, rec.value) });
        if (issues.length > 200) return out; // enough to fix; do not drown the user
      }
    } catch (e) {
      if (e instanceof InputError) issues.push(...e.issues);
      else throw e;
    }
  }
  return out;
}

function stripUndefined(rec: SourcedRecord): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rec.value)) if (v !== undefined) o[k] = v;
  return o;
}

function describe(i: z.core.$ZodIssue, value: Record<string, unknown>): string {
  if (i.code === 'unrecognized_keys') return `unknown field(s) ${i.keys.map((k) => `"${k}"`).join(', ')}`;
  if (i.code === 'invalid_type') {
    const present = i.path.length > 0 && value[String(i.path[0])] !== undefined && value[String(i.path[0])] !== null;
    return present ? `expected ${i.expected}` : 'is required';
  }
  if (i.code === 'invalid_value') return `expected one of ${i.values.map((v) => JSON.stringify(v)).join(', ')}`;
  return i.message;
}

export async function loadAuthority(files: { grants: string[]; owners: string[]; people: string[]; exceptions: string[]; integrations?: string[]; decisions?: string[]; terraform?: string[] }): Promise<Authority> {
  const issues: InputIssue[] = [];
  const grants = (await loadKind(files.grants, 'grants', Grant, ['provider', 'identity'], issues))
    .map((g) => ({ ...g, value: { ...g.value, id: g.value.id ?? `${basename(g.file)}:${g.line}` } }));
  const owners = await loadKind(files.owners, 'owners', Owner, ['provider', 'identity', 'owner'], issues);
  const people = await loadKind(files.people, 'people', Person, ['id', 'status'], issues);
  const exceptions = (await loadKind(files.exceptions, 'exceptions', Exception, ['reason', 'expires_at'], issues))
    .map((x) => ({ ...x, value: { ...x.value, id: x.value.id ?? `${basename(x.file)}:${x.line}` } }));
  const integrations = (await loadKind(files.integrations ?? [], 'integrations', RegisterEntry, ['provider', 'app_id', 'approved_scopes'], issues))
    .map((x) => ({ ...x, value: { ...x.value, id: x.value.id ?? `${basename(x.file)}:${x.line}` } }));
  // Review decisions (append-only log written by `review apply`): grants and owner records with provenance review.
  if (files.decisions?.length) {
    const d = decisionsToRecords(await loadKind(files.decisions, 'decisions', DecisionRecord, ['item', 'decision', 'reviewer'], issues));
    const kept = grants.filter((g) => !(d.revoked.has(g.value.id) && !isGlob(g.value.identity) && !isGlob(g.value.resource)));
    grants.length = 0;
    grants.push(...kept, ...d.grants);
    owners.push(...d.owners);
  }
  // Terraform state/plan JSON: approved grants with provenance {file, address}; unknown resource types are counted.
  const terraformIgnored: Record<string, number> = {};
  for (const file of files.terraform ?? []) {
    try {
      const tf = terraformGrants(file);
      grants.push(...tf.grants);
      for (const [t, n] of Object.entries(tf.ignored)) terraformIgnored[t] = (terraformIgnored[t] ?? 0) + n;
    } catch (e) {
      if (e instanceof InputError) issues.push(...e.issues); else throw e;
    }
  }
  duplicates(grants, 'grant', issues);
  duplicates(people, 'person', issues);
  duplicates(exceptions, 'exception', issues);
  duplicates(integrations, 'integration register entry', issues);
  if (issues.length) throw new InputError(issues);
  return { grants, owners, people, exceptions, integrations, files, terraformIgnored };
}

function duplicates(items: Sourced<{ id?: string }>[], what: string, issues: InputIssue[]): void {
  const seen = new Map<string, Sourced<unknown>>();
  for (const it of items) {
    const id = it.value.id!;
    const first = seen.get(id);
    if (first) issues.push({ file: it.file, line: it.line, field: 'id', message: `duplicate ${what} id "${id}" (first at ${first.file}:${first.line})` });
    else seen.set(id, it);
  }
}

/** Writes the authority snapshot of a run (history: every run keeps the records it was judged against). */
export async function storeAuthority(store: Store, runId: string, a: Authority): Promise<void> {
  const gw = await store.writer('grants');
  for (const { file, line, value: g } of a.grants) {
    gw.append({ run_id: runId, grant_id: g.id, provider: g.provider, tenant: g.tenant, identity: g.identity, resource: g.resource,
      permission: g.permission, max_level: g.max_level ?? null, owner: g.owner ?? null, approver: g.approver ?? null, ticket: g.ticket ?? null,
      granted_at: g.granted_at, expires_at: g.expires_at, justification: g.justification ?? null,
      is_glob: isGlob(g.identity) || isGlob(g.resource) || (g.tenant !== '*' && isGlob(g.tenant)), file, line,
      status: g.status, provenance: g.provenance === undefined ? null : JSON.stringify(typeof g.provenance === 'string' ? { signal: g.provenance } : g.provenance),
      last_reviewed: g.last_reviewed, reviewer: g.reviewer ?? null, owner_team: g.owner_team ?? null });
  }
  gw.close();
  const ow = await store.writer('owners');
  for (const { file, line, value: o } of a.owners) ow.append({ run_id: runId, provider: o.provider, tenant: o.tenant, identity: o.identity, owner: o.owner, file, line });
  ow.close();
  const pw = await store.writer('people');
  const lw = await store.writer('person_logins');
  for (const { file, line, value: p } of a.people) {
    pw.append({ run_id: runId, person_id: p.id, name: p.name ?? null, email: p.email ?? null, status: p.status, departed_at: p.departed_at, team: p.team ?? null, file, line });
    for (const [provider, logins] of Object.entries(p.logins)) for (const login of logins) lw.append({ run_id: runId, person_id: p.id, provider, login });
  }
  pw.close(); lw.close();
  const xw = await store.writer('exceptions');
  for (const { file, line, value: x } of a.exceptions) {
    xw.append({ run_id: runId, exception_id: x.id, finding_id: x.finding_id ?? null, rule_id: x.rule ?? null, match_ref: x.match ?? null,
      reason: x.reason, ticket: x.ticket ?? null, owner: x.owner ?? null, expires_at: x.expires_at, file, line });
  }
  xw.close();
  const rw = await store.writer('integration_register');
  for (const { file, line, value: r } of a.integrations ?? []) {
    rw.append({ run_id: runId, entry_id: r.id, provider: r.provider, tenant: r.tenant, app_id: r.app_id, name: r.name ?? null,
      approved_scopes: r.approved_scopes, max_level: r.max_level ?? null, owner: r.owner ?? null, approver: r.approver ?? null,
      ticket: r.ticket ?? null, approved_at: r.approved_at, expires_at: r.expires_at, justification: r.justification ?? null, file, line });
  }
  rw.close();
}
