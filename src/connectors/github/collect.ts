// Collection of one organisation. Org-wide listings first, then every repository in parallel (the shared fetch
// bounds requests in flight). Each scope that fails marks the tenant partial with its reason; a spent rate budget
// stops the whole tenant cleanly. Nothing that failed is ever reported as absent.
import type { ConnectorContext, TenantSink } from '../types.js';
import { RateBudgetExhaustedError } from '../http/fetch.js';
import { createClient, listAll, type Client } from './client.js';
import type { GitHubOptions, Scope } from './options.js';
import * as M from './map.js';
import { ciSecretFacts, githubActionsIssuer } from '../ci-cloud.js';

interface Repo { id: number; name: string; private: boolean; archived?: boolean; visibility?: string; default_branch?: string }
interface UserLite { login: string; type?: string }
interface Team { id: number; slug: string; name: string }
interface OrgSecret extends M.Secret { visibility: 'all' | 'private' | 'selected' }
interface Alert { number: number; secret_type: string; secret_type_display_name?: string; secret?: string; html_url: string; created_at: string;
  validity?: string; repository?: { full_name: string } }

export function statusOf(e: unknown): number | undefined {
  const s = (e as { status?: unknown })?.status;
  return typeof s === 'number' ? s : undefined;
}

/** Octokit wraps what fetch throws (our SourceUnavailableError, RateBudgetExhaustedError) in a RequestError 500. */
export function rootCause(e: unknown): unknown {
  const cause = (e as { cause?: unknown })?.cause;
  return cause instanceof Error && (e as { name?: string }).name === 'HttpError' ? cause : e;
}

export function describeError(e: unknown): string {
  e = rootCause(e);
  const status = statusOf(e);
  const msg = (e as Error)?.message ?? String(e);
  const text = status && !msg.startsWith(String(status)) ? `${status} ${msg}` : msg;
  // Name the call: method and URL (no query string: it may carry cursors or filters, never needed to debug).
  const req = (e as { request?: { method?: string; url?: string } })?.request;
  return req?.url ? `${req.method ?? 'GET'} ${req.url.split('?')[0]} → ${text}` : text;
}

/** A 404 on the organisation from a GitHub Enterprise Server whose base_url lacks /api/v3 is the usual cause: say so. */
export function enterpriseHint(baseUrl: string | undefined, status: number | undefined): string {
  if (status !== 404 || !baseUrl) return '';
  const u = baseUrl.replace(/\/+$/, '');
  if (/\/api\/v3$/.test(u) || /^https:\/\/api\.github\.com$/i.test(u)) return '';
  return ` (for GitHub Enterprise Server the base_url ends in /api/v3: ${u}/api/v3)`;
}

