// What CI connectors (GitHub Actions, GitLab CI …) need to say about a stored secret that holds a long-lived cloud
// credential: which cloud it is for (from its name, never its value) and the OIDC trust that would replace it. Kept
// here, beside the connectors, so that the core reads only `attributes.ci` and never a provider's naming conventions.

/** `attributes.ci` of a CI secret and of anything tied to a pipeline (a cloud key tagged with it, a trust pinning it). */
export interface CiFacts {
  /** The pipeline: owner/repository (GitHub), group/project (GitLab); null when the secret reaches many. */
  pipeline: string | null;
  /** The cloud whose long-lived credential the secret holds, by its name; null when the name says nothing. */
  cloud?: 'aws' | 'gcp' | 'azure' | null;
  /** The trust the cloud would need to accept the pipeline's own OIDC token instead ({target_tenant}: the account). */
  proposed_trust?: Record<string, unknown> | null;
}

// By name segments: AWS_REGION or GOOGLE_PROJECT are configuration, AWS_SECRET_ACCESS_KEY or GCP_SA_KEY a credential.
const seg = (n: string, words: string) => new RegExp(`(^|_)(${words})(_|$)`, 'i').test(n);
const PATTERNS: [(n: string) => boolean, 'aws' | 'gcp' | 'azure'][] = [
  [(n) => seg(n, 'AWS') && /KEY|SECRET/i.test(n) && !/REGION|ARN|ROLE/i.test(n), 'aws'],
  [(n) => /^GOOGLE_(APPLICATION_)?CREDENTIALS$/i.test(n) || (seg(n, 'GCP|GCLOUD|GOOGLE|GCS|GKE') && /SA_KEY|SERVICE_ACCOUNT(_KEY)?|KEY_JSON|CREDENTIALS|_KEY$/i.test(n)), 'gcp'],
  [(n) => seg(n, 'AZURE|ARM') && /CLIENT_SECRET|CREDENTIALS|CLIENT_CERTIFICATE/i.test(n), 'azure'],
];

/** The cloud a secret's name says it holds a long-lived credential for. */
export function cloudOfSecretName(name: string): 'aws' | 'gcp' | 'azure' | null {
  for (const [test, cloud] of PATTERNS) if (test(name)) return cloud;
  return null;
}

export interface OidcIssuer {
  /** The issuer's host (token.actions.githubusercontent.com, gitlab.com). */
  host: string;
  /** The subject claim the pipeline's token carries for its default branch or environment. */
  subject: string;
  /** Claim names a GCP provider maps the pipeline from (attribute mapping and condition). */
  gcp: { mapping: Record<string, string>; condition: string };
}

/** The trust the cloud needs to accept the pipeline's OIDC token, with the subject pinned to one branch or environment. */
export function proposedTrust(cloud: 'aws' | 'gcp' | 'azure', issuer: OidcIssuer): Record<string, unknown> {
  if (cloud === 'aws') {
    return {
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Allow', Principal: { Federated: `arn:aws:iam::{target_tenant}:oidc-provider/${issuer.host}` }, Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { [`${issuer.host}:aud`]: 'sts.amazonaws.com', [`${issuer.host}:sub`]: issuer.subject } },
      }],
    };
  }
  if (cloud === 'gcp') {
    return { workloadIdentityPoolProvider: { oidc: { issuerUri: `https://${issuer.host}` }, attributeMapping: issuer.gcp.mapping, attributeCondition: issuer.gcp.condition },
      binding: { role: 'roles/iam.workloadIdentityUser', member: `principal://iam.googleapis.com/projects/{target_tenant}/locations/global/workloadIdentityPools/POOL/subject/${issuer.subject}` } };
  }
  return { federatedIdentityCredential: { issuer: `https://${issuer.host}`, subject: issuer.subject, audiences: ['api://AzureADTokenExchange'] } };
}

/** attributes.ci for a CI secret: its pipeline, the cloud its name names, and the trust that would replace it. */
export function ciSecretFacts(name: string, pipeline: string | null, issuer: OidcIssuer | null): CiFacts {
  const cloud = cloudOfSecretName(name);
  return { pipeline, cloud, proposed_trust: cloud && issuer ? proposedTrust(cloud, issuer) : null };
}

/** The GitHub Actions issuer for one repository's default branch, or one of its environments. */
export function githubActionsIssuer(repository: string, opts: { branch?: string | null; environment?: string | null } = {}): OidcIssuer {
  const subject = opts.environment ? `repo:${repository}:environment:${opts.environment}` : `repo:${repository}:ref:refs/heads/${opts.branch || 'main'}`;
  return { host: 'token.actions.githubusercontent.com', subject,
    gcp: { mapping: { 'google.subject': 'assertion.sub', 'attribute.repository': 'assertion.repository' }, condition: `assertion.repository == '${repository}'` } };
}

