// The Okta management API routes the simulator serves, named as in Okta's OpenAPI description
// (github.com/okta/okta-management-openapi-spec). The schema extraction script (scripts/extract-okta-schemas.ts) and
// the contract test read this list, so a new route is one line here.
export interface RouteSpec {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  /** The success status whose body the contract test validates (none for 204 and for the lifecycle calls). */
  status: number;
}

export const ROUTES: RouteSpec[] = [
  { method: 'GET', path: '/api/v1/api-tokens', status: 200 },
  { method: 'GET', path: '/api/v1/api-tokens/{apiTokenId}', status: 200 },
  { method: 'DELETE', path: '/api/v1/api-tokens/{apiTokenId}', status: 204 },
  { method: 'GET', path: '/api/v1/apps', status: 200 },
  { method: 'GET', path: '/api/v1/apps/{appId}', status: 200 },
  { method: 'POST', path: '/api/v1/apps/{appId}/lifecycle/deactivate', status: 200 },
  { method: 'POST', path: '/api/v1/apps/{appId}/lifecycle/activate', status: 200 },
  { method: 'GET', path: '/api/v1/apps/{appId}/grants', status: 200 },
  { method: 'GET', path: '/api/v1/apps/{appId}/credentials/secrets', status: 200 },
  { method: 'GET', path: '/api/v1/apps/{appId}/credentials/secrets/{secretId}', status: 200 },
  { method: 'POST', path: '/api/v1/apps/{appId}/credentials/secrets/{secretId}/lifecycle/deactivate', status: 200 },
  { method: 'POST', path: '/api/v1/apps/{appId}/credentials/secrets/{secretId}/lifecycle/activate', status: 200 },
  { method: 'GET', path: '/api/v1/apps/{appId}/credentials/jwks', status: 200 },
  { method: 'GET', path: '/oauth2/v1/clients/{clientId}/roles', status: 200 },
  { method: 'GET', path: '/api/v1/users/{id}', status: 200 },
];

/** Error bodies are checked against Okta's Error shape ({errorCode, errorSummary, errorLink, errorId, errorCauses}). */
export const ERROR_SCHEMA = 'Error';
