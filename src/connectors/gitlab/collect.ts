// Collection of one tenant (a top-level group, by full path): the group, its subgroups and projects (discovered with
// include_subgroups), then members, access tokens, deploy tokens and keys and CI/CD variables of each, in parallel
// (the shared fetch bounds requests in flight), and finally the members' personal access tokens. Each scope that
// fails marks the tenant partial with its reason; a spent rate budget stops the tenant cleanly. Nothing that failed
// is ever reported as absent.
import type { ConnectorContext, TenantSink } from '../types.js';
import { RateBudgetExhaustedError } from '../http/fetch.js';
import { createClient, type GitLabClient } from './client.js';
import type { GitLabOptions, Scope } from './options.js';
import * as M from './map.js';

export function statusOf(e: unknown): number | undefined {
  const s = (e as { status?: unknown })?.status;
  return typeof s === 'number' ? s : undefined;
}

const parseAll = <T>(schema: { parse(v: unknown): T }, what: string, items: unknown[]): T[] => items.map((x, i) => {
  try { return schema.parse(x); } catch (e) { throw new Error(`${what}: item ${i} is not in GitLab's shape: ${(e as Error).message.slice(0, 200)}`); }
});

/** gitlab.com (and its dedicated hosts) has no instance administrators to list everyone's PATs. */
export function isDotcom(baseUrl: string): boolean {
  return /^https?:\/\/(www\.)?gitlab\.com(\/|$)/i.test(baseUrl);
}

