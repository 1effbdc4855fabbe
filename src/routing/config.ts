// The `routing` block of the config: where new, changed and resolved findings are sent. Secrets (a webhook's HMAC key,
// a Slack webhook URL, API tokens) are named by environment variable only, never written in the config.
import { z } from 'zod';
import { SEVERITIES } from '../model/index.js';

const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name');
/** https, or http to this machine only (local stand-ins); never user-info in the URL (a password in a config file). */
const Url = z.string().url().superRefine((v, ctx) => {
  const u = new URL(v);
  if (u.username || u.password) ctx.addIssue({ code: 'custom', message: 'a URL must not carry a user or password; give credentials by environment variable' });
  const local = ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && local)) ctx.addIssue({ code: 'custom', message: 'https only (plain http is allowed for 127.0.0.1/localhost stand-ins)' });
});

const Common = {
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/).describe('Unique name of the destination; delivery state is kept per name, so renaming one starts it afresh.'),
  min_severity: z.enum(SEVERITIES).default('medium').describe('Route findings at or above this severity.'),
  owners: z.array(z.string().min(1)).default(['*']).describe('Route findings whose owner matches one of these globs (`*`: any, including none).'),
  rules: z.array(z.string().min(1)).default(['*']).describe('Route findings of these rule ids (globs).'),
  max_per_run: z.number().int().min(1).max(10_000).default(100).describe('At most this many deliveries per run; the rest wait for the next run (reported, never dropped).'),
};

export const WebhookDestination = z.strictObject({
  type: z.literal('webhook'), ...Common,
  url: Url,
  secret_env: EnvName.describe('Environment variable holding the HMAC-SHA256 key; the body is signed in the X-NHI-Recon-Signature header.'),
});
export const SlackDestination = z.strictObject({
  type: z.literal('slack'), ...Common,
  url_env: EnvName.describe('Environment variable holding the Slack incoming-webhook URL (the URL is itself the secret).'),
});
export const JiraDestination = z.strictObject({
  type: z.literal('jira'), ...Common,
  base_url: Url.describe('Jira site, e.g. https://acme.atlassian.net'),
  flavor: z.enum(['cloud', 'server']).default('cloud').describe('cloud: search through /rest/api/3/search/jql, basic auth email + API token; server/data center: /rest/api/2/search, bearer personal access token.'),
  project: z.string().min(1).describe('Project key issues are created in.'),
  issue_type: z.string().default('Task'),
  email: z.string().optional().describe('Account email for Jira Cloud basic auth.'),
  token_env: EnvName.describe('Environment variable holding the API token (cloud) or personal access token (server).'),
  close_transition: z.string().default('^(done|close|closed|resolve|resolved)$').describe('Regular expression for the transition name that closes an issue; else any transition into the done category.'),
  reopen_transition: z.string().default('^(reopen|reopened|to do|open)$').describe('Regular expression for the transition name that reopens an issue.'),
});
export const ServiceNowDestination = z.strictObject({
  type: z.literal('servicenow'), ...Common,
  instance_url: Url.describe('Instance, e.g. https://acme.service-now.com'),
  table: z.string().regex(/^[a-z0-9_]+$/).default('incident'),
  user: z.string().optional().describe('User for basic auth (with password_env); omit for a bearer token (token_env).'),
  password_env: EnvName.optional(),
  token_env: EnvName.optional(),
  resolved_state: z.string().default('6').describe('State value of a resolved record (incident: 6).'),
  reopened_state: z.string().default('2').describe('State value a record returns to when its finding regresses (incident: 2, In Progress).'),
  close_code: z.string().default('Solution provided').describe("close_code set on resolution (your instance's choice list)."),
}).refine((d) => (d.user ? !!d.password_env : !!d.token_env), { message: 'give user with password_env, or token_env' });

export const Destination = z.discriminatedUnion('type', [WebhookDestination, SlackDestination, JiraDestination, ServiceNowDestination]);
export type Destination = z.infer<typeof Destination>;

export const Routing = z.strictObject({
  enabled: z.boolean().default(true).describe('Route after every scan (and with `nhi-recon route`).'),
  destinations: z.array(Destination).default([]).superRefine((ds, ctx) => {
    const seen = new Set<string>();
    for (const [i, d] of ds.entries()) {
      if (seen.has(d.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `destination name "${d.name}" is used twice` });
      seen.add(d.name);
    }
  }),
}).describe('Notify owners of new, regressed, changed and resolved findings: a signed webhook, Slack, Jira or ServiceNow. Each finding is one thread per destination (updated, never duplicated); a delivery failure never fails the scan.');
export type Routing = z.infer<typeof Routing>;
