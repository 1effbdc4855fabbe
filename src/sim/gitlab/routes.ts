// The GitLab REST routes the simulator serves, as GitLab's OpenAPI description names them. The schema extraction
// script (scripts/extract-gitlab-schemas.ts) and the contract test read this list. `described: false` marks a route
// GitLab's published description (doc/api/openapi/openapi_v2.yaml) does not cover: the contract test checks those
// against the shapes documented in GitLab's REST docs instead, and says so.
export interface RouteSpec {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  /** The success status (204: no body). */
  status: number;
}

export const ROUTES: RouteSpec[] = [
  { method: 'GET', path: '/api/v4/user', status: 200 },
  { method: 'GET', path: '/api/v4/groups/{id}', status: 200 },
  { method: 'GET', path: '/api/v4/groups/{id}/descendant_groups', status: 200 },
  { method: 'GET', path: '/api/v4/groups/{id}/projects', status: 200 },
  { method: 'GET', path: '/api/v4/groups/{id}/members', status: 200 },
  { method: 'GET', path: '/api/v4/groups/{id}/members/all', status: 200 },
  { method: 'GET', path: '/api/v4/projects/{id}/members', status: 200 },
  { method: 'GET', path: '/api/v4/groups/{id}/access_tokens', status: 200 },
  { method: 'GET', path: '/api/v4/groups/{id}/access_tokens/{token_id}', status: 200 },
  { method: 'DELETE', path: '/api/v4/groups/{id}/access_tokens/{token_id}', status: 204 },
  { method: 'GET', path: '/api/v4/projects/{id}/access_tokens', status: 200 },
  { method: 'GET', path: '/api/v4/projects/{id}/access_tokens/{token_id}', status: 200 },
  { method: 'DELETE', path: '/api/v4/projects/{id}/access_tokens/{token_id}', status: 204 },
  { method: 'GET', path: '/api/v4/personal_access_tokens', status: 200 },
  { method: 'GET', path: '/api/v4/personal_access_tokens/{id}', status: 200 },
  { method: 'DELETE', path: '/api/v4/personal_access_tokens/{id}', status: 204 },
  { method: 'GET', path: '/api/v4/groups/{id}/manage/personal_access_tokens', status: 200 },
  { method: 'GET', path: '/api/v4/groups/{id}/deploy_tokens', status: 200 },
  { method: 'GET', path: '/api/v4/groups/{id}/deploy_tokens/{token_id}', status: 200 },
  { method: 'DELETE', path: '/api/v4/groups/{id}/deploy_tokens/{token_id}', status: 204 },
  { method: 'GET', path: '/api/v4/projects/{id}/deploy_tokens', status: 200 },
  { method: 'GET', path: '/api/v4/projects/{id}/deploy_tokens/{token_id}', status: 200 },
  { method: 'DELETE', path: '/api/v4/projects/{id}/deploy_tokens/{token_id}', status: 204 },
  { method: 'GET', path: '/api/v4/projects/{id}/deploy_keys', status: 200 },
  { method: 'GET', path: '/api/v4/projects/{id}/deploy_keys/{key_id}', status: 200 },
  { method: 'POST', path: '/api/v4/projects/{id}/deploy_keys', status: 201 },
  { method: 'DELETE', path: '/api/v4/projects/{id}/deploy_keys/{key_id}', status: 204 },
  { method: 'GET', path: '/api/v4/projects/{id}/variables', status: 200 },
  { method: 'GET', path: '/api/v4/groups/{id}/variables', status: 200 },
];
