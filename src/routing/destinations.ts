// The four destination kinds. Each turns an event about a finding into the destination's own calls and returns the
// thread's id there (issue key, record sys_id) when it has one. Text from the estate (names, reasons) is untrusted:
// control and bidi characters are made visible, and each format's markup is escaped so a crafted resource name cannot
// inject links, mentions or formatting.
import { createHmac, randomUUID } from 'node:crypto';
import { createFetch, newCounters, DEFAULT_RETRY, redactUrl, type RetryPolicy } from '../connectors/http/fetch.js';
import { visible, truncate } from '../reports/escape.js';
import type { Logger } from '../log.js';
import type { Destination } from './config.js';

export type RoutingEvent = 'open' | 'reopen' | 'update' | 'close';

export interface RoutedFinding {
  finding_id: string; rule_id: string; severity: string; status: string;
  provider: string | null; tenant: string | null; source: string | null;
  subject_type: string; subject_ref: string; identity_ref: string | null; resource_ref: string | null; permission: string | null;
  level: string | null; owner: string | null; owner_status: string | null; reason: string; evidence: string | null;
  first_seen: string; last_seen: string; resolved_at: string | null; carried: boolean; suppressed_by: string | null;
}

/**
 * `idempotency` is the same for every attempt to deliver one transition of one finding — within a run and when a
 * killed run's delivery is sent again by the next — and differs for any later transition.
 */
export interface Sender { send(event: RoutingEvent, f: RoutedFinding, externalId: string | null, idempotency: string): Promise<string | null> }

export interface SenderContext { env: NodeJS.ProcessEnv; baseFetch?: typeof fetch; retry?: RetryPolicy; runId: string; log: Logger }

/** A secret by environment variable; its absence is an error naming the variable, never a value. */
function secret(env: NodeJS.ProcessEnv, name: string, what: string): string {
  const v = env[name];
  if (!v) throw new Error(`${what}: environment variable ${name} is not set`);
  return v;
}

class DeliveryError extends Error {}

async function check(res: Response, call: string): Promise<Response> {
  if (res.ok) return res;
  // The body may echo what we sent, never a secret of ours; still only its first line, capped.
  const body = (await res.text().catch(() => '')).split('\n')[0]!.slice(0, 200);
  throw new DeliveryError(`${call} answered HTTP ${res.status}${body ? `: ${body}` : ''}`);
}

const clean = (s: string | null | undefined, max = 300) => truncate(visible(s ?? ''), max);

const TITLE: Record<RoutingEvent, string> = { open: 'New finding', reopen: 'Finding regressed', update: 'Finding changed', close: 'Finding resolved' };

function summaryLine(f: RoutedFinding): string {
  return `[${f.severity}] ${f.rule_id}: ${f.subject_ref}`;
}

function closeNote(f: RoutedFinding, runId: string): string {
  return `Resolved in run ${runId}: a complete collection of ${f.source ?? '?'}/${f.tenant ?? '?'} no longer shows it (resolved at ${f.resolved_at ?? 'unknown'}).`;
}

/** The event body every kind shares (the webhook sends exactly this). */
export function eventPayload(event: RoutingEvent, f: RoutedFinding, runId: string): Record<string, unknown> {
  let evidence: unknown = null;
  try { evidence = f.evidence ? JSON.parse(f.evidence) : null; } catch { evidence = null; }
  return {
    schema: 'nhi-recon.routing/1', event: `finding.${event === 'open' ? 'opened' : event === 'reopen' ? 'regressed' : event === 'update' ? 'updated' : 'resolved'}`,
    run_id: runId,
    finding: {
      id: f.finding_id, rule: f.rule_id, severity: f.severity, status: f.status, provider: f.provider, tenant: f.tenant, source: f.source,
      subject_type: f.subject_type, subject_ref: f.subject_ref, identity_ref: f.identity_ref, resource_ref: f.resource_ref,
      permission: f.permission, level: f.level, owner: f.owner, owner_status: f.owner_status, reason: f.reason, evidence,
      first_seen: f.first_seen, last_seen: f.last_seen, resolved_at: f.resolved_at, carried: f.carried,
    },
  };
}

function http(ctx: SenderContext): typeof fetch {
  return createFetch({ counters: newCounters(), retry: ctx.retry ?? { ...DEFAULT_RETRY, retries: 3 }, concurrency: 2, baseFetch: ctx.baseFetch });
}

function webhook(d: Extract<Destination, { type: 'webhook' }>, ctx: SenderContext): Sender {
  const key = secret(ctx.env, d.secret_env, `webhook ${d.name}`);
  const f = http(ctx);
  return {
    async send(event, finding, _externalId, idempotency) {
      const body = JSON.stringify(eventPayload(event, finding, ctx.runId));
      const ts = Math.floor(Date.now() / 1000).toString();
      const sig = createHmac('sha256', key).update(`${ts}.${body}`).digest('hex');
      // Stable for one transition of one finding, so a receiver can drop a duplicate of a retried delivery.
      const idem = createHmac('sha256', 'nhi-recon').update(`${d.name}|${idempotency}`).digest('hex').slice(0, 32);
      await check(await f(d.url, {
        method: 'POST', body,
        headers: { 'content-type': 'application/json', 'x-nhi-recon-timestamp': ts, 'x-nhi-recon-signature': `sha256=${sig}`, 'x-nhi-recon-delivery': randomUUID(), 'idempotency-key': idem },
      }), `POST ${redactUrl(d.url)}`);
      return null;
    },
  };
}