/** The GitLab CI issuer for one project's default branch. */
export function gitlabCiIssuer(host: string, project: string, branch = 'main'): OidcIssuer {
  return { host, subject: `project_path:${project}:ref_type:branch:ref:${branch}`,
    gcp: { mapping: { 'google.subject': 'assertion.sub', 'attribute.project_path': 'assertion.project_path' }, condition: `assertion.project_path == '${project}'` } };
}

// --- GitHub Actions subject claims -----------------------------------------------------------------------------
// A repository or organisation may customise the `sub` claim of its Actions OIDC tokens (an include_claim_keys
// template): the subject is then `key:value` pairs of the chosen claims in the template's order, e.g.
// ["repository_owner", "context"] → "repository_owner:acme:environment:prod". A template without a repository claim
// gives every repository of the owner the same subject, so a cloud trust that "pins" such a subject admits all of them.

export const GITHUB_ACTIONS_ISSUER = 'token.actions.githubusercontent.com';

/**
 * Claim names a subject may carry: the token's claims, `repo` (repo:owner/name) and what a template's `context` expands to
 * (environment:NAME, ref:REF or the bare pull_request).
 */
const GITHUB_SUB_KEYS = new Set(['repo', 'repository', 'repository_id', 'repository_owner', 'repository_owner_id', 'repository_visibility',
  'enterprise', 'enterprise_id', 'environment', 'environment_node_id', 'ref', 'ref_type', 'ref_protected', 'sha', 'head_ref', 'base_ref', 'event_name',
  'actor', 'actor_id', 'workflow', 'workflow_ref', 'workflow_sha', 'job_workflow_ref', 'job_workflow_sha', 'runner_environment', 'run_id', 'run_number',
  'run_attempt', 'check_run_id']);
/** Claims whose value names one repository (workflow_ref starts with the calling repository's owner/name). */
export const GITHUB_REPOSITORY_CLAIMS = ['repo', 'repository', 'repository_id', 'workflow_ref'];
/** Claims whose value names one owner (an organisation, an enterprise), or something under it. */
const GITHUB_OWNER_CLAIMS = [...GITHUB_REPOSITORY_CLAIMS, 'repository_owner', 'repository_owner_id', 'enterprise', 'enterprise_id', 'job_workflow_ref'];

/**
 * The claims a GitHub Actions subject is built from, with their values, in order; `open` when a wildcard stands where a
 * claim name would (the rest of the subject is any). Null when the value is not in the claim format at all (then
 * nothing is concluded from it).
 */
export function githubSubjectClaims(sub: string): { claims: [string, string][]; open: boolean } | null {
  const parts = sub.split(':');
  const claims: [string, string][] = [];
  for (let i = 0; i < parts.length;) {
    const key = parts[i]!;
    if (/[*?]/.test(key)) return claims.length ? { claims, open: true } : null;
    if (key === 'pull_request') { claims.push([key, '']); i++; continue; }
    if (!GITHUB_SUB_KEYS.has(key) || i + 1 >= parts.length) return null;
    claims.push([key, parts[i + 1]!]);
    i += 2;
  }
  return claims.length ? { claims, open: false } : null;
}

/**
 * What a GitHub Actions subject fails to pin: 'repository' when no repository claim is in it (a customised template
 * without repo/repository/repository_id), and whether it also names no owner (then any organisation whose template is
 * the same presents it). Null when nothing is missing or the value is not in the claim format.
 */
export function githubSubjectGap(sub: string): { missing: 'repository'; ownerless: boolean } | null {
  const parsed = githubSubjectClaims(sub);
  if (!parsed) return null;
  const keys = parsed.claims.map(([k]) => k);
  if (keys.some((k) => GITHUB_REPOSITORY_CLAIMS.includes(k))) return null;
  return { missing: 'repository', ownerless: !keys.some((k) => GITHUB_OWNER_CLAIMS.includes(k)) };
}

/** The owner/name a GitHub Actions subject pins through its `repo` claim, when literal. */
export function githubSubjectRepository(sub: string): string | null {
  const repo = githubSubjectClaims(sub)?.claims.find(([k]) => k === 'repo')?.[1];
  return repo && /^[^/*?]+\/[^/*?]+$/.test(repo) ? repo : null;
}
