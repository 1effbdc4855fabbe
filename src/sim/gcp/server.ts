// A local GCP simulator speaking the REST/JSON routes the real clients call: Resource Manager v3 and Secret Manager v1
// in gax's REST-fallback form (`$alt=json;enum-encoding=int` numeric enums, base64 etags), IAM v1 (googleapis),
// IAM v2 deny policies and Policy Analyzer activity. Errors use Google's JSON error shape
// ({error: {code, message, status, details}}); pages use pageToken/nextPageToken; setIamPolicy enforces the etag
// (409 ABORTED on a concurrent change). It never serves a secret payload: `:access` is counted and refused.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FaultPlan, json, serve, type Fault, type SimServer } from '../http.js';
import {
  etagOf, findProject, findServiceAccount, policy, saEmail, type AllowPolicy, type DenyPolicy, type Estate, type SimProject, type SimSecret,
} from './estate.js';
import { wifRoute } from './wif.js';

export interface GcpSimOptions {
  latencyMs?: number;
  faults?: FaultPlan;
  /** Bearer token the simulator accepts; any other answers 401. */
  token?: string;
  /** Paths (substring of "METHOD /path") whose listing never ends: every page carries a fresh nextPageToken. */
  endlessPaging?: string[];
  /** Default and maximum page sizes (small defaults make paging visible in tests). */
  pageSize?: number;
}

export interface GcpSim extends SimServer {
  estate: Estate;
  faults: FaultPlan;
  /** Every request served, as "METHOD /path" (query dropped). */
  log: string[];
  /** The query parameter names of every request, by "METHOD /path" (for the contract test). */
  queries: { call: string; params: string[] }[];
  /** Requests for a secret payload (must stay 0: the connector never reads values). */
  payloadAccesses: number;
}

const STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 409: 'ABORTED',
  412: 'FAILED_PRECONDITION', 429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL', 502: 'UNAVAILABLE', 503: 'UNAVAILABLE', 504: 'DEADLINE_EXCEEDED',
};

function gerr(res: ServerResponse, code: number, message: string, details: unknown[] = [], headers: Record<string, string> = {}): void {
  json(res, code, { error: { code, message, status: STATUS[code] ?? 'UNKNOWN', details } }, headers);
}

function faultResponse(res: ServerResponse, f: Fault): void {
  if (f.kind === 'throttle') {
    const headers: Record<string, string> = f.retryAfter !== undefined ? { 'retry-after': String(f.retryAfter) } : {};
    return gerr(res, 429, "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute'.", [
      { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'RATE_LIMIT_EXCEEDED', domain: 'googleapis.com' },
    ], headers);
  }
  const code = f.status ?? 500;
  gerr(res, code, code === 403 ? 'The caller does not have permission' : 'Internal error encountered.');
}

const tokenOf = (offset: number) => Buffer.from(`o:${offset}`).toString('base64url');

function page<T>(items: T[], q: URLSearchParams, key: string, defSize: number, endless: boolean): Record<string, unknown> | 'bad-token' {
  const size = Math.max(1, Math.min(Number(q.get('pageSize')) || defSize, 1000));
  let offset = 0;
  const tok = q.get('pageToken');
  if (tok) {
    const m = /^o:(\d+)$/.exec(Buffer.from(tok, 'base64url').toString('utf8'));
    if (!m) return 'bad-token';
    offset = Number(m[1]);
  }
  const slice = items.slice(offset, offset + size);
  const next = offset + size < items.length || endless ? tokenOf(offset + size) : undefined;
  return { [key]: slice, ...(next ? { nextPageToken: next } : {}) };
}

export function policyJson(p: AllowPolicy, requestedVersion: number): Record<string, unknown> {
  // A caller asking for version 1 of a policy with conditions is refused by the real API; we mirror that.
  return { version: Math.max(p.version, requestedVersion >= 3 ? p.version : 1), etag: etagOf(p.etagSeq), bindings: p.bindings.map((b) => ({ ...b })) };
}

const denyAttachment = (node: string) => `cloudresourcemanager.googleapis.com/${node}`;

function denyJson(node: string, d: DenyPolicy, withRules: boolean): Record<string, unknown> {
  return {
    name: `policies/${encodeURIComponent(denyAttachment(node))}/denypolicies/${d.id}`,
    uid: `uid-${d.id}`, kind: 'DenyPolicy', displayName: d.displayName ?? d.id, etag: etagOf(1),
    createTime: d.createTime, updateTime: d.createTime,
    ...(withRules ? { rules: d.rules.map((r) => ({ description: r.description ?? '', denyRule: r })) } : {}),
  };
}