export async function collectOrg(ctx: ConnectorContext<GitHubOptions>, org: string, sink: TenantSink, installationId?: number): Promise<void> {
  const o = ctx.options;
  const skip = new Set<Scope>(o.skip);
  const machine = o.machine_users.map(M.globToRegExp);
  const abort = new AbortController();
  const signal = AbortSignal.any([ctx.signal, abort.signal]);
  const client = createClient({ options: o, env: ctx.env, http: sink.http, signal, installationId });
  // Secret-scanning alerts carry the secret itself: they are read without the ETag cache so no value is stored.
  const noCache = createClient({ options: o, env: ctx.env, http: { ...sink.http, cache: null }, signal, installationId });
  const list = <T>(c: Client, route: string, params: Record<string, unknown>, key?: string, onPage?: (items: T[]) => void) =>
    listAll<T>(c, route, { params, key, maxPages: o.max_pages, onPage: onPage as ((items: unknown[]) => void) | undefined });

  let stopped = false;
  const notRun: string[] = [];
  /** Runs one scope; its failure marks the tenant partial, a spent budget stops everything still to come. */
  const scope = async (name: string, fn: () => Promise<void>, opts: { absentOn404?: boolean; on403?: string } = {}) => {
    if (stopped) { notRun.push(name); return; }
    try {
      await fn();
    } catch (err) {
      const e = rootCause(err);
      if (e instanceof RateBudgetExhaustedError) {
        if (!stopped) { stopped = true; abort.abort(e); sink.partial(`${org}: rate budget exhausted during ${name}; collection stopped: ${e.message}`); }
        return;
      }
      if (stopped) { notRun.push(name); return; }
      if (opts.absentOn404 && statusOf(e) === 404) { ctx.log.debug(`${org}: ${name} not available (404): treated as none`); return; }
      const hint = statusOf(e) === 403 && opts.on403 ? ` (${opts.on403})` : '';
      sink.partial(`${org}: ${name}: ${describeError(e)}${hint}`);
    }
  };

  // The organisation itself must be readable: otherwise the tenant failed (thrown), it is not empty.
  let orgInfo: { default_repository_permission?: string | null };
  try {
    orgInfo = (await client.request('GET /orgs/{org}', { org })).data as typeof orgInfo;
  } catch (err) {
    const e = rootCause(err);
    throw new Error(`${describeError(e)}${enterpriseHint(o.base_url, statusOf(e))}`);
  }
  const basePermission = orgInfo.default_repository_permission ?? null;

  const users = new Map<string, M.UserFacts>();
  const seeUser = (u: UserLite, facts: Partial<M.UserFacts> = {}) => {
    const cur = users.get(u.login) ?? { login: u.login, type: u.type };
    users.set(u.login, { ...cur, ...Object.fromEntries(Object.entries(facts).filter(([, v]) => v !== undefined)), type: cur.type ?? u.type });
  };

  let repos: Repo[] = [];
  let teams: Team[] = [];
  const outside = new Set<string>();
  const alertsByLast8 = new Map<string, Alert[]>();
  let alertCount = 0;
  // The organisation's Actions settings; null when not collected (skipped or failed: then nothing is concluded per repository).
  let orgWorkflow: M.WorkflowPermissions | null = null;
  let orgSubKeys: string[] | null = null;
  let orgSubKnown = false;
  const adminRead = o.app ? 'the App needs the Administration organisation permission (read)' : 'a classic token needs admin:org; a fine-grained token the Administration organisation permission (read)';

  const repoTasks: Promise<void>[] = [];
  let markOutside!: () => void;
  let markActions!: () => void;
  const outsideSettled = new Promise<void>((resolve) => { markOutside = resolve; });
  const orgActionsSettled = new Promise<void>((resolve) => { markActions = resolve; });

  // --- every repository ------------------------------------------------------------------------------------
  // A repository may only be stricter than its organisation (GitHub disables the permissive choices below a read or
  // no-approval organisation default): when the organisation is read without approval, every repository is too, and
  // no per-repository call is needed.
  // Each repository starts as soon as its page of the listing arrives (the listing is a serial chain of pages; waiting
  // for its end left most of the concurrency idle). What a repository needs from the organisation-wide answers (the
  // Actions settings, the outside collaborators) is awaited where it is used.
  const collectRepo = async (repo: Repo): Promise<void> => {
    const full = `${org}/${repo.name}`;
    const p = { owner: org, repo: repo.name };
    // Workflows of an archived repository do not run: it has no token to judge.
    const actions = !repo.archived ? (async () => {
      await orgActionsSettled;
      const wf = orgWorkflow as M.WorkflowPermissions | null;
      if (!wf && !orgSubKnown) return;
      const repoWorkflowCalls = !!wf && (wf.default_workflow_permissions === 'write' || wf.can_approve_pull_request_reviews);
      let perms: M.WorkflowPermissions | null = repoWorkflowCalls ? null : wf;
      let setAt: 'organization' | 'repository' = 'organization';
      let subject: M.OidcSubjectFacts | null = null;
      await Promise.all([
        repoWorkflowCalls ? scope(`default workflow permissions of ${full}`, async () => {
          const r = (await client.request('GET /repos/{owner}/{repo}/actions/permissions/workflow', p)).data as M.WorkflowPermissions;
          perms = r;
          if (r.default_workflow_permissions !== wf!.default_workflow_permissions || r.can_approve_pull_request_reviews !== wf!.can_approve_pull_request_reviews) setAt = 'repository';
        }, { on403: o.app ? 'the App needs the Administration repository permission (read)' : 'a classic token needs repo; a fine-grained token the Administration repository permission (read)' }) : null,
        orgSubKnown ? scope(`OIDC subject template of ${full}`, async () => {
          subject = M.oidcSubjectOf((await client.request('GET /repos/{owner}/{repo}/actions/oidc/customization/sub', p)).data as { use_default?: boolean; include_claim_keys?: string[] }, orgSubKeys);
          // A 404 for one repository (GitHub documents it for this route) says nothing about the organisation's
          // collection: that repository has no template recorded. Cloud trusts are judged from their subject anyway.
        }, { absentOn404: true, on403: o.app ? 'the App needs the Actions repository permission (read)' : 'a classic token needs repo; a fine-grained token the Actions repository permission (read)' }) : null,
      ]);
      if (!perms && !subject) return;
      const rec = M.workflowRecords(org, repo.name, perms, setAt, subject);
      sink.identity(rec.identity);
      if (rec.entitlement) sink.entitlement(rec.entitlement);
    })() : null;
    await Promise.all([
      actions,
      skip.has('collaborators') ? null : scope(`collaborators of ${full}`, async () => {
        const collaborators = await list<UserLite & { role_name?: string; permissions?: Record<string, boolean> }>(client, 'GET /repos/{owner}/{repo}/collaborators', { ...p, affiliation: 'direct' });
        await outsideSettled; // who is an outside collaborator decides how each entitlement reads
        for (const c of collaborators) {
          seeUser(c);
          sink.entitlement(M.collaboratorEntitlement(org, repo.name, c, outside.has(c.login)));
        }
      }),
      skip.has('deploy_keys') ? null : scope(`deploy keys of ${full}`, async () => {
        for (const k of await list<M.DeployKey>(client, 'GET /repos/{owner}/{repo}/keys', p)) {
          const rec = M.deployKeyRecords(org, repo.name, k);
          sink.identity(rec.identity); sink.credential(rec.credential); sink.entitlement(rec.entitlement);
        }
      }),
      skip.has('actions_secrets') ? null : scope(`Actions secrets of ${full}`, async () => {
        for (const s of await list<M.Secret>(client, 'GET /repos/{owner}/{repo}/actions/secrets', p, 'secrets')) {
          const r = M.ref.repoSecret(org, repo.name, s.name);
          sink.credential(M.secretCredential(r, s, { scope: 'repository', repository: full, ci: ciSecretFacts(s.name, full, githubActionsIssuer(full, { branch: repo.default_branch })) }));
          sink.entitlement(M.secretExposure(r, s.name, org, repo.name, 'repository'));
        }
      }),
      skip.has('environment_secrets') ? null : scope(`environments of ${full}`, async () => {
        let envs: { name: string }[];
        try { envs = await list<{ name: string }>(client, 'GET /repos/{owner}/{repo}/environments', p, 'environments'); } catch (err) {
          // Environments do not exist on every plan (private repositories on Free): that is "not applicable", not a
          // hole in the collection. Any other failure still marks the tenant partial.
          const e = rootCause(err);
          if (statusOf(e) === 404 || (statusOf(e) === 403 && /plan|upgrade|not available/i.test((e as Error).message))) {
            ctx.log.debug(`${full}: environments not applicable (${statusOf(e)}): ${(e as Error).message}`);
            return;
          }
          throw err;
        }
        await Promise.all(envs.map((env) => scope(`secrets of environment ${env.name} in ${full}`, async () => {
          for (const s of await list<M.Secret>(client, 'GET /repos/{owner}/{repo}/environments/{environment_name}/secrets', { ...p, environment_name: env.name }, 'secrets')) {
            const r = M.ref.envSecret(org, repo.name, env.name, s.name);
            sink.credential(M.secretCredential(r, s, { scope: 'environment', repository: full, environment: env.name, ci: ciSecretFacts(s.name, full, githubActionsIssuer(full, { environment: env.name })) }));
            sink.entitlement(M.secretExposure(r, s.name, org, repo.name, `environment:${env.name}`));
          }
        })));
      }),
    ]);
  };

  // --- org-wide listings, in parallel ---------------------------------------------------------------------
  await Promise.all([
    scope('repositories', async () => {
      repos = await list<Repo>(client, 'GET /orgs/{org}/repos', { org, type: 'all' }, undefined, (page) => { for (const r of page) repoTasks.push(collectRepo(r)); });
    }),
    skip.has('members') ? null : scope('members', async () => {
      const [admins, all] = await Promise.all([
        list<UserLite>(client, 'GET /orgs/{org}/members', { org, role: 'admin' }),
        list<UserLite>(client, 'GET /orgs/{org}/members', { org, role: 'all' }),
      ]);
      const adminSet = new Set(admins.map((a) => a.login));
      for (const u of [...all, ...admins.filter((a) => !all.some((x) => x.login === a.login))]) {
        const role = adminSet.has(u.login) ? 'admin' : 'member';
        seeUser(u, { role });
        sink.entitlement(M.memberEntitlement(org, u.login, role, basePermission));
      }
    }),
    (skip.has('outside_collaborators') ? Promise.resolve() : scope('outside collaborators', async () => {
      for (const u of await list<UserLite>(client, 'GET /orgs/{org}/outside_collaborators', { org })) { outside.add(u.login); seeUser(u, { outside: true }); }
    })).finally(markOutside),
    skip.has('invitations') ? null : scope('pending invitations', async () => {
      for (const i of await list<{ id: number; login: string | null; email: string | null; role: string; created_at: string; inviter?: { login: string } }>(client, 'GET /orgs/{org}/invitations', { org })) {
        sink.identity({ ref: M.ref.invitation(org, i.id), kind: 'user', name: i.login ?? i.email ?? `invitation ${i.id}`, login: i.login, human: true,
          created_at: M.d(i.created_at), last_used_known: false, disabled: true,
          attributes: { pending_invitation: true, role: i.role, inviter: i.inviter?.login ?? null, email_invited: !!i.email } });
      }
    }),
    skip.has('teams') ? null : scope('teams', async () => { teams = await list<Team>(client, 'GET /orgs/{org}/teams', { org }); }),
    skip.has('secret_scanning') ? null : scope('secret-scanning alerts', async () => {
      // Secret values are never requested unless the user opted in to token matching (see the option's description).
      const alerts = await list<Alert>(noCache, 'GET /orgs/{org}/secret-scanning/alerts', { org, state: 'open', hide_secret: !o.match_leaked_tokens });
      // Alerts whose "secret" is a key identifier (an AWS access key id is not a secret) are read once more, filtered to
      // exactly those types, with the identifier shown: it lets the core match the leak to the key of any source.
      // No other type's value is ever requested.
      const idTypes = [...new Set(alerts.map((a) => a.secret_type).filter((t) => M.IDENTIFIER_SECRET_TYPES.test(t)))];
      if (idTypes.length && !o.match_leaked_tokens) {
        const shown = await list<Alert>(noCache, 'GET /orgs/{org}/secret-scanning/alerts', { org, state: 'open', secret_type: idTypes.join(','), hide_secret: false });
        const byNumber = new Map(shown.filter((s) => idTypes.includes(s.secret_type)).map((s) => [`${s.repository?.full_name}#${s.number}`, s.secret]));
        for (const a of alerts) {
          const id = byNumber.get(`${a.repository?.full_name}#${a.number}`);
          if (id && idTypes.includes(a.secret_type)) a.secret = id;
        }
      }
      for (const a of alerts) {
        alertCount++;
        // Every open alert is evidence of an exposure, matched or not: a record of its own (kind exposed_secret) that
        // the generic leaked-credential rule turns into a finding — on the credential it names, or on the repository.
        sink.credential(M.exposureRecord(org, a));
        if (!o.match_leaked_tokens) { delete a.secret; continue; }
        // Only the last eight characters are kept, to match what GitHub shows of an authorized token; the value is dropped here.
        const last8 = M.tokenLastEight(a.secret_type, a.secret);
        delete a.secret;
        if (last8) alertsByLast8.set(last8, [...(alertsByLast8.get(last8) ?? []), a]);
      }
    }, { absentOn404: true, on403: 'needs secret_scanning_alerts: read (App) or security_events / admin:org (token)' }),
    Promise.all([
      skip.has('workflow_permissions') ? null : scope('default workflow permissions', async () => {
        orgWorkflow = (await client.request('GET /orgs/{org}/actions/permissions/workflow', { org })).data as M.WorkflowPermissions;
      }, { on403: adminRead }),
      skip.has('actions_oidc') ? null : scope('OIDC subject template', async () => {
        try {
          orgSubKeys = ((await client.request('GET /orgs/{org}/actions/oidc/customization/sub', { org })).data as { include_claim_keys?: string[] }).include_claim_keys ?? null;
        } catch (err) {
          // GitHub answers 404 for an organisation that has not customised its template: GitHub's default applies.
          if (statusOf(rootCause(err)) !== 404) throw err;
        }
        orgSubKnown = true;
      }, { on403: adminRead }),
    ]).finally(markActions),
  ]);

  // --- what depends on the repository list and the alerts ---------------------------------------------------
  const orgSecretsTask = skip.has('actions_secrets') ? null : scope('organisation Actions secrets', async () => {
    const secrets = await list<OrgSecret>(client, 'GET /orgs/{org}/actions/secrets', { org }, 'secrets');
    await Promise.all(secrets.map(async (s) => {
      const r = M.ref.orgSecret(org, s.name);
      // An organisation secret reaches many pipelines: no single trust replaces it, but its name still says what it holds.
      sink.credential(M.secretCredential(r, s, { scope: 'organization', visibility: s.visibility, ci: ciSecretFacts(s.name, null, null) }));
      const exposed = s.visibility === 'all' ? repos : s.visibility === 'private' ? repos.filter((x) => x.private) : null;
      if (exposed) { for (const x of exposed) sink.entitlement(M.secretExposure(r, s.name, org, x.name, 'organization')); return; }
      await scope(`repositories of organisation secret ${s.name}`, async () => {
        for (const x of await list<Repo>(client, 'GET /orgs/{org}/actions/secrets/{secret_name}/repositories', { org, secret_name: s.name }, 'repositories')) {
          sink.entitlement(M.secretExposure(r, s.name, org, x.name, 'organization'));
        }
      });
    }));
  });

  const rolesTask = skip.has('org_roles') ? null : scope('organisation roles', async () => {
    const roles = await list<{ id: number; name: string; base_role?: string | null; permissions: string[] }>(client, 'GET /orgs/{org}/organization-roles', { org }, 'roles');
    await Promise.all(roles.map(async (role) => {
      const { level, privileged } = M.orgRoleLevel(role.name, role.base_role, role.permissions);
      const common = { resource_ref: M.ref.org(org), permission: `org_role:${role.name}`, level, privileged, via: 'role' as const, attributes: { role_id: role.id, permissions: role.permissions } };
      await Promise.all([
        scope(`holders of organisation role ${role.name}`, async () => {
          for (const u of await list<UserLite & { assignment?: string }>(client, 'GET /orgs/{org}/organization-roles/{role_id}/users', { org, role_id: role.id })) {
            seeUser(u);
            sink.entitlement({ ...common, ref: M.ref.orgRole(org, role.id, 'user', u.login), identity_ref: M.ref.user(org, u.login), identity_name: u.login, path: u.assignment ?? null });
          }
        }),
        scope(`teams holding organisation role ${role.name}`, async () => {
          for (const t of await list<Team>(client, 'GET /orgs/{org}/organization-roles/{role_id}/teams', { org, role_id: role.id })) {
            sink.entitlement({ ...common, ref: M.ref.orgRole(org, role.id, 'team', t.slug), identity_ref: M.ref.team(org, t.slug), identity_name: t.slug });
          }
        }),
      ]);
    }));
  }, { absentOn404: true });

  const teamsTask = Promise.all(teams.map((t) => scope(`team ${t.slug}`, async () => {
    const [members, trepos] = await Promise.all([
      list<UserLite>(client, 'GET /orgs/{org}/teams/{team_slug}/members', { org, team_slug: t.slug }),
      list<Repo & { role_name?: string; permissions?: Record<string, boolean> }>(client, 'GET /orgs/{org}/teams/{team_slug}/repos', { org, team_slug: t.slug }),
    ]);
    sink.identity({ ref: M.ref.team(org, t.slug), kind: 'team', name: t.slug, human: null, last_used_known: false, attributes: { team_id: t.id, name: t.name, members: members.length } });
    for (const r of trepos) {
      const level = M.repoLevel(r.role_name, r.permissions);
      const permission = r.role_name ?? level;
      sink.entitlement({ ref: M.ref.teamRepo(org, r.name, t.slug), identity_ref: M.ref.team(org, t.slug), identity_name: t.slug, resource_ref: M.ref.repo(org, r.name),
        permission, level, privileged: level === 'admin', via: 'direct' });
      for (const m of members) {
        seeUser(m);
        sink.entitlement({ ref: M.ref.teamMemberRepo(org, r.name, t.slug, m.login), identity_ref: M.ref.user(org, m.login), identity_name: m.login,
          resource_ref: M.ref.repo(org, r.name), permission, level, privileged: level === 'admin', via: 'team', path: `team:${t.slug}` });
      }
    }
  })));

  const installationsTask = skip.has('app_installations') ? null : scope('GitHub App installations', async () => {
    type Inst = Parameters<typeof M.installationRecords>[1];
    const insts = await list<Inst>(client, 'GET /orgs/{org}/installations', { org }, 'installations');
    // Who publishes each App decides first- or third-party: one call per distinct App, before any record is written.
    const apps = new Map<string, M.AppInfo | null>();
    await Promise.all([...new Set(insts.map((i) => i.app_slug))].map(async (slug) => {
      try {
        const a = (await client.request('GET /apps/{app_slug}', { app_slug: slug })).data as { name?: string; owner?: { login?: string; slug?: string; type?: string } | null };
        apps.set(slug, { owner: a.owner?.login ?? a.owner?.slug ?? null, owner_type: a.owner?.type ?? null, name: a.name ?? null });
      } catch (e) {
        if (statusOf(rootCause(e)) !== 404) throw e;
        apps.set(slug, null); // a private App: only its owner can install it
      }
    }));
    for (const i of insts) {
      const rec = M.installationRecords(org, i, apps.get(i.app_slug) ?? null);
      sink.identity(rec.identity);
      for (const e of rec.entitlements) sink.entitlement(e);
    }
  });

  const patsTask = skip.has('fine_grained_pats') ? null : scope('fine-grained personal access tokens', async () => {
    const pats = await list<M.PatGrant>(client, 'GET /orgs/{org}/personal-access-tokens', { org });
    await Promise.all(pats.map(async (p) => {
      seeUser(p.owner);
      sink.credential(M.patCredential(org, p));
      if (Object.keys(p.permissions.organization ?? {}).length) sink.entitlement(M.patEntitlement(org, p, M.ref.org(org), 'organization'));
      if (p.repository_selection === 'all') { sink.entitlement(M.patEntitlement(org, p, M.ref.org(org), 'repository')); return; }
      if (p.repository_selection !== 'subset') return;
      await scope(`repositories of fine-grained PAT ${p.id}`, async () => {
        for (const r of await list<Repo>(client, 'GET /orgs/{org}/personal-access-tokens/{pat_id}/repositories', { org, pat_id: p.id })) {
          sink.entitlement(M.patEntitlement(org, p, M.ref.repo(org, r.name), 'repository'));
        }
      });
    }));
  }, { on403: o.app ? 'the App needs organization_personal_access_tokens: read' : 'listing fine-grained PATs needs GitHub App authentication; use `app`, or add fine_grained_pats to `skip`' });

  const credAuthTask = skip.has('credential_authorizations') ? null : scope('SAML credential authorizations', async () => {
    let matched = 0;
    for (const c of await list<M.CredAuth>(client, 'GET /orgs/{org}/credential-authorizations', { org })) {
      seeUser({ login: c.login });
      const rec = M.credAuthCredential(org, c);
      const hits = c.token_last_eight ? alertsByLast8.get(c.token_last_eight) : undefined;
      if (hits?.length) {
        matched += hits.length;
        const a = hits[0]!;
        rec.leak_signal = `open secret-scanning alert #${a.number} (${a.secret_type_display_name ?? a.secret_type}) in ${a.repository?.full_name ?? org}, since ${a.created_at}`;
        rec.attributes = { ...rec.attributes, leak_alerts: hits.map((h) => ({ number: h.number, secret_type: h.secret_type, html_url: h.html_url,
          repository: h.repository?.full_name ?? null, created_at: h.created_at, validity: h.validity ?? null })) };
      }
      sink.credential(rec);
    }
    if (alertCount) ctx.log.info(`${org}: ${alertCount} open secret-scanning alert(s), ${matched} matched to a collected credential`);
  }, { absentOn404: true });

  const reposTask = Promise.all(repoTasks);

  await Promise.all([orgSecretsTask, rolesTask, teamsTask, installationsTask, patsTask, credAuthTask, reposTask]);

  for (const u of users.values()) sink.identity(M.userIdentity(org, { ...u, outside: outside.has(u.login) || u.outside }, machine));
  if (notRun.length) sink.partial(`${org}: not collected after the rate budget ran out: ${notRun.slice(0, 5).join('; ')}${notRun.length > 5 ? ` … and ${notRun.length - 5} more` : ''}`);
}
