// JSON bodies in the shapes GitHub's OpenAPI description gives them (checked by test/sim/github/contract.test.ts).
import type {
  RepoPermission, SimAlert, SimCredentialAuthorization, SimDeployKey, SimEnvironment, SimFinePat, SimInstallation, SimInvitation,
  SimOrg, SimOrgRole, SimOrgSecret, SimRepo, SimSecret, SimTeam, SimUser,
} from './estate.js';

export function simpleUser(api: string, u: SimUser): Record<string, unknown> {
  const web = api.replace(/\/api\/v3$/, '');
  return {
    login: u.login, id: u.id, node_id: `MDQ6VXNlcj${u.id}`, avatar_url: `${web}/avatars/u/${u.id}`, gravatar_id: '',
    url: `${api}/users/${u.login}`, html_url: `${web}/${u.login}`, followers_url: `${api}/users/${u.login}/followers`,
    following_url: `${api}/users/${u.login}/following{/other_user}`, gists_url: `${api}/users/${u.login}/gists{/gist_id}`,
    starred_url: `${api}/users/${u.login}/starred{/owner}{/repo}`, subscriptions_url: `${api}/users/${u.login}/subscriptions`,
    organizations_url: `${api}/users/${u.login}/orgs`, repos_url: `${api}/users/${u.login}/repos`,
    events_url: `${api}/users/${u.login}/events{/privacy}`, received_events_url: `${api}/users/${u.login}/received_events`,
    type: u.type, site_admin: false, user_view_type: 'public',
  };
}

export function orgAsUser(api: string, org: SimOrg): Record<string, unknown> {
  return { ...simpleUser(api, { login: org.login, id: org.id, type: 'User' }), type: 'Organization' };
}

export function organization(api: string, org: SimOrg): Record<string, unknown> {
  const web = api.replace(/\/api\/v3$/, '');
  const o = `${api}/orgs/${org.login}`;
  return {
    login: org.login, id: org.id, node_id: `MDEyOk9yZ2FuaXphdGlvbj${org.id}`, url: o, repos_url: `${o}/repos`, events_url: `${o}/events`,
    hooks_url: `${o}/hooks`, issues_url: `${o}/issues`, members_url: `${o}/members{/member}`, public_members_url: `${o}/public_members{/member}`,
    avatar_url: `${web}/avatars/o/${org.id}`, description: null, name: org.login, html_url: `${web}/${org.login}`,
    has_organization_projects: true, has_repository_projects: true, public_repos: org.repos.filter((r) => !r.private).length,
    public_gists: 0, followers: 0, following: 0, type: 'Organization', total_private_repos: org.repos.filter((r) => r.private).length,
    owned_private_repos: org.repos.filter((r) => r.private).length, default_repository_permission: org.default_repository_permission,
    two_factor_requirement_enabled: true, created_at: org.created_at, updated_at: org.created_at, archived_at: null,
  };
}

const PERM_FLAGS: Record<RepoPermission, Record<string, boolean>> = {
  read: { admin: false, maintain: false, push: false, triage: false, pull: true },
  triage: { admin: false, maintain: false, push: false, triage: true, pull: true },
  write: { admin: false, maintain: false, push: true, triage: true, pull: true },
  maintain: { admin: false, maintain: true, push: true, triage: true, pull: true },
  admin: { admin: true, maintain: true, push: true, triage: true, pull: true },
};

export function repository(api: string, org: SimOrg, repo: SimRepo, perm?: RepoPermission): Record<string, unknown> {
  const web = api.replace(/\/api\/v3$/, '');
  const full = `${org.login}/${repo.name}`;
  const u = `${api}/repos/${full}`;
  const out: Record<string, unknown> = {
    id: repo.id, node_id: `MDEwOlJlcG9zaXRvcnk${repo.id}`, name: repo.name, full_name: full, owner: orgAsUser(api, org), private: repo.private,
    html_url: `${web}/${full}`, description: null, fork: false, url: u, archive_url: `${u}/{archive_format}{/ref}`,
    assignees_url: `${u}/assignees{/user}`, blobs_url: `${u}/git/blobs{/sha}`, branches_url: `${u}/branches{/branch}`,
    collaborators_url: `${u}/collaborators{/collaborator}`, comments_url: `${u}/comments{/number}`, commits_url: `${u}/commits{/sha}`,
    compare_url: `${u}/compare/{base}...{head}`, contents_url: `${u}/contents/{+path}`, contributors_url: `${u}/contributors`,
    deployments_url: `${u}/deployments`, downloads_url: `${u}/downloads`, events_url: `${u}/events`, forks_url: `${u}/forks`,
    git_commits_url: `${u}/git/commits{/sha}`, git_refs_url: `${u}/git/refs{/sha}`, git_tags_url: `${u}/git/tags{/sha}`,
    git_url: `git://${web.replace(/^https?:\/\//, '')}/${full}.git`, issue_comment_url: `${u}/issues/comments{/number}`,
    issue_events_url: `${u}/issues/events{/number}`, issues_url: `${u}/issues{/number}`, keys_url: `${u}/keys{/key_id}`,
    labels_url: `${u}/labels{/name}`, languages_url: `${u}/languages`, merges_url: `${u}/merges`, milestones_url: `${u}/milestones{/number}`,
    notifications_url: `${u}/notifications{?since,all,participating}`, pulls_url: `${u}/pulls{/number}`, releases_url: `${u}/releases{/id}`,
    ssh_url: `git@${web.replace(/^https?:\/\//, '')}:${full}.git`, stargazers_url: `${u}/stargazers`, statuses_url: `${u}/statuses/{sha}`,
    subscribers_url: `${u}/subscribers`, subscription_url: `${u}/subscription`, tags_url: `${u}/tags`, teams_url: `${u}/teams`,
    trees_url: `${u}/git/trees{/sha}`, clone_url: `${web}/${full}.git`, mirror_url: null, hooks_url: `${u}/hooks`, svn_url: `${web}/${full}`,
    homepage: null, language: null, forks_count: 0, stargazers_count: 0, watchers_count: 0, size: 100, default_branch: 'main',
    open_issues_count: 0, is_template: false, topics: [], has_issues: true, has_projects: true, has_wiki: false, has_pages: false,
    has_downloads: true, has_discussions: false, archived: repo.archived, disabled: false, visibility: repo.private ? 'private' : 'public',
    pushed_at: repo.pushed_at, created_at: repo.created_at, updated_at: repo.pushed_at, forks: 0, open_issues: 0, watchers: 0,
    license: null, allow_forking: false, web_commit_signoff_required: false,
  };
  if (perm) { out.permissions = PERM_FLAGS[perm]; out.role_name = perm; }
  return out;
}