export async function startGcpSim(estate: Estate, opts: GcpSimOptions = {}): Promise<GcpSim> {
  const faults = opts.faults ?? new FaultPlan();
  const token = opts.token ?? 'sim-gcp-token';
  const defSize = opts.pageSize ?? 50;
  const sim = { estate, faults, log: [] as string[], queries: [] as GcpSim['queries'], payloadAccesses: 0 } as GcpSim;

  const handler = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const url = new URL(req.url ?? '/', 'http://sim');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const q = url.searchParams;
    sim.log.push(`${method} ${path}`);
    sim.queries.push({ call: `${method} ${path}`, params: [...new Set(q.keys())] });
    if (req.headers.authorization !== `Bearer ${token}`) {
      return gerr(res, 401, 'Request had invalid authentication credentials. Expected OAuth 2 access token.');
    }
    const enumInt = (q.get('$alt') ?? '').includes('enum-encoding=int');
    const endless = (opts.endlessPaging ?? []).some((p) => `${method} ${path}`.includes(p));
    const body$ = (): Record<string, unknown> => { try { return body ? JSON.parse(body) as Record<string, unknown> : {}; } catch { return {}; } };
    const paged = <T>(items: T[], key: string, extra: Record<string, unknown> = {}) => {
      const out = page(items, q, key, defSize, endless);
      if (out === 'bad-token') return gerr(res, 400, 'Invalid page token.');
      return json(res, 200, { ...out, ...extra });
    };
    const forbidden = (p: SimProject | undefined) => {
      if (p?.forbidden) { gerr(res, 403, `Permission denied on resource project ${p.projectId}.`); return true; }
      return false;
    };
    let m: RegExpExecArray | null;

    // ---------- Resource Manager v3 ----------
    if ((m = /^\/v3\/(projects|folders|organizations)\/([^/:]+):(getIamPolicy|setIamPolicy)$/.exec(path)) && method === 'POST') {
      const node = nodeOf(estate, m[1]!, m[2]!);
      if (!node) return gerr(res, 403, `The caller does not have permission`); // the real API hides existence
      if ('forbidden' in node && node.forbidden) return gerr(res, 403, 'The caller does not have permission');
      const b = body$();
      if (m[3] === 'getIamPolicy') {
        const v = Number((b.options as { requestedPolicyVersion?: number } | undefined)?.requestedPolicyVersion ?? 1);
        return json(res, 200, policyJson(node.policy, v));
      }
      return setPolicy(res, node.policy, b.policy as Record<string, unknown> | undefined);
    }
    if ((m = /^\/v3\/projects\/([^/:]+)$/.exec(path)) && method === 'GET') {
      const p = findProject(estate, m[1]!);
      if (!p || p.forbidden) return gerr(res, 403, `Permission denied on resource project ${m[1]}.`);
      return json(res, 200, projectJson(p, enumInt));
    }
    if (path === '/v3/projects' && method === 'GET') {
      const parent = q.get('parent') ?? '';
      return paged(estate.projects.filter((p) => p.parent === parent).map((p) => projectJson(p, enumInt)), 'projects');
    }
    if ((m = /^\/v3\/folders\/([^/:]+)$/.exec(path)) && method === 'GET') {
      const f = estate.folders.find((x) => x.name === `folders/${m![1]}`);
      if (!f || f.forbidden) return gerr(res, 403, 'The caller does not have permission');
      return json(res, 200, folderJson(f, enumInt));
    }
    if (path === '/v3/folders' && method === 'GET') {
      const parent = q.get('parent') ?? '';
      return paged(estate.folders.filter((f) => f.parent === parent).map((f) => folderJson(f, enumInt)), 'folders');
    }
    if ((m = /^\/v3\/organizations\/([^/:]+)$/.exec(path)) && method === 'GET') {
      if (estate.organization.name !== `organizations/${m[1]}`) return gerr(res, 403, 'The caller does not have permission');
      return json(res, 200, { name: estate.organization.name, displayName: estate.organization.displayName, state: enumInt ? 1 : 'ACTIVE' });
    }

    // ---------- IAM v2 deny policies ----------
    if ((m = /^\/v2\/policies\/([^/]+)\/denypolicies(?:\/([^/]+))?$/.exec(path)) && method === 'GET') {
      let attach = m[1]!;
      // The client escapes the already-escaped attachment point; decode until it is plain.
      for (let i = 0; i < 3 && attach.includes('%'); i++) attach = decodeURIComponent(attach);
      const node = attach.replace(/^cloudresourcemanager\.googleapis\.com\//, '');
      const [kind, id] = node.split('/');
      const target = nodeOf(estate, kind!, id!);
      if (!target) return gerr(res, 404, `Attachment point ${attach} not found.`);
      if ('forbidden' in target && target.forbidden) return gerr(res, 403, 'The caller does not have permission');
      const canonical = 'projectId' in target ? `projects/${target.projectId}` : target.name;
      if (m[2]) {
        const d = target.denyPolicies.find((x) => x.id === m![2]);
        if (!d) return gerr(res, 404, `Policy ${m[2]} not found.`);
        return json(res, 200, denyJson(canonical, d, true));
      }
      return paged(target.denyPolicies.map((d) => denyJson(canonical, d, false)), 'policies');
    }

    // ---------- Policy Analyzer ----------
    if ((m = /^\/v1\/projects\/([^/]+)\/locations\/global\/activityTypes\/([^/]+)\/activities:query$/.exec(path)) && method === 'GET') {
      const p = findProject(estate, m[1]!);
      if (!p) return gerr(res, 404, 'Project not found.');
      if (forbidden(p)) return;
      if (!p.activity) {
        return gerr(res, 403, `Policy Analyzer API has not been used in project ${p.number} before or it is disabled.`, [
          { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'SERVICE_DISABLED', domain: 'googleapis.com', metadata: { service: 'policyanalyzer.googleapis.com' } },
        ]);
      }
      const obs = { startTime: p.activity.observationStart, endTime: new Date().toISOString() };
      if (m[2] === 'serviceAccountLastAuthentication') {
        const acts = Object.entries(p.activity.serviceAccounts).map(([email, t]) => {
          const sa = findServiceAccount(estate, p.projectId, email);
          const full = `//iam.googleapis.com/projects/${p.projectId}/serviceAccounts/${email}`;
          return { activityType: m![2], fullResourceName: full, observationPeriod: obs,
            activity: { lastAuthenticatedTime: t, serviceAccount: { fullResourceName: full, projectNumber: p.number, serviceAccountId: sa?.sa.uniqueId ?? '' } } };
        });
        return paged(acts, 'activities');
      }
      if (m[2] === 'serviceAccountKeyLastAuthentication') {
        const acts = Object.entries(p.activity.keys).map(([keyName, t]) => {
          const full = `//iam.googleapis.com/${keyName}`;
          return { activityType: m![2], fullResourceName: full, observationPeriod: obs,
            activity: { lastAuthenticatedTime: t, serviceAccountKey: { fullResourceName: full, projectNumber: p.number } } };
        });
        return paged(acts, 'activities');
      }
      return gerr(res, 400, `Unknown activity type ${m[2]}.`);
    }

    // ---------- IAM v1 workload identity pools and providers ----------
    const wif = wifRoute(estate, method, path, q);
    if (wif) {
      if ('error' in wif) return gerr(res, wif.error, wif.message);
      // Each list method has its own maximum page size (pools 1000, providers 100).
      const capped = new URLSearchParams(q);
      capped.set('pageSize', String(Math.min(Number(q.get('pageSize')) || defSize, wif.page.max)));
      const out = page(wif.page.items, capped, wif.page.key, defSize, endless);
      if (out === 'bad-token') return gerr(res, 400, 'Invalid page token.');
      return json(res, 200, out);
    }

    // ---------- IAM v1 roles ----------
    if ((m = /^\/v1\/roles\/([^/]+)$/.exec(path)) && method === 'GET') {
      const perms = estate.roles[`roles/${m[1]}`];
      if (!perms) return gerr(res, 404, `The role named roles/${m[1]} was not found.`);
      return json(res, 200, roleJson(`roles/${m[1]}`, perms));
    }
    if ((m = /^\/v1\/(projects|organizations)\/([^/]+)\/roles\/([^/]+)$/.exec(path)) && method === 'GET') {
      const owner = m[1] === 'projects' ? findProject(estate, m[2]!) : estate.organization.name === `organizations/${m[2]}` ? estate.organization : undefined;
      if (owner && 'projectId' in owner && forbidden(owner)) return;
      const perms = owner?.customRoles[m[3]!];
      const name = `${m[1]}/${m[2]}/roles/${m[3]}`;
      if (!perms) return gerr(res, 404, `The role named ${name} was not found.`);
      return json(res, 200, roleJson(name, perms));
    }

    // ---------- IAM v1 service accounts and keys ----------
    if ((m = /^\/v1\/projects\/([^/]+)\/serviceAccounts$/.exec(path)) && method === 'GET') {
      const p = findProject(estate, m[1]!);
      if (!p) return gerr(res, 404, 'Project not found.');
      if (forbidden(p)) return;
      return paged(p.serviceAccounts.map((s) => saJson(p, s)), 'accounts');
    }
    // projects.serviceAccounts.getIamPolicy (iam v1): POST with the version as the query parameter options.requestedPolicyVersion.
    if ((m = /^\/v1\/projects\/([^/]+)\/serviceAccounts\/([^/:]+):getIamPolicy$/.exec(path)) && method === 'POST') {
      const hit = findServiceAccount(estate, m[1]!, decodeURIComponent(m[2]!));
      if (findProject(estate, m[1]!)?.forbidden) return gerr(res, 403, 'Permission iam.serviceAccounts.getIamPolicy denied on resource.');
      if (!hit) return gerr(res, 404, `Unknown service account`);
      const v = Number(q.get('options.requestedPolicyVersion') ?? 1);
      return json(res, 200, policyJson(hit.sa.policy ?? policy([]), v));
    }
    if ((m = /^\/v1\/projects\/([^/]+)\/serviceAccounts\/([^/:]+)(?::(disable|enable))?$/.exec(path))) {
      const hit = findServiceAccount(estate, m[1]!, decodeURIComponent(m[2]!));
      if (findProject(estate, m[1]!)?.forbidden) return gerr(res, 403, 'Permission iam.serviceAccounts.get denied on resource.');
      if (!hit) return gerr(res, 404, `Unknown service account`);
      if (method === 'GET' && !m[3]) return json(res, 200, saJson(hit.project, hit.sa));
      if (method === 'POST' && m[3]) { hit.sa.disabled = m[3] === 'disable'; return json(res, 200, {}); }
    }
    if ((m = /^\/v1\/projects\/([^/]+)\/serviceAccounts\/([^/]+)\/keys$/.exec(path)) && method === 'GET') {
      const hit = findServiceAccount(estate, m[1]!, decodeURIComponent(m[2]!));
      if (findProject(estate, m[1]!)?.forbidden) return gerr(res, 403, 'Permission iam.serviceAccountKeys.list denied on resource.');
      if (!hit) return gerr(res, 404, `Unknown service account`);
      const types = q.getAll('keyTypes');
      const keys = hit.sa.keys.filter((k) => !types.length || types.includes(k.keyType)).map((k) => keyJson(hit.project, hit.sa.accountId, k));
      return json(res, 200, { keys }); // keys.list is not paged by the real API either
    }
    if ((m = /^\/v1\/projects\/([^/]+)\/serviceAccounts\/([^/]+)\/keys\/([^/:]+)(?::(disable|enable))?$/.exec(path))) {
      const hit = findServiceAccount(estate, m[1]!, decodeURIComponent(m[2]!));
      const key = hit?.sa.keys.find((k) => k.id === m![3]);
      if (!hit || !key) return gerr(res, 404, `Service account key ${m[3]} does not exist.`);
      if (method === 'GET' && !m[4]) return json(res, 200, keyJson(hit.project, hit.sa.accountId, key));
      if (method === 'DELETE' && !m[4]) { hit.sa.keys = hit.sa.keys.filter((k) => k !== key); return json(res, 200, {}); }
      if (method === 'POST' && m[4] === 'disable') {
        key.disabled = true;
        key.disableReason = (body$().serviceAccountKeyDisableReason as string | undefined) ?? 'SERVICE_ACCOUNT_KEY_DISABLE_REASON_USER_INITIATED';
        return json(res, 200, {});
      }
      if (method === 'POST' && m[4] === 'enable') { key.disabled = false; delete key.disableReason; return json(res, 200, {}); }
    }

    // ---------- Secret Manager v1 ----------
    if ((m = /^\/v1\/projects\/([^/]+)\/secrets(\/.*)?$/.exec(path))) {
      const p = findProject(estate, m[1]!);
      if (!p) return gerr(res, 404, 'Project not found.');
      if (forbidden(p)) return;
      if (!p.secretManagerEnabled) {
        return gerr(res, 403, `Secret Manager API has not been used in project ${p.number} before or it is disabled.`, [
          { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'SERVICE_DISABLED', domain: 'googleapis.com', metadata: { service: 'secretmanager.googleapis.com' } },
        ]);
      }
      return secrets(res, method, p, m[2] ?? '', enumInt, body$, paged);
    }
    gerr(res, 404, `The requested URL ${path} was not found on this server.`);
  };

  function secrets(res: ServerResponse, method: string, p: SimProject, rest: string, enumInt: boolean, body$: () => Record<string, unknown>,
    paged: <T>(items: T[], key: string, extra?: Record<string, unknown>) => void): void {
    if (rest === '' && method === 'GET') {
      return paged(p.secrets.map((s) => secretJson(p, s)), 'secrets', { totalSize: p.secrets.length });
    }
    const m = /^\/([^/:]+)(?::(getIamPolicy|setIamPolicy))?(?:\/versions(?:\/([^/:]+)(?::(disable|enable|access|destroy))?)?)?$/.exec(rest);
    const s = m ? p.secrets.find((x) => x.id === m[1]) : undefined;
    if (!m || !s) return gerr(res, 404, `Secret [projects/${p.number}/secrets/${m?.[1] ?? ''}] not found or has no versions.`);
    const isVersions = rest.includes('/versions');
    if (m[2] === 'getIamPolicy' && method === 'GET') {
      return json(res, 200, policyJson(s.policy, 3));
    }
    if (m[2] === 'setIamPolicy' && method === 'POST') return setPolicy(res, s.policy, body$().policy as Record<string, unknown> | undefined);
    if (!isVersions && !m[2]) {
      if (method === 'GET') return json(res, 200, secretJson(p, s));
      if (method === 'PATCH') {
        const b = body$();
        const rot = b.rotation as SimSecret['rotation'] | undefined;
        if (rot?.nextRotationTime) s.rotation = { ...(s.rotation ?? {}), nextRotationTime: rot.nextRotationTime };
        s.etagSeq++;
        return json(res, 200, secretJson(p, s));
      }
    }
    if (isVersions && !m[3] && method === 'GET') {
      const versions = [...s.versions].sort((a, b) => Number(b.id) - Number(a.id)).map((v) => versionJson(p, s, v, enumInt));
      return paged(versions, 'versions', { totalSize: versions.length });
    }
    if (isVersions && m[3]) {
      const v = s.versions.find((x) => x.id === m[3]);
      if (!v) return gerr(res, 404, `Secret Version [projects/${p.number}/secrets/${s.id}/versions/${m[3]}] not found.`);
      if (m[4] === 'access') { sim.payloadAccesses++; return gerr(res, 403, 'Payload access is not served by this simulator.'); }
      if (!m[4] && method === 'GET') return json(res, 200, versionJson(p, s, v, enumInt));
      if ((m[4] === 'disable' || m[4] === 'enable') && method === 'POST') {
        const etag = body$().etag as string | undefined;
        if (etag && etag !== `"${etagOf(v.etagSeq)}"`) return gerr(res, 409, 'The etag provided in the request does not match the current etag of the resource.');
        if (v.state === 'DESTROYED') return gerr(res, 400, 'Secret Version is destroyed.');
        v.state = m[4] === 'disable' ? 'DISABLED' : 'ENABLED';
        v.etagSeq++;
        return json(res, 200, versionJson(p, s, v, enumInt));
      }
    }
    gerr(res, 404, `The requested URL was not found on this server.`);
  }

  const server = await serve(handler, { latencyMs: opts.latencyMs, faults, faultResponse });
  return Object.assign(sim, server);
}

