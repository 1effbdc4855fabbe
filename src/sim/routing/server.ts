// Local stand-ins for the routing destinations, bound to 127.0.0.1: a signed-webhook receiver (checks the HMAC), a
// Slack incoming webhook, Jira (Cloud and Server search flavours, issues, comments, workflow transitions) and the
// ServiceNow Table API. Each answers in its service's own shapes and error forms, keeps what it received for tests,
// and takes faults (5xx, 429 with Retry-After) from the shared fault plan.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { FaultPlan, json, serve, type Fault, type SimServer } from '../http.js';

export interface JiraIssue { key: string; project: string; summary: string; description: string; labels: string[]; status: 'To Do' | 'In Progress' | 'Done'; comments: string[] }
export interface SnowRecord { sys_id: string; number: string; short_description: string; description: string; correlation_id: string; state: string; work_notes: string[]; close_code?: string; close_notes?: string }

export interface RoutingSim {
  url: string;
  faults: FaultPlan;
  webhook: { received: { event: string; finding_id: string; signatureOk: boolean; idempotencyKey: string | null }[] };
  slack: { messages: { text: string; blocks: unknown }[] };
  jira: { issues: JiraIssue[]; auth: string[] };
  servicenow: { records: SnowRecord[]; auth: string[] };
  close(): Promise<void>;
}

export interface RoutingSimOptions { webhookSecret: string; jiraProject?: string }

const JIRA_TRANSITIONS = [
  { id: '11', name: 'To Do', to: { name: 'To Do', statusCategory: { key: 'new' } } },
  { id: '21', name: 'In Progress', to: { name: 'In Progress', statusCategory: { key: 'indeterminate' } } },
  { id: '31', name: 'Done', to: { name: 'Done', statusCategory: { key: 'done' } } },
];