/** Slack mrkdwn: &, < and > are the only control characters; escaping them stops links and @channel mentions. */
export function slackEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function slack(d: Extract<Destination, { type: 'slack' }>, ctx: SenderContext): Sender {
  const url = secret(ctx.env, d.url_env, `slack ${d.name}`);
  const f = http(ctx);
  return {
    async send(event, finding) {
      const e = (s: string | null) => slackEscape(clean(s));
      const text = `${TITLE[event]}: ${e(summaryLine(finding))}`;
      const lines = [
        `*${TITLE[event]}* — ${e(finding.severity)} \`${e(finding.rule_id)}\``,
        `${e(finding.reason)}`,
        `subject: \`${e(finding.subject_ref)}\` · ${e(finding.source)}/${e(finding.tenant)} · owner: ${e(finding.owner ?? 'none')}`,
        event === 'close' ? e(closeNote(finding, ctx.runId)) : `finding ${e(finding.finding_id)} · first seen ${e(finding.first_seen)}`,
      ];
      // The Slack URL is the secret: errors name the destination, never the URL.
      await check(await f(url, { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } }], unfurl_links: false, unfurl_media: false }) }), `slack ${d.name} webhook`);
      return null;
    },
  };
}

/** Jira wiki markup: backslash-escape the characters that start markup, links, macros and mentions. */
export function jiraEscape(s: string): string {
  return s.replace(/([\\[\]{}|*_+^~?!#\-])/g, '\\$1');
}

function jira(d: Extract<Destination, { type: 'jira' }>, ctx: SenderContext): Sender {
  const token = secret(ctx.env, d.token_env, `jira ${d.name}`);
  if (d.flavor === 'cloud' && !d.email) throw new Error(`jira ${d.name}: Jira Cloud needs \`email\` with the API token`);
  const auth = d.flavor === 'cloud' ? `Basic ${Buffer.from(`${d.email}:${token}`).toString('base64')}` : `Bearer ${token}`;
  const f = http(ctx);
  const base = d.base_url.replace(/\/+$/, '');
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await check(await f(`${base}${path}`, { method, headers: { authorization: auth, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined }), `jira ${method} ${path.split('?')[0]}`);
    return res.status === 204 ? null : (await res.json().catch(() => null)) as any;
  };
  const label = (f: RoutedFinding) => `nhi-recon-${f.finding_id}`.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 255);
  const describe = (f: RoutedFinding) => [
    jiraEscape(clean(f.reason, 2000)), '',
    `*Rule:* ${jiraEscape(f.rule_id)} · *Severity:* ${jiraEscape(f.severity)}`,
    `*Subject:* {{${jiraEscape(clean(f.subject_ref))}}} (${jiraEscape(f.subject_type)})`,
    `*Where:* ${jiraEscape(clean(`${f.source}/${f.tenant}`))} · *Owner:* ${jiraEscape(clean(f.owner ?? 'none'))}`,
    `*Finding id:* ${jiraEscape(f.finding_id)} · first seen ${jiraEscape(f.first_seen)}`,
  ].join('\n');
  /** An issue for this finding that exists already (a database lost or restored): adopt it rather than duplicate. */
  const find = async (f: RoutedFinding): Promise<string | null> => {
    const jql = `project = "${d.project}" AND labels = "${label(f)}" ORDER BY created DESC`;
    const r = d.flavor === 'cloud'
      ? await call('GET', `/rest/api/3/search/jql?jql=${encodeURIComponent(jql)}&fields=status&maxResults=1`)
      : await call('GET', `/rest/api/2/search?jql=${encodeURIComponent(jql)}&fields=status&maxResults=1`);
    return r?.issues?.[0]?.key ?? null;
  };
  const transition = async (key: string, pattern: string, category: string[]) => {
    const r = await call('GET', `/rest/api/2/issue/${encodeURIComponent(key)}/transitions`);
    const list: { id: string; name: string; to?: { statusCategory?: { key?: string } } }[] = r?.transitions ?? [];
    const re = new RegExp(pattern, 'i');
    const t = list.find((x) => re.test(x.name)) ?? list.find((x) => category.includes(x.to?.statusCategory?.key ?? ''));
    if (!t) throw new DeliveryError(`jira ${key}: no transition matches /${pattern}/ (available: ${list.map((x) => x.name).join(', ') || 'none'})`);
    await call('POST', `/rest/api/2/issue/${encodeURIComponent(key)}/transitions`, { transition: { id: t.id } });
  };
  const comment = (key: string, body: string) => call('POST', `/rest/api/2/issue/${encodeURIComponent(key)}/comment`, { body });
  return {
    async send(event, finding, externalId) {
      let key = externalId ?? await find(finding);
      if (!key) {
        if (event === 'close' || event === 'update') return null; // nothing to update: never create a thread to close it
        const r = await call('POST', '/rest/api/2/issue', { fields: {
          project: { key: d.project }, issuetype: { name: d.issue_type }, labels: ['nhi-recon', label(finding)],
          summary: truncate(visible(summaryLine(finding)).replace(/[\r\n]+/g, ' '), 250), description: describe(finding),
        } });
        key = r?.key as string | undefined ?? null;
        if (!key) throw new DeliveryError('jira POST /rest/api/2/issue answered without an issue key');
        return key;
      }
      if (event === 'open') { await comment(key, `Seen again by nhi-recon (run ${ctx.runId}).\n\n${describe(finding)}`); return key; }
      if (event === 'update') { await comment(key, `${TITLE.update} (run ${ctx.runId}):\n\n${describe(finding)}`); return key; }
      if (event === 'reopen') {
        await comment(key, `${TITLE.reopen} (run ${ctx.runId}): the access is back.\n\n${describe(finding)}`);
        await transition(key, d.reopen_transition, ['new', 'indeterminate']);
        return key;
      }
      await comment(key, jiraEscape(closeNote(finding, ctx.runId)));
      await transition(key, d.close_transition, ['done']);
      return key;
    },
  };
}

function servicenow(d: Extract<Destination, { type: 'servicenow' }>, ctx: SenderContext): Sender {
  const auth = d.user
    ? `Basic ${Buffer.from(`${d.user}:${secret(ctx.env, d.password_env!, `servicenow ${d.name}`)}`).toString('base64')}`
    : `Bearer ${secret(ctx.env, d.token_env!, `servicenow ${d.name}`)}`;
  const f = http(ctx);
  const base = `${d.instance_url.replace(/\/+$/, '')}/api/now/table/${d.table}`;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await check(await f(`${base}${path}`, { method, headers: { authorization: auth, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined }), `servicenow ${method} /api/now/table/${d.table}${path.split('?')[0]}`);
    return (await res.json().catch(() => null)) as any;
  };
  const urgency = (s: string) => (s === 'critical' ? '1' : s === 'high' ? '2' : '3');
  const describe = (f: RoutedFinding) => [clean(f.reason, 2000), '', `Rule: ${f.rule_id}  Severity: ${f.severity}`, `Subject: ${clean(f.subject_ref)} (${f.subject_type})`,
    `Where: ${clean(`${f.source}/${f.tenant}`)}  Owner: ${clean(f.owner ?? 'none')}`, `Finding id: ${f.finding_id}  First seen: ${f.first_seen}`].join('\n');
  const find = async (f: RoutedFinding): Promise<string | null> => {
    const q = encodeURIComponent(`correlation_id=nhi-recon:${f.finding_id}^ORDERBYDESCsys_created_on`);
    const r = await call('GET', `?sysparm_query=${q}&sysparm_fields=sys_id,state&sysparm_limit=1`);
    return r?.result?.[0]?.sys_id ?? null;
  };
  return {
    async send(event, finding, externalId) {
      const id = externalId ?? await find(finding);
      if (!id) {
        if (event === 'close' || event === 'update') return null;
        const r = await call('POST', '', {
          short_description: truncate(visible(summaryLine(finding)).replace(/[\r\n]+/g, ' '), 160), description: describe(finding),
          correlation_id: `nhi-recon:${finding.finding_id}`, correlation_display: 'nhi-recon', urgency: urgency(finding.severity), impact: urgency(finding.severity),
        });
        const sysId = r?.result?.sys_id as string | undefined;
        if (!sysId) throw new DeliveryError(`servicenow POST /api/now/table/${d.table} answered without a sys_id`);
        return sysId;
      }
      const path = `/${encodeURIComponent(id)}`;
      if (event === 'open' || event === 'update') await call('PATCH', path, { work_notes: `${TITLE[event]} (nhi-recon run ${ctx.runId}):\n${describe(finding)}`, urgency: urgency(finding.severity), impact: urgency(finding.severity) });
      else if (event === 'reopen') await call('PATCH', path, { state: d.reopened_state, work_notes: `${TITLE.reopen} (nhi-recon run ${ctx.runId}): the access is back.\n${describe(finding)}` });
      else await call('PATCH', path, { state: d.resolved_state, close_code: d.close_code, close_notes: closeNote(finding, ctx.runId) });
      return id;
    },
  };
}

export function createSender(d: Destination, ctx: SenderContext): Sender {
  switch (d.type) {
    case 'webhook': return webhook(d, ctx);
    case 'slack': return slack(d, ctx);
    case 'jira': return jira(d, ctx);
    case 'servicenow': return servicenow(d, ctx);
  }
}