export function collaborator(api: string, u: SimUser, perm: RepoPermission): Record<string, unknown> {
  return { ...simpleUser(api, u), permissions: PERM_FLAGS[perm], role_name: perm };
}

function teamBase(api: string, org: SimOrg, t: SimTeam): Record<string, unknown> {
  const web = api.replace(/\/api\/v3$/, '');
  return {
    id: t.id, node_id: `MDQ6VGVhbT${t.id}`, url: `${api}/organizations/${org.id}/team/${t.id}`, html_url: `${web}/orgs/${org.login}/teams/${t.slug}`,
    name: t.name, slug: t.slug, description: null, privacy: 'closed', notification_setting: 'notifications_enabled', permission: 'pull',
    members_url: `${api}/organizations/${org.id}/team/${t.id}/members{/member}`, repositories_url: `${api}/organizations/${org.id}/team/${t.id}/repos`,
    parent: null, type: 'organization', organization_id: org.id,
  };
}
export const team = teamBase;
export function teamRoleAssignment(api: string, org: SimOrg, t: SimTeam): Record<string, unknown> { return { ...teamBase(api, org, t), assignment: 'direct' }; }

export function teamMember(api: string, u: SimUser, role: 'member' | 'maintainer'): Record<string, unknown> { return { ...simpleUser(api, u), role, inherited: false }; }

export function invitation(api: string, org: SimOrg, inv: SimInvitation, inviter: SimUser): Record<string, unknown> {
  return {
    id: inv.id, login: inv.login, email: inv.email, role: inv.role, created_at: inv.created_at, failed_at: null, failed_reason: null,
    inviter: simpleUser(api, inviter), team_count: 0, node_id: `MDIyOk9yZ2FuaXphdGlvbkludml0YXRpb24${inv.id}`,
    invitation_teams_url: `${api}/organizations/${org.id}/invitations/${inv.id}/teams`, invitation_source: 'member',
  };
}

export function orgRole(api: string, org: SimOrg, role: SimOrgRole): Record<string, unknown> {
  return {
    id: role.id, name: role.name, description: role.description, base_role: role.base_role, source: role.source, permissions: role.permissions,
    organization: role.source === 'Predefined' ? null : orgAsUser(api, org), created_at: org.created_at, updated_at: org.created_at,
  };
}

export function deployKey(api: string, org: SimOrg, repo: SimRepo, k: SimDeployKey): Record<string, unknown> {
  return {
    id: k.id, key: k.key, url: `${api}/repos/${org.login}/${repo.name}/keys/${k.id}`, title: k.title, verified: true,
    created_at: k.created_at, read_only: k.read_only, added_by: k.added_by, last_used: k.last_used, enabled: k.enabled ?? true,
  };
}

export function secret(s: SimSecret): Record<string, unknown> { return { name: s.name, created_at: s.created_at, updated_at: s.updated_at }; }
export function orgSecret(api: string, org: SimOrg, s: SimOrgSecret): Record<string, unknown> {
  const out: Record<string, unknown> = { ...secret(s), visibility: s.visibility };
  if (s.visibility === 'selected') out.selected_repositories_url = `${api}/orgs/${org.login}/actions/secrets/${s.name}/repositories`;
  return out;
}

