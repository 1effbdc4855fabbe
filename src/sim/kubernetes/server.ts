// A local Kubernetes API server for the routes the connector calls: cluster-wide lists of service accounts, RBAC
// objects and Secrets (limit/continue paging, fieldSelector on Secret type), single Secret reads and deletes, and
// binding read/replace/create/delete with resourceVersion and delete preconditions. Errors are meta/v1 Status objects.
// Content negotiation is honoured as the real server does it: `Accept: application/json;as=PartialObjectMetadataList;
// g=meta.k8s.io;v=v1` gets metadata only; a plain JSON request for Secrets gets their data, so a connector that forgot
// to ask for metadata would be caught by the bytes recorded here.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FaultPlan, serve, type Fault, type SimServer } from '../http.js';
import { selfSignedCertificate } from '../azure/tls.js';
import { meta, type Binding, type ClusterEstate, type Role, type Secret, type ServiceAccount } from './estate.js';

export interface K8sSimOptions {
  /** Bearer token the simulator accepts; any other answers 401. */
  token: string;
  faults?: FaultPlan;
  latencyMs?: number;
  /** The most items one page holds, whatever `limit` asks (a server may return fewer). */
  maxPageSize?: number;
  /** Serve https with a fresh self-signed certificate (its PEM is on the returned sim as `ca`). Default true. */
  tls?: boolean;
}

export interface K8sSim extends SimServer {
  estate: ClusterEstate;
  faults: FaultPlan;
  /** Every request served, as "METHOD /path?query". */
  log: string[];
  /** The Accept header of every request, in order, beside `log`. */
  accepts: string[];
  /** Every response body written (faults included): what crossed the wire. */
  bodies: string[];
  /** Responses that carried a Secret's `data` (must stay 0 for the connector). */
  secretDataResponses: number;
  /** The certificate to trust (PEM), when serving https. */
  ca: string | null;
}

const RBAC = '/apis/rbac.authorization.k8s.io/v1';
const REASON: Record<number, string> = {
  400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 406: 'NotAcceptable', 409: 'Conflict', 410: 'Expired',
  422: 'Invalid', 429: 'TooManyRequests', 500: 'InternalError', 502: 'InternalError', 503: 'ServiceUnavailable', 504: 'Timeout',
};
const LIST_META = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
const ONE_META = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';

type Negotiated = 'full' | 'metadata' | 'unacceptable';

/** Which representation the Accept header asks for, as the API server's negotiation picks it. */
function negotiate(accept: string | undefined, list: boolean): Negotiated {
  if (!accept) return 'full';
  let full = false;
  for (const range of accept.split(',')) {
    const parts = range.split(';').map((p) => p.trim());
    const type = parts[0]!.toLowerCase();
    const params = Object.fromEntries(parts.slice(1).map((p) => p.split('=').map((x) => x.trim()) as [string, string]));
    if (params.as) {
      const want = list ? 'PartialObjectMetadataList' : 'PartialObjectMetadata';
      if (params.as === want && params.g === 'meta.k8s.io' && params.v === 'v1' && (type === 'application/json' || type === '*/*')) return 'metadata';
      continue; // a transformation we do not serve is skipped, never silently answered in full
    }
    if (type === 'application/json' || type === '*/*' || type === 'application/*') full = true;
  }
  return full ? 'full' : 'unacceptable';
}