function setPolicy(res: ServerResponse, target: AllowPolicy, incoming: Record<string, unknown> | undefined): void {
  if (!incoming) return gerr(res, 400, 'Request contains an invalid argument: policy is required.');
  const etag = incoming.etag as string | undefined;
  // Read-modify-write: a stale etag means someone changed the policy since it was read.
  if (etag && etag !== etagOf(target.etagSeq)) {
    return gerr(res, 409, 'There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.');
  }
  const bindings = ((incoming.bindings as Record<string, unknown>[] | undefined) ?? []).map((b) => ({
    role: String(b.role), members: [...((b.members as string[] | undefined) ?? [])],
    ...(b.condition ? { condition: b.condition as { title?: string; expression: string } } : {}),
  })).filter((b) => b.members.length > 0);
  target.bindings = bindings;
  target.version = Math.max(Number(incoming.version ?? 1), bindings.some((b) => b.condition) ? 3 : 1);
  target.etagSeq++;
  json(res, 200, policyJson(target, 3));
}

function nodeOf(estate: Estate, kind: string, id: string): SimProject | Estate['folders'][number] | Estate['organization'] | undefined {
  if (kind === 'projects') return findProject(estate, id);
  if (kind === 'folders') return estate.folders.find((f) => f.name === `folders/${id}`);
  if (kind === 'organizations') return estate.organization.name === `organizations/${id}` ? estate.organization : undefined;
  return undefined;
}

