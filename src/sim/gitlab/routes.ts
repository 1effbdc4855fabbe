// The GitLab REST routes the simulator serves, as GitLab's OpenAPI description names them. The schema extraction
// script (scripts/extract-gitlab-schemas.ts) and the contract test read this list. A route's response schema comes
// from its path entry in GitLab's published description (doc/api/openapi/openapi_v2.yaml) when the vendored excerpt
// (test/fixtures/gitlab/openapi_v2.excerpt.yaml) holds it; else from `entity`, the description's definition GitLab
// answers the route with; else (`restDocs`) the contract test checks it against the shape GitLab's REST
// documentation gives (test/fixtures/gitlab/rest-docs-shapes.json), and says so.
export interface RouteSpec {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  /** The success status (204: no body). */
  status: number;
  /** The description's definition answering this route (a list of it for a collection), when the excerpt lacks the path. */
  entity?: string;
  /** The REST documentation page the route is checked against, when the excerpt holds neither its path nor its entity. */
  restDocs?: string;
}

const DOCS = 'https://docs.gitlab.com/api';

export const ROUTES: RouteSpec[] = [
  { method: 'GET', path: '/api/v4/user', status: 200, entity: 'API_Entities_UserPublic' },
  { method: 'GET', path: '/api/v4/groups/{id}', status: 200, entity: 'API_Entities_GroupDetail' },
  { method: 'GET', path: '/api/v4/groups/{id}/descendant_groups', status: 200, entity: 'API_Entities_Group' },
  { method: 'GET', path: '/api/v4/groups/{id}/projects', status: 200, entity: 'API_Entities_Project' },
  { method: 'GET', path: '/api/v4/groups/{id}/members', status: 200, entity: 'API_Entities_Member' },
  { method: 'GET', path: '/api/v4/groups/{id}/members/all', status: 200, entity: 'API_Entities_Member' },
  { method: 'GET', path: '/api/v4/projects/{id}/members', status: 200, entity: 'API_Entities_Member' },
  { method: 'GET', path: '/api/v4/groups/{id}/access_tokens', status: 200, restDocs: `${DOCS}/group_access_tokens/` },
  { method: 'GET', path: '/api/v4/groups/{id}/access_tokens/{token_id}', status: 200, restDocs: `${DOCS}/group_access_tokens/` },
  { method: 'DELETE', path: '/api/v4/groups/{id}/access_tokens/{token_id}', status: 204, restDocs: `${DOCS}/group_access_tokens/` },
  { method: 'GET', path: '/api/v4/projects/{id}/access_tokens', status: 200, restDocs: `${DOCS}/project_access_tokens/` },
  { method: 'GET', path: '/api/v4/projects/{id}/access_tokens/{token_id}', status: 200, restDocs: `${DOCS}/project_access_tokens/` },
  { method: 'DELETE', path: '/api/v4/projects/{id}/access_tokens/{token_id}', status: 204, restDocs: `${DOCS}/project_access_tokens/` },
  { method: 'GET', path: '/api/v4/personal_access_tokens', status: 200, restDocs: `${DOCS}/personal_access_tokens/` },
  { method: 'GET', path: '/api/v4/personal_access_tokens/{id}', status: 200, restDocs: `${DOCS}/personal_access_tokens/` },
  { method: 'DELETE', path: '/api/v4/personal_access_tokens/{id}', status: 204, restDocs: `${DOCS}/personal_access_tokens/` },
  { method: 'GET', path: '/api/v4/groups/{id}/manage/personal_access_tokens', status: 200, restDocs: `${DOCS}/manage/` },
  { method: 'GET', path: '/api/v4/groups/{id}/deploy_tokens', status: 200, entity: 'API_Entities_DeployToken' },
  { method: 'GET', path: '/api/v4/groups/{id}/deploy_tokens/{token_id}', status: 200, entity: 'API_Entities_DeployToken' },
  { method: 'DELETE', path: '/api/v4/groups/{id}/deploy_tokens/{token_id}', status: 204, restDocs: `${DOCS}/deploy_tokens/` },
  { method: 'GET', path: '/api/v4/projects/{id}/deploy_tokens', status: 200 },
  { method: 'GET', path: '/api/v4/projects/{id}/deploy_tokens/{token_id}', status: 200 },
  { method: 'DELETE', path: '/api/v4/projects/{id}/deploy_tokens/{token_id}', status: 204 },
  { method: 'GET', path: '/api/v4/projects/{id}/deploy_keys', status: 200 },
  { method: 'GET', path: '/api/v4/projects/{id}/deploy_keys/{key_id}', status: 200 },
  { method: 'POST', path: '/api/v4/projects/{id}/deploy_keys', status: 201 },
  { method: 'DELETE', path: '/api/v4/projects/{id}/deploy_keys/{key_id}', status: 204 },
  { method: 'GET', path: '/api/v4/projects/{id}/variables', status: 200, entity: 'API_Entities_Ci_Variable' },
  { method: 'GET', path: '/api/v4/groups/{id}/variables', status: 200, entity: 'API_Entities_Ci_Variable' },
];