export async function collectGroup(ctx: ConnectorContext<GitLabOptions>, tenant: string, sink: TenantSink): Promise<void> {
  const o = ctx.options;
  const skip = new Set<Scope>(o.skip);
  const abort = new AbortController();
  const signal = AbortSignal.any([ctx.signal, abort.signal]);
  const client: GitLabClient = createClient({ options: o, env: ctx.env, http: sink.http, signal });
  const per = { perPage: 100 };

  let stopped = false;
  const notRun: string[] = [];
  const scope = async (name: string, fn: () => Promise<void>, opts: { on403?: string } = {}) => {
    if (stopped) { notRun.push(name); return; }
    try {
      await fn();
    } catch (e) {
      if (e instanceof RateBudgetExhaustedError) {
        if (!stopped) { stopped = true; abort.abort(e); sink.partial(`${tenant}: rate budget exhausted during ${name}; collection stopped: ${e.message}`); }
        return;
      }
      if (stopped) { notRun.push(name); return; }
      const hint = statusOf(e) === 403 && opts.on403 ? ` (${opts.on403})` : '';
      sink.partial(`${tenant}: ${name}: ${(e as Error).message}${hint}`);
    }
  };

  // The tenant group itself must be readable: otherwise the tenant failed (thrown), it is not empty.
  const top = M.Group.parse(await client.api().Groups.show(tenant));
  const root = top.full_path;

  let groups: M.Group[] = [top];
  let projects: M.Project[] = [];
  const users = new Map<number, M.Member>();
  const seeUser = (m: M.Member) => { if (!users.has(m.id)) users.set(m.id, m); };
  let membersComplete = true;

  const members = async (kind: 'group' | 'project', path: string, inherited: boolean) => {
    const api = kind === 'group' ? 'GroupMembers' : 'ProjectMembers';
    const direct = parseAll(M.Member, `members of ${path}`, await client.list(`members of ${path}`, (a) => a[api].all(path, per)));
    const all = inherited ? parseAll(M.Member, `members of ${path}`, await client.list(`all members of ${path}`, (a) => a[api].all(path, { ...per, includeInherited: true }))) : direct;
    const directIds = new Set(direct.map((m) => m.id));
    for (const m of all) {
      seeUser(m);
      sink.entitlement(M.memberEntitlement(root, path, kind, m, directIds.has(m.id) ? 'direct' : 'inherited'));
    }
  };

  // --- structure and the tenant's own members ---------------------------------------------------------------
  await Promise.all([
    scope('subgroups', async () => {
      groups = [top, ...parseAll(M.Group, 'subgroups', await client.list(`subgroups of ${root}`, (a) => a.Groups.allDescendantGroups(root, per)))];
    }),
    scope('projects', async () => {
      projects = parseAll(M.Project, 'projects', await client.list(`projects of ${root}`, (a) => a.Groups.allProjects(root, { ...per, includeSubgroups: true })));
    }),
  ]);

  const memberTask = skip.has('members') ? null : Promise.all([
    ...groups.map((g) => scope(`members of group ${g.full_path}`, async () => {
      try { await members('group', g.full_path, g.id === top.id); } catch (e) { membersComplete = false; throw e; }
    })),
    ...projects.map((p) => scope(`members of project ${p.path_with_namespace}`, async () => {
      try { await members('project', p.path_with_namespace, false); } catch (e) { membersComplete = false; throw e; }
    })),
  ]);

  const ON403_TOKENS = 'listing access tokens needs the Maintainer role on a project, Owner on a group';
  const ON403_MAINT = 'needs the Maintainer role (or Owner) on it';
  const tokens: { kind: 'group' | 'project'; path: string; t: M.AccessToken }[] = [];

  const perGroup = groups.map((g) => Promise.all([
    skip.has('access_tokens') ? null : scope(`access tokens of group ${g.full_path}`, async () => {
      for (const t of parseAll(M.AccessToken, 'group access tokens', await client.list(`access tokens of ${g.full_path}`, (a) => a.GroupAccessTokens.all(g.full_path, per)))) {
        tokens.push({ kind: 'group', path: g.full_path, t });
      }
    }, { on403: ON403_TOKENS }),
    skip.has('deploy_tokens') ? null : scope(`deploy tokens of group ${g.full_path}`, async () => {
      for (const t of parseAll(M.DeployToken, 'deploy tokens', await client.list(`deploy tokens of ${g.full_path}`, (a) => a.DeployTokens.all({ groupId: g.full_path, ...per })))) {
        const rec = M.deployTokenRecords('group', g.full_path, t, ctx.now);
        sink.identity(rec.identity); sink.credential(rec.credential); sink.entitlement(rec.entitlement);
      }
    }, { on403: ON403_MAINT }),
    skip.has('variables') ? null : scope(`CI/CD variables of group ${g.full_path}`, async () => {
      for (const v of parseAll(M.Variable, 'variables', await client.list(`variables of ${g.full_path}`, (a) => a.GroupVariables.all(g.full_path, per)))) {
        const rec = M.variableRecords('group', g.full_path, v);
        sink.credential(rec.credential); sink.entitlement(rec.entitlement);
      }
    }, { on403: ON403_MAINT }),
  ]));

  const perProject = projects.map((p) => {
    const path = p.path_with_namespace;
    return Promise.all([
      skip.has('access_tokens') ? null : scope(`access tokens of project ${path}`, async () => {
        for (const t of parseAll(M.AccessToken, 'project access tokens', await client.list(`access tokens of ${path}`, (a) => a.ProjectAccessTokens.all(path, per)))) {
          tokens.push({ kind: 'project', path, t });
        }
      }, { on403: ON403_TOKENS }),
      skip.has('deploy_tokens') ? null : scope(`deploy tokens of project ${path}`, async () => {
        for (const t of parseAll(M.DeployToken, 'deploy tokens', await client.list(`deploy tokens of ${path}`, (a) => a.DeployTokens.all({ projectId: path, ...per })))) {
          const rec = M.deployTokenRecords('project', path, t, ctx.now);
          sink.identity(rec.identity); sink.credential(rec.credential); sink.entitlement(rec.entitlement);
        }
      }, { on403: ON403_MAINT }),
      skip.has('deploy_keys') ? null : scope(`deploy keys of project ${path}`, async () => {
        for (const k of parseAll(M.DeployKey, 'deploy keys', await client.list(`deploy keys of ${path}`, (a) => a.DeployKeys.all({ projectId: path, ...per })))) {
          const rec = M.deployKeyRecords(path, k, ctx.now);
          sink.identity(rec.identity); sink.credential(rec.credential); sink.entitlement(rec.entitlement);
        }
      }, { on403: ON403_MAINT }),
      skip.has('variables') ? null : scope(`CI/CD variables of project ${path}`, async () => {
        for (const v of parseAll(M.Variable, 'variables', await client.list(`variables of ${path}`, (a) => a.ProjectVariables.all(path, per)))) {
          const rec = M.variableRecords('project', path, v);
          sink.credential(rec.credential); sink.entitlement(rec.entitlement);
        }
      }, { on403: ON403_MAINT }),
    ]);
  });

  await Promise.all([memberTask, ...perGroup, ...perProject]);

  // Access tokens, now that the bot users are known from the member lists (a revoked token's bot is gone).
  for (const { kind, path, t } of tokens) {
    const bot = users.get(t.user_id)?.username ?? null;
    const rec = M.accessTokenRecords(root, kind, path, t, bot, ctx.now);
    if (!bot) sink.identity({ ...M.userIdentity(root, { id: t.user_id, username: `${kind}_bot_user_${t.user_id}`, state: 'removed' }), kind: 'bot', human: false });
    sink.credential(rec.credential); sink.entitlement(rec.entitlement);
  }

  // --- members' personal access tokens -----------------------------------------------------------------------
  if (!skip.has('personal_access_tokens') && o.personal_access_tokens !== 'skip' && !skip.has('members')) {
    const mode = o.personal_access_tokens === 'auto' ? (isDotcom(o.base_url) ? 'enterprise' : 'instance') : o.personal_access_tokens;
    await scope('personal access tokens', async () => {
      let list: unknown[];
      if (mode === 'instance') {
        const me = (await client.api().Users.showCurrentUser()) as { is_admin?: boolean };
        if (me.is_admin !== true) {
          // A non-administrator's GET /personal_access_tokens lists only its own tokens: that is not "members have none".
          sink.partial(`${tenant}: personal access tokens: listing other users' tokens (GET /personal_access_tokens) needs an administrator token on self-managed GitLab; on gitlab.com use personal_access_tokens: enterprise (group Owner), or set personal_access_tokens: skip`);
          return;
        }
        list = await client.list('personal access tokens', (a) => a.PersonalAccessTokens.all(per));
      } else {
        list = await client.listPath('enterprise users\' personal access tokens', `groups/${encodeURIComponent(root)}/manage/personal_access_tokens`);
      }
      if (!membersComplete) ctx.log.debug(`${tenant}: some member lists failed; PATs of members not seen are not collected`);
      for (const t of parseAll(M.AccessToken, 'personal access tokens', list)) {
        const u = users.get(t.user_id);
        if (!u || M.BOT_USERNAME.test(u.username)) continue; // not a member of this tenant
        sink.credential(M.patCredential(root, t, u.username, ctx.now, mode));
      }
    }, { on403: mode === 'enterprise' ? 'GET /groups/:id/manage/personal_access_tokens needs the Owner role of a top-level group on gitlab.com (Premium/Ultimate, enterprise users)' : 'needs an administrator token' });
  }

  for (const u of users.values()) sink.identity(M.userIdentity(root, u));
  if (notRun.length) sink.partial(`${tenant}: not collected after the rate budget ran out: ${notRun.slice(0, 5).join('; ')}${notRun.length > 5 ? ` … and ${notRun.length - 5} more` : ''}`);
}
