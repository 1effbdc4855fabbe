// The bridge to the over-privilege analysis (src/connectors/aws/privilege/). It is loaded lazily: the action
// catalogue is large and only needed once an account's authorization details are in hand.
import type { AuthorizationDetails, PrincipalAnalysis } from './privilege/index.js';

export type { AuthorizationDetails, Classification, PrincipalAnalysis } from './privilege/index.js';
export type Analyze = (details: AuthorizationDetails) => Map<string, PrincipalAnalysis>;

let loaded: Promise<Analyze> | undefined;

export function loadAnalysis(): Promise<Analyze> {
  loaded ??= import('./privilege/index.js').then((m) => (d: AuthorizationDetails) => m.analyzeAuthorizationDetails(d));
  return loaded;
}
