// The GitHub REST routes the simulator serves, named as in GitHub's OpenAPI description. The schema extraction script
// (scripts/extract-github-schemas.ts) and the contract test read this list, so a new route is one line here.
export interface RouteSpec {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  /** The success status whose body the contract test validates (none for 204). */
  status: number;
}

export const ROUTES: RouteSpec[] = [
  { method: 'GET', path: '/orgs/{org}', status: 200 },
  { method: 'GET', path: '/orgs/{org}/members', status: 200 },
  { method: 'GET', path: '/orgs/{org}/organization-roles', status: 200 },
  { method: 'GET', path: '/orgs/{org}/organization-roles/{role_id}/users', status: 200 },
  { method: 'GET', path: '/orgs/{org}/organization-roles/{role_id}/teams', status: 200 },
  { method: 'GET', path: '/orgs/{org}/invitations', status: 200 },
  { method: 'GET', path: '/orgs/{org}/outside_collaborators', status: 200 },
  { method: 'DELETE', path: '/orgs/{org}/outside_collaborators/{username}', status: 204 },
  { method: 'GET', path: '/orgs/{org}/repos', status: 200 },
  { method: 'GET', path: '/orgs/{org}/teams', status: 200 },
  { method: 'GET', path: '/orgs/{org}/teams/{team_slug}/members', status: 200 },
  { method: 'GET', path: '/orgs/{org}/teams/{team_slug}/repos', status: 200 },
  { method: 'GET', path: '/orgs/{org}/teams/{team_slug}/repos/{owner}/{repo}', status: 200 },
  { method: 'PUT', path: '/orgs/{org}/teams/{team_slug}/repos/{owner}/{repo}', status: 204 },
  { method: 'DELETE', path: '/orgs/{org}/teams/{team_slug}/repos/{owner}/{repo}', status: 204 },
  { method: 'GET', path: '/repos/{owner}/{repo}/collaborators', status: 200 },
  { method: 'GET', path: '/repos/{owner}/{repo}/collaborators/{username}', status: 204 },
  { method: 'PUT', path: '/repos/{owner}/{repo}/collaborators/{username}', status: 204 },
  { method: 'DELETE', path: '/repos/{owner}/{repo}/collaborators/{username}', status: 204 },
  { method: 'GET', path: '/repos/{owner}/{repo}/keys', status: 200 },
  { method: 'POST', path: '/repos/{owner}/{repo}/keys', status: 201 },
  { method: 'GET', path: '/repos/{owner}/{repo}/keys/{key_id}', status: 200 },
  { method: 'DELETE', path: '/repos/{owner}/{repo}/keys/{key_id}', status: 204 },
  { method: 'GET', path: '/repos/{owner}/{repo}/actions/secrets', status: 200 },
  { method: 'GET', path: '/repos/{owner}/{repo}/actions/secrets/{secret_name}', status: 200 },
  { method: 'DELETE', path: '/repos/{owner}/{repo}/actions/secrets/{secret_name}', status: 204 },
  { method: 'GET', path: '/repos/{owner}/{repo}/environments', status: 200 },
  { method: 'GET', path: '/repos/{owner}/{repo}/environments/{environment_name}/secrets', status: 200 },
  { method: 'GET', path: '/repos/{owner}/{repo}/environments/{environment_name}/secrets/{secret_name}', status: 200 },
  { method: 'DELETE', path: '/repos/{owner}/{repo}/environments/{environment_name}/secrets/{secret_name}', status: 204 },
  { method: 'GET', path: '/orgs/{org}/actions/secrets', status: 200 },
  { method: 'GET', path: '/orgs/{org}/actions/secrets/{secret_name}', status: 200 },
  { method: 'DELETE', path: '/orgs/{org}/actions/secrets/{secret_name}', status: 204 },
  { method: 'GET', path: '/orgs/{org}/actions/secrets/{secret_name}/repositories', status: 200 },
  { method: 'GET', path: '/orgs/{org}/installations', status: 200 },
  { method: 'GET', path: '/orgs/{org}/personal-access-tokens', status: 200 },
  { method: 'POST', path: '/orgs/{org}/personal-access-tokens/{pat_id}', status: 204 },
  { method: 'GET', path: '/orgs/{org}/personal-access-tokens/{pat_id}/repositories', status: 200 },
  { method: 'GET', path: '/orgs/{org}/credential-authorizations', status: 200 },
  { method: 'DELETE', path: '/orgs/{org}/credential-authorizations/{credential_id}', status: 204 },
  { method: 'GET', path: '/orgs/{org}/secret-scanning/alerts', status: 200 },
  { method: 'GET', path: '/app', status: 200 },
  { method: 'GET', path: '/app/installations', status: 200 },
  { method: 'POST', path: '/app/installations/{installation_id}/access_tokens', status: 201 },
  { method: 'GET', path: '/app/installations/{installation_id}', status: 200 },
  { method: 'PUT', path: '/app/installations/{installation_id}/suspended', status: 204 },
  { method: 'DELETE', path: '/app/installations/{installation_id}/suspended', status: 204 },
  { method: 'GET', path: '/apps/{app_slug}', status: 200 },
  { method: 'GET', path: '/orgs/{org}/actions/permissions/workflow', status: 200 },
  { method: 'GET', path: '/repos/{owner}/{repo}/actions/permissions/workflow', status: 200 },
  { method: 'GET', path: '/orgs/{org}/actions/oidc/customization/sub', status: 200 },
  { method: 'GET', path: '/repos/{owner}/{repo}/actions/oidc/customization/sub', status: 200 },
];

/** Error bodies are checked against GitHub's basic-error shape. */
export const ERROR_SCHEMA = 'basic-error';