function projectJson(p: SimProject, enumInt: boolean): Record<string, unknown> {
  return { name: `projects/${p.number}`, parent: p.parent, projectId: p.projectId, state: enumInt ? 1 : 'ACTIVE',
    displayName: p.displayName ?? p.projectId, createTime: p.createTime, etag: `W/"${etagOf(1)}"` };
}

function folderJson(f: Estate['folders'][number], enumInt: boolean): Record<string, unknown> {
  return { name: f.name, parent: f.parent, displayName: f.displayName, state: enumInt ? 1 : 'ACTIVE' };
}

function roleJson(name: string, perms: string[]): Record<string, unknown> {
  return { name, title: name.split('/').pop(), includedPermissions: perms, stage: 'GA', etag: etagOf(1) };
}

function saJson(p: SimProject, s: SimProject['serviceAccounts'][number]): Record<string, unknown> {
  const email = saEmail(p.projectId, s.accountId);
  return { name: `projects/${p.projectId}/serviceAccounts/${email}`, projectId: p.projectId, uniqueId: s.uniqueId, email,
    displayName: s.displayName ?? '', description: s.description, etag: etagOf(1), oauth2ClientId: s.uniqueId, ...(s.disabled ? { disabled: true } : {}) };
}

function keyJson(p: SimProject, accountId: string, k: SimProject['serviceAccounts'][number]['keys'][number]): Record<string, unknown> {
  return {
    name: `projects/${p.projectId}/serviceAccounts/${saEmail(p.projectId, accountId)}/keys/${k.id}`,
    validAfterTime: k.validAfterTime, validBeforeTime: k.validBeforeTime, keyAlgorithm: k.keyAlgorithm ?? 'KEY_ALG_RSA_2048',
    keyOrigin: k.keyOrigin ?? 'GOOGLE_PROVIDED', keyType: k.keyType,
    ...(k.disabled ? { disabled: true } : {}), ...(k.disableReason ? { disableReason: k.disableReason } : {}),
    ...(k.extendedStatus?.length ? { extendedStatus: k.extendedStatus } : {}),
  };
}

function secretJson(p: SimProject, s: SimSecret): Record<string, unknown> {
  return {
    name: `projects/${p.number}/secrets/${s.id}`,
    replication: s.replication ?? { automatic: {} },
    createTime: s.createTime,
    labels: s.labels ?? {},
    ...(s.topics ? { topics: s.topics } : {}),
    ...(s.expireTime ? { expireTime: s.expireTime } : {}),
    ...(s.rotation ? { rotation: s.rotation } : {}),
    etag: `"${etagOf(s.etagSeq)}"`,
  };
}

const VERSION_STATE: Record<string, number> = { ENABLED: 1, DISABLED: 2, DESTROYED: 3 };

function versionJson(p: SimProject, s: SimSecret, v: SimSecret['versions'][number], enumInt: boolean): Record<string, unknown> {
  return {
    name: `projects/${p.number}/secrets/${s.id}/versions/${v.id}`,
    createTime: v.createTime, state: enumInt ? VERSION_STATE[v.state] : v.state,
    ...(v.destroyTime ? { destroyTime: v.destroyTime } : {}),
    replicationStatus: { automatic: {} }, etag: `"${etagOf(v.etagSeq)}"`, clientSpecifiedPayloadChecksum: false,
  };
}