export function environment(api: string, org: SimOrg, repo: SimRepo, e: SimEnvironment): Record<string, unknown> {
  const web = api.replace(/\/api\/v3$/, '');
  return {
    id: e.id, node_id: `MDExOkVudmlyb25tZW50${e.id}`, name: e.name, url: `${api}/repos/${org.login}/${repo.name}/environments/${encodeURIComponent(e.name)}`,
    html_url: `${web}/${org.login}/${repo.name}/deployments/activity_log?environments_filter=${encodeURIComponent(e.name)}`,
    created_at: e.created_at, updated_at: e.created_at, protection_rules: [],
  };
}

export function installation(api: string, org: SimOrg, i: SimInstallation, suspender: SimUser | null): Record<string, unknown> {
  const web = api.replace(/\/api\/v3$/, '');
  return {
    id: i.id, account: orgAsUser(api, org), repository_selection: i.repository_selection,
    access_tokens_url: `${api}/app/installations/${i.id}/access_tokens`, repositories_url: `${api}/installation/repositories`,
    html_url: `${web}/organizations/${org.login}/settings/installations/${i.id}`, app_id: i.app_id, client_id: `Iv1.${i.app_id}`,
    target_id: org.id, target_type: 'Organization', permissions: i.permissions, events: i.events, created_at: i.created_at,
    updated_at: i.updated_at, single_file_name: null, has_multiple_single_files: false, single_file_paths: [], app_slug: i.app_slug,
    suspended_by: suspender ? simpleUser(api, suspender) : null, suspended_at: i.suspended_at,
  };
}

export function patGrant(api: string, org: SimOrg, p: SimFinePat, owner: SimUser): Record<string, unknown> {
  return {
    id: p.id, owner: simpleUser(api, owner), repository_selection: p.repository_selection,
    repositories_url: `${api}/orgs/${org.login}/personal-access-tokens/${p.id}/repositories`,
    permissions: { organization: p.permissions.organization ?? {}, repository: p.permissions.repository ?? {}, other: p.permissions.other ?? {} },
    access_granted_at: p.access_granted_at, token_id: p.token_id, token_name: p.token_name, token_expired: p.token_expired,
    token_expires_at: p.token_expires_at, token_last_used_at: p.token_last_used_at,
  };
}

export function credentialAuthorization(c: SimCredentialAuthorization): Record<string, unknown> {
  const out: Record<string, unknown> = {
    login: c.login, credential_id: c.credential_id, credential_type: c.credential_type, credential_authorized_at: c.credential_authorized_at,
    scopes: c.scopes, credential_accessed_at: c.credential_accessed_at, authorized_credential_id: c.authorized_credential_id,
    authorized_credential_title: c.authorized_credential_title, authorized_credential_note: c.authorized_credential_note,
    authorized_credential_expires_at: c.authorized_credential_expires_at,
  };
  if (c.token_last_eight) out.token_last_eight = c.token_last_eight;
  if (c.fingerprint) out.fingerprint = c.fingerprint;
  return out;
}

export function simpleRepository(api: string, org: SimOrg, repo: SimRepo): Record<string, unknown> {
  const full = repository(api, org, repo);
  const keep = ['id', 'node_id', 'name', 'full_name', 'owner', 'private', 'html_url', 'description', 'fork', 'url', 'archive_url', 'assignees_url',
    'blobs_url', 'branches_url', 'collaborators_url', 'comments_url', 'commits_url', 'compare_url', 'contents_url', 'contributors_url',
    'deployments_url', 'downloads_url', 'events_url', 'forks_url', 'git_commits_url', 'git_refs_url', 'git_tags_url', 'issue_comment_url',
    'issue_events_url', 'issues_url', 'keys_url', 'labels_url', 'languages_url', 'merges_url', 'milestones_url', 'notifications_url',
    'pulls_url', 'releases_url', 'stargazers_url', 'statuses_url', 'subscribers_url', 'subscription_url', 'tags_url', 'teams_url', 'trees_url', 'hooks_url'];
  return Object.fromEntries(keep.map((k) => [k, full[k]]));
}

export function alert(api: string, org: SimOrg, repo: SimRepo, a: SimAlert, hideSecret: boolean): Record<string, unknown> {
  const web = api.replace(/\/api\/v3$/, '');
  const out: Record<string, unknown> = {
    number: a.number, created_at: a.created_at, updated_at: a.created_at, url: `${api}/repos/${org.login}/${repo.name}/secret-scanning/alerts/${a.number}`,
    html_url: `${web}/${org.login}/${repo.name}/security/secret-scanning/${a.number}`,
    locations_url: `${api}/repos/${org.login}/${repo.name}/secret-scanning/alerts/${a.number}/locations`, state: a.state,
    resolution: null, resolved_at: null, resolved_by: null, secret_type: a.secret_type, secret_type_display_name: a.secret_type_display_name,
    repository: simpleRepository(api, org, repo), push_protection_bypassed: false, push_protection_bypassed_by: null,
    push_protection_bypassed_at: null, resolution_comment: null, validity: a.validity, publicly_leaked: false, multi_repo: false, has_more_locations: false,
  };
  if (!hideSecret) out.secret = a.secret;
  return out;
}