export async function startRoutingSim(opts: RoutingSimOptions): Promise<RoutingSim> {
  const faults = new FaultPlan();
  const state: Omit<RoutingSim, 'url' | 'close' | 'faults'> = { webhook: { received: [] }, slack: { messages: [] }, jira: { issues: [], auth: [] }, servicenow: { records: [], auth: [] } };
  let issueSeq = 0;
  let snowSeq = 0;

  const jiraError = (res: ServerResponse, status: number, message: string) => json(res, status, { errorMessages: [message], errors: {} });
  const jiraIssue = (key: string) => state.jira.issues.find((i) => i.key === key);

  const faultResponse = (res: ServerResponse, f: Fault) => {
    const headers: Record<string, string> = f.kind === 'throttle' ? { 'retry-after': String(f.retryAfter ?? 1) } : {};
    json(res, f.kind === 'throttle' ? 429 : f.status ?? 503, { error: 'injected fault' }, headers);
  };

  const sim = await serve(async (req, res, body) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const p = url.pathname;
    const method = req.method ?? 'GET';

    if (p === '/webhook' && method === 'POST') {
      const ts = String(req.headers['x-nhi-recon-timestamp'] ?? '');
      const sig = String(req.headers['x-nhi-recon-signature'] ?? '');
      const want = `sha256=${createHmac('sha256', opts.webhookSecret).update(`${ts}.${body}`).digest('hex')}`;
      const ok = sig.length === want.length && timingSafeEqual(Buffer.from(sig), Buffer.from(want));
      const payload = JSON.parse(body) as { event: string; finding: { id: string } };
      state.webhook.received.push({ event: payload.event, finding_id: payload.finding.id, signatureOk: ok, idempotencyKey: (req.headers['idempotency-key'] as string | undefined) ?? null });
      if (!ok) { res.writeHead(401).end('bad signature'); return; }
      res.writeHead(204).end();
      return;
    }

    if (p.startsWith('/services/') && method === 'POST') {
      // Slack answers a plain-text "ok", or a plain-text error code.
      let payload: { text?: string; blocks?: unknown };
      try { payload = JSON.parse(body) as typeof payload; } catch { res.writeHead(400, { 'content-type': 'text/plain' }).end('invalid_payload'); return; }
      if (!payload.text) { res.writeHead(400, { 'content-type': 'text/plain' }).end('no_text'); return; }
      state.slack.messages.push({ text: payload.text, blocks: payload.blocks });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }

    if (p.startsWith('/rest/api/')) {
      state.jira.auth.push(String(req.headers.authorization ?? ''));
      if (!req.headers.authorization) { jiraError(res, 401, 'You are not authenticated. Authentication required to perform this operation.'); return; }
      const search = p === '/rest/api/3/search/jql' || p === '/rest/api/2/search';
      if (search && method === 'GET') {
        const jql = url.searchParams.get('jql') ?? '';
        const label = /labels = "([^"]+)"/.exec(jql)?.[1];
        const hits = state.jira.issues.filter((i) => !label || i.labels.includes(label)).reverse();
        const issues = hits.slice(0, Number(url.searchParams.get('maxResults') ?? 50)).map((i) => ({ id: i.key.replace(/\D/g, ''), key: i.key, fields: { status: { name: i.status } } }));
        json(res, 200, p.includes('/3/') ? { issues, isLast: true } : { startAt: 0, maxResults: issues.length, total: hits.length, issues });
        return;
      }
      if (p === '/rest/api/2/issue' && method === 'POST') {
        const b = JSON.parse(body) as { fields: { project: { key: string }; summary: string; description: string; labels?: string[]; issuetype: { name: string } } };
        if (!b.fields?.summary) { json(res, 400, { errorMessages: [], errors: { summary: 'You must specify a summary of the issue.' } }); return; }
        if (opts.jiraProject && b.fields.project.key !== opts.jiraProject) { json(res, 400, { errorMessages: [], errors: { project: 'valid project is required' } }); return; }
        const key = `${b.fields.project.key}-${++issueSeq}`;
        state.jira.issues.push({ key, project: b.fields.project.key, summary: b.fields.summary, description: b.fields.description, labels: b.fields.labels ?? [], status: 'To Do', comments: [] });
        json(res, 201, { id: String(issueSeq), key, self: `${sim.url}/rest/api/2/issue/${issueSeq}` });
        return;
      }
      const m = /^\/rest\/api\/2\/issue\/([^/]+)\/(comment|transitions)$/.exec(p);
      if (m) {
        const issue = jiraIssue(decodeURIComponent(m[1]!));
        if (!issue) { jiraError(res, 404, 'Issue does not exist or you do not have permission to see it.'); return; }
        if (m[2] === 'comment' && method === 'POST') {
          issue.comments.push((JSON.parse(body) as { body: string }).body);
          json(res, 201, { id: String(issue.comments.length), body: issue.comments.at(-1) });
          return;
        }
        if (m[2] === 'transitions' && method === 'GET') { json(res, 200, { expand: 'transitions', transitions: JIRA_TRANSITIONS.filter((t) => t.to.name !== issue.status) }); return; }
        if (m[2] === 'transitions' && method === 'POST') {
          const t = JIRA_TRANSITIONS.find((x) => x.id === (JSON.parse(body) as { transition: { id: string } }).transition?.id);
          if (!t || t.to.name === issue.status) { json(res, 400, { errorMessages: ['It seems that you have tried to perform a workflow operation (transition) that is not valid for the current state of this issue.'], errors: {} }); return; }
          issue.status = t.to.name as JiraIssue['status'];
          res.writeHead(204).end();
          return;
        }
      }
      jiraError(res, 404, `no route ${method} ${p}`);
      return;
    }

    const sn = /^\/api\/now\/table\/([a-z0-9_]+)(?:\/([0-9a-f]{32}))?$/.exec(p);
    if (sn) {
      state.servicenow.auth.push(String(req.headers.authorization ?? ''));
      if (!req.headers.authorization) { json(res, 401, { error: { message: 'User Not Authenticated', detail: 'Required to provide Auth information' }, status: 'failure' }); return; }
      const id = sn[2];
      if (!id && method === 'GET') {
        const q = url.searchParams.get('sysparm_query') ?? '';
        const corr = /correlation_id=([^^]+)/.exec(q)?.[1];
        const rows = state.servicenow.records.filter((r) => !corr || r.correlation_id === corr).reverse().slice(0, Number(url.searchParams.get('sysparm_limit') ?? 10000));
        json(res, 200, { result: rows.map((r) => ({ sys_id: r.sys_id, state: r.state })) });
        return;
      }
      if (!id && method === 'POST') {
        const b = JSON.parse(body) as Partial<SnowRecord>;
        const rec: SnowRecord = { sys_id: (++snowSeq).toString(16).padStart(32, '0'), number: `INC${String(1000000 + snowSeq)}`, short_description: b.short_description ?? '', description: b.description ?? '', correlation_id: b.correlation_id ?? '', state: '1', work_notes: [] };
        state.servicenow.records.push(rec);
        json(res, 201, { result: { ...rec, work_notes: '' } });
        return;
      }
      const rec = state.servicenow.records.find((r) => r.sys_id === id);
      if (!rec) { json(res, 404, { error: { message: 'No Record found', detail: 'Record doesn\'t exist or ACL restricts the record retrieval' }, status: 'failure' }); return; }
      if (method === 'PATCH' || method === 'PUT') {
        const b = JSON.parse(body) as Partial<SnowRecord> & { work_notes?: string };
        if (b.state === '6' && (!b.close_code || !b.close_notes)) { json(res, 403, { error: { message: 'Operation Failed', detail: 'Data Policy Exception: Resolution code, Resolution notes are mandatory' }, status: 'failure' }); return; }
        if (b.work_notes) rec.work_notes.push(b.work_notes);
        if (b.state) rec.state = b.state;
        if (b.close_code) rec.close_code = b.close_code;
        if (b.close_notes) rec.close_notes = b.close_notes;
        json(res, 200, { result: { ...rec, work_notes: '' } });
        return;
      }
    }
    json(res, 404, { message: `no route ${method} ${p}` });
  }, { faults, faultResponse });

  return { url: sim.url, faults, ...state, close: () => sim.close() } as RoutingSim & { _sim?: SimServer };
}