export async function startK8sSim(estate: ClusterEstate, opts: K8sSimOptions): Promise<K8sSim> {
  const faults = opts.faults ?? new FaultPlan();
  const log: string[] = [];
  const accepts: string[] = [];
  const bodies: string[] = [];
  let secretDataResponses = 0;
  const cert = opts.tls === false ? null : selfSignedCertificate('nhi-recon kubernetes simulator');

  const send = (res: ServerResponse, status: number, value: unknown, contentType = 'application/json', headers: Record<string, string> = {}) => {
    const body = JSON.stringify(value);
    bodies.push(body);
    res.statusCode = status;
    res.setHeader('content-type', contentType);
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    res.end(body);
  };
  const status = (res: ServerResponse, code: number, message: string, details?: Record<string, unknown>, headers: Record<string, string> = {}) =>
    send(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: REASON[code] ?? 'Unknown', ...(details ? { details } : {}), code }, 'application/json', headers);

  const faultResponse = (res: ServerResponse, f: Fault) => {
    if (f.kind === 'throttle') {
      return status(res, 429, 'Too many requests, please try again later.', { retryAfterSeconds: f.retryAfter ?? 1 }, { 'retry-after': String(f.retryAfter ?? 1) });
    }
    const code = f.status ?? 500;
    const message = code === 410 ? 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.'
      : code === 403 ? 'forbidden: the user cannot list the resource at the cluster scope' : 'Internal error occurred: injected fault';
    status(res, code, message);
  };

  const listOf = (key: string): { items: { metadata: { namespace?: string; name: string } }[]; kind: string; apiVersion: string } | null => {
    switch (key) {
      case 'serviceaccounts': return { items: estate.serviceAccounts, kind: 'ServiceAccountList', apiVersion: 'v1' };
      case 'secrets': return { items: estate.secrets, kind: 'SecretList', apiVersion: 'v1' };
      case 'roles': return { items: estate.roles, kind: 'RoleList', apiVersion: 'rbac.authorization.k8s.io/v1' };
      case 'clusterroles': return { items: estate.clusterRoles, kind: 'ClusterRoleList', apiVersion: 'rbac.authorization.k8s.io/v1' };
      case 'rolebindings': return { items: estate.roleBindings, kind: 'RoleBindingList', apiVersion: 'rbac.authorization.k8s.io/v1' };
      case 'clusterrolebindings': return { items: estate.clusterRoleBindings, kind: 'ClusterRoleBindingList', apiVersion: 'rbac.authorization.k8s.io/v1' };
      default: return null;
    }
  };

  const list = (res: ServerResponse, key: string, q: URLSearchParams, accept: string | undefined) => {
    const l = listOf(key)!;
    const mode = negotiate(accept, true);
    if (mode === 'unacceptable') return status(res, 406, `only the following media types are accepted: application/json, ${LIST_META}`);
    let items = [...l.items].sort((a, b) => `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace ?? ''}/${b.metadata.name}`));
    const selector = q.get('fieldSelector');
    if (selector) {
      const m = /^type=?=(.+)$/.exec(selector);
      if (key !== 'secrets' || !m) return status(res, 400, `"${selector}" is not a known field selector: only "type"`);
      items = items.filter((s) => (s as unknown as Secret).type === m[1]);
    }
    let offset = 0;
    let rv = String(estate.revision);
    const cont = q.get('continue');
    if (cont) {
      try {
        const t = JSON.parse(Buffer.from(cont, 'base64url').toString('utf8')) as { k: string; o: number; v: string };
        if (t.k !== key || !Number.isInteger(t.o)) throw new Error('mismatch');
        offset = t.o;
        rv = t.v;
      } catch { return status(res, 400, 'continue key is not valid: illegal base64 data or wrong resource'); }
    }
    const limit = Number(q.get('limit')) || Infinity;
    const size = Math.min(limit, opts.maxPageSize ?? Infinity);
    const chunk = items.slice(offset, offset + size);
    const next = offset + chunk.length < items.length ? Buffer.from(JSON.stringify({ k: key, o: offset + chunk.length, v: rv })).toString('base64url') : undefined;
    const listMeta = { resourceVersion: rv, ...(next ? { continue: next, remainingItemCount: items.length - offset - chunk.length } : {}) };
    if (mode === 'metadata') {
      return send(res, 200, { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: listMeta,
        items: chunk.map((o) => ({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata })) }, LIST_META);
    }
    if (key === 'secrets' && chunk.some((s) => (s as unknown as Secret).data)) secretDataResponses++;
    send(res, 200, { kind: l.kind, apiVersion: l.apiVersion, metadata: listMeta, items: chunk });
  };

  const findNs = <T extends { metadata: { namespace?: string; name: string } }>(items: T[], ns: string | undefined, name: string) =>
    items.findIndex((o) => o.metadata.name === name && (o.metadata.namespace ?? undefined) === ns);

  const deletePreconditions = (body: string): { uid?: string; resourceVersion?: string } => {
    if (!body) return {};
    try { return ((JSON.parse(body) as { preconditions?: { uid?: string; resourceVersion?: string } }).preconditions) ?? {}; } catch { return {}; }
  };

  const secretRoute = (req: IncomingMessage, res: ServerResponse, ns: string, name: string, body: string) => {
    const i = findNs(estate.secrets, ns, name);
    const notFound = () => status(res, 404, `secrets "${name}" not found`, { name, kind: 'secrets' });
    if (req.method === 'GET') {
      if (i < 0) return notFound();
      const mode = negotiate(req.headers.accept, false);
      if (mode === 'unacceptable') return status(res, 406, `only the following media types are accepted: application/json, ${ONE_META}`);
      const s = estate.secrets[i]!;
      if (mode === 'metadata') return send(res, 200, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: s.metadata }, ONE_META);
      if (s.data) secretDataResponses++;
      return send(res, 200, { kind: 'Secret', apiVersion: 'v1', ...s });
    }
    if (req.method === 'DELETE') {
      if (i < 0) return notFound();
      const s = estate.secrets[i]!;
      const pre = deletePreconditions(body);
      if (pre.uid && pre.uid !== s.metadata.uid) return status(res, 409, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${s.metadata.uid}`, { name, kind: 'secrets' });
      if (pre.resourceVersion && pre.resourceVersion !== s.metadata.resourceVersion) {
        return status(res, 409, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${s.metadata.resourceVersion}`, { name, kind: 'secrets' });
      }
      estate.secrets.splice(i, 1);
      estate.revision++;
      return send(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, kind: 'secrets', uid: s.metadata.uid } });
    }
    status(res, 405, `the server does not allow this method on the requested resource`);
  };

  const bindingRoute = (req: IncomingMessage, res: ServerResponse, cluster: boolean, ns: string | undefined, name: string | undefined, body: string) => {
    const items = cluster ? estate.clusterRoleBindings : estate.roleBindings;
    const kind = cluster ? 'clusterrolebindings' : 'rolebindings';
    const Kind = cluster ? 'ClusterRoleBinding' : 'RoleBinding';
    const out = (b: Binding) => ({ kind: Kind, apiVersion: 'rbac.authorization.k8s.io/v1', ...b });
    const details = (n: string) => ({ name: n, group: 'rbac.authorization.k8s.io', kind });
    let parsed: Binding | null = null;
    if (req.method === 'PUT' || req.method === 'POST') {
      try { parsed = JSON.parse(body) as Binding; } catch { return status(res, 400, 'the request body is not valid JSON'); }
      if (!parsed?.metadata?.name || !parsed.roleRef?.name || !parsed.roleRef.kind) return status(res, 422, `${Kind}.rbac.authorization.k8s.io is invalid: metadata.name and roleRef are required`);
    }
    if (req.method === 'POST') {
      const n = parsed!.metadata.name;
      if (findNs(items, ns, n) >= 0) return status(res, 409, `${kind}.rbac.authorization.k8s.io "${n}" already exists`, details(n));
      const b: Binding = { metadata: { ...meta(estate, n, ns, new Date().toISOString()), ...(parsed!.metadata.labels ? { labels: parsed!.metadata.labels } : {}), ...(parsed!.metadata.annotations ? { annotations: parsed!.metadata.annotations } : {}) },
        roleRef: parsed!.roleRef, ...(parsed!.subjects ? { subjects: parsed!.subjects } : {}) };
      items.push(b);
      return send(res, 201, out(b));
    }
    const i = findNs(items, ns, name!);
    if (i < 0) return status(res, 404, `${kind}.rbac.authorization.k8s.io "${name}" not found`, details(name!));
    const cur = items[i]!;
    if (req.method === 'GET') return send(res, 200, out(cur));
    if (req.method === 'PUT') {
      const p = parsed!;
      if (p.metadata.name !== name) return status(res, 400, 'the name of the object does not match the name on the URL');
      if (p.metadata.resourceVersion && p.metadata.resourceVersion !== cur.metadata.resourceVersion) {
        return status(res, 409, `Operation cannot be fulfilled on ${kind}.rbac.authorization.k8s.io "${name}": the object has been modified; please apply your changes to the latest version and try again`, details(name!));
      }
      if (p.roleRef.kind !== cur.roleRef.kind || p.roleRef.name !== cur.roleRef.name) return status(res, 422, `${Kind}.rbac.authorization.k8s.io "${name}" is invalid: roleRef: Invalid value: cannot change roleRef`, details(name!));
      estate.revision++;
      const b: Binding = { metadata: { ...cur.metadata, labels: p.metadata.labels, annotations: p.metadata.annotations, resourceVersion: String(estate.revision) }, roleRef: cur.roleRef, ...(p.subjects ? { subjects: p.subjects } : {}) };
      if (!b.metadata.labels) delete b.metadata.labels;
      if (!b.metadata.annotations) delete b.metadata.annotations;
      items[i] = b;
      return send(res, 200, out(b));
    }
    if (req.method === 'DELETE') {
      const pre = deletePreconditions(body);
      if ((pre.uid && pre.uid !== cur.metadata.uid) || (pre.resourceVersion && pre.resourceVersion !== cur.metadata.resourceVersion)) {
        return status(res, 409, `Precondition failed: the ${Kind} changed since it was read`, details(name!));
      }
      items.splice(i, 1);
      estate.revision++;
      return send(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { ...details(name!), uid: cur.metadata.uid } });
    }
    status(res, 405, 'the server does not allow this method on the requested resource');
  };

  const handler = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const url = new URL(req.url ?? '/', 'http://sim');
    const path = url.pathname;
    if (req.headers.authorization !== `Bearer ${opts.token}`) return status(res, 401, 'Unauthorized');
    let m: RegExpExecArray | null;
    if (req.method === 'GET' && (m = /^\/api\/v1\/(serviceaccounts|secrets)$/.exec(path))) return list(res, m[1]!, url.searchParams, req.headers.accept);
    if (req.method === 'GET' && (m = new RegExp(`^${RBAC}/(roles|clusterroles|rolebindings|clusterrolebindings)$`).exec(path))) return list(res, m[1]!, url.searchParams, req.headers.accept);
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/secrets\/([^/]+)$/.exec(path))) return secretRoute(req, res, decodeURIComponent(m[1]!), decodeURIComponent(m[2]!), body);
    if ((m = new RegExp(`^${RBAC}/namespaces/([^/]+)/rolebindings(?:/([^/]+))?$`).exec(path))) {
      if (!m[2] && req.method !== 'POST') return status(res, 405, 'only POST is served on a namespaced rolebinding collection');
      return bindingRoute(req, res, false, decodeURIComponent(m[1]!), m[2] ? decodeURIComponent(m[2]) : undefined, body);
    }
    if ((m = new RegExp(`^${RBAC}/clusterrolebindings(?:/([^/]+))?$`).exec(path)) && (m[1] || req.method === 'POST')) {
      return bindingRoute(req, res, true, undefined, m[1] ? decodeURIComponent(m[1]) : undefined, body);
    }
    status(res, 404, 'the server could not find the requested resource');
  };

  const server = await serve((req, res, body) => {
    log.push(`${req.method} ${req.url}`);
    accepts.push(req.headers.accept ?? '');
    return handler(req, res, body);
  }, {
    latencyMs: opts.latencyMs, faults, tls: cert ?? undefined,
    faultResponse: (res, f) => faultResponse(res, f),
  });
  // Faults are applied before the handler runs: still log them, so tests can count attempts.
  const origTake = faults.take.bind(faults);
  faults.take = (method: string, url: string) => {
    const f = origTake(method, url);
    if (f) { log.push(`${method} ${url} [fault ${f.kind}${f.status ? ` ${f.status}` : ''}]`); accepts.push(''); }
    return f;
  };
  const sim = Object.assign(server, { estate, faults, log, accepts, bodies, ca: cert?.cert ?? null });
  Object.defineProperty(sim, 'secretDataResponses', { get: () => secretDataResponses, enumerable: true });
  return sim as K8sSim;
}

export type { ServiceAccount, Role, Binding, Secret };
