// A local AWS endpoint speaking the real wire protocols the SDK uses: IAM and STS over awsQuery (form-encoded POST,
// XML answers with <member> lists, XML error documents such as Throttling), Organizations and Secrets Manager over
// awsJson1.1 (X-Amz-Target, epoch-second dates, {"__type": …} errors). The caller's account is read from the SigV4
// credential scope, so assumed-role credentials really select a member account. Faults are injected per service,
// action and account (the match line is "POST /<service>:<Action> account=<id> region=<region>").
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { serve, type Fault, FaultPlan, type SimServer } from '../http.js';
import {
  findPolicy, groupArn, iamId, roleArn, userArn, type PolicyDoc, type SimAccount, type SimEstate, type SimKey, type SimPolicy,
  type SimRole, type SimSecret, type SimUser,
} from './estate.js';
import { IAM_NS, STS_NS, isoSeconds, queryError, queryResponse } from './xml.js';

export interface AwsSim extends SimServer {
  estate: SimEstate;
  faults: FaultPlan;
  /** Requests answered (faults included), by "service:Action". */
  calls: Map<string, number>;
  totalCalls(): number;
  /** Fingerprints (sha256, 12 hex) of secret values written to Secrets Manager, by secret ARN and version: proof a sink received a value without keeping it. */
  written: Map<string, Map<string, string>>;
  /** The simulated clock; defaults to the real one. */
  now: () => Date;
}

export interface AwsSimOptions { latencyMs?: number; faults?: FaultPlan; now?: () => Date }

class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) { super(message); }
}
const notFound = (what: string) => new ApiError(404, 'NoSuchEntity', what);

type Service = 'iam' | 'sts' | 'organizations' | 'secretsmanager';

export async function startAwsSim(estate: SimEstate, opts: AwsSimOptions = {}): Promise<AwsSim> {
  const faults = opts.faults ?? new FaultPlan();
  const calls = new Map<string, number>();
  const written = new Map<string, Map<string, string>>();
  const now = opts.now ?? (() => new Date());
  const sessions = new Map<string, string>([[estate.baseAccessKeyId, estate.management]]);
  const reportPolls = new Map<string, number>();

  const handler = async (req: IncomingMessage, res: ServerResponse, body: string) => {
    const auth = String(req.headers.authorization ?? '');
    const scope = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\//.exec(auth);
    const target = String(req.headers['x-amz-target'] ?? '');
    let service: Service; let action: string; let params: Record<string, any>;
    if (target) {
      const [prefix, op] = target.split('.');
      service = prefix === 'secretsmanager' ? 'secretsmanager' : 'organizations';
      action = op ?? '';
      try { params = body ? JSON.parse(body) : {}; } catch { return jsonError(res, 400, 'SerializationException', 'body is not JSON'); }
    } else {
      const form = new URLSearchParams(body);
      params = Object.fromEntries(form.entries());
      action = form.get('Action') ?? '';
      service = form.get('Version') === '2011-06-15' ? 'sts' : 'iam';
    }
    const isJson = service === 'organizations' || service === 'secretsmanager';
    const ns = service === 'sts' ? STS_NS : IAM_NS;
    const region = scope?.[2] ?? 'us-east-1';
    const account = scope ? sessions.get(scope[1]!) : undefined;
    const key = `${service}:${action}`;
    calls.set(key, (calls.get(key) ?? 0) + 1);
    const fault = faults.take('POST', `/${key} account=${account ?? '?'} region=${region}`);
    if (fault) return applyFault(req, res, fault, isJson, ns, () => dispatch());

    return dispatch();

    async function dispatch(): Promise<void> {
      try {
        if (!account) throw new ApiError(403, isJson ? 'UnrecognizedClientException' : 'InvalidClientTokenId', 'The security token included in the request is invalid.');
        const acct = estate.accounts.get(account)!;
        if (acct.denied === 'iam' && service !== 'sts') throw new ApiError(403, isJson ? 'AccessDeniedException' : 'AccessDenied', `User: arn:aws:sts::${account}:assumed-role/${estate.orgRoleName}/nhi-recon is not authorized to perform: ${service}:${action}`);
        if (service === 'iam') return xml(res, 200, queryResponse(action, iam(acct, action, params), ns));
        if (service === 'sts') return xml(res, 200, queryResponse(action, sts(acct, action, params), ns));
        if (service === 'organizations') return json(res, orgs(acct, action, params));
        return json(res, secrets(acct, region, action, params));
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        if (isJson) return jsonError(res, e.status, e.code, e.message);
        return xml(res, e.status, queryError(e.code, e.message, ns, e.status >= 500 ? 'Receiver' : 'Sender'));
      }
    }
  };

  // ---- IAM ------------------------------------------------------------------------------------------------------
  function iam(acct: SimAccount, action: string, p: Record<string, string>): Record<string, unknown> | null {
    const user = (name = p.UserName) => { const u = acct.users.get(name ?? ''); if (!u) throw notFound(`The user with name ${name} cannot be found.`); return u; };
    const role = () => { const r = acct.roles.get(p.RoleName ?? ''); if (!r) throw notFound(`The role with name ${p.RoleName} cannot be found.`); return r; };
    const group = () => { const g = acct.groups.get(p.GroupName ?? ''); if (!g) throw notFound(`The group with name ${p.GroupName} cannot be found.`); return g; };
    const principal = (kind: 'User' | 'Role' | 'Group') => (kind === 'User' ? user() : kind === 'Role' ? role() : group());
    const pol = (arn: string) => findPolicy(estate, acct, arn);
    const attachedOf = (arns: string[]) => arns.map((a) => ({ PolicyName: a.split('/').pop(), PolicyArn: a }));
    const page = <T>(items: T[], max = 100) => {
      const start = p.Marker ? Number(Buffer.from(p.Marker, 'base64').toString('utf8')) : 0;
      const size = Math.min(Number(p.MaxItems ?? max), 1000);
      const slice = items.slice(start, start + size);
      const more = start + size < items.length;
      return { slice, IsTruncated: more, Marker: more ? Buffer.from(String(start + size)).toString('base64') : undefined };
    };
    const m = /^(ListAttached|List|Attach|Detach|Delete|Put|Get)(User|Role|Group)(Policies|Policy)$/.exec(action);
    switch (action) {
      case 'GetAccountAuthorizationDetails': {
        const filters = Object.entries(p).filter(([k]) => k.startsWith('Filter.member.')).map(([, v]) => v);
        const want = (f: string) => filters.length === 0 || filters.includes(f);
        // Only the page being answered is serialised: the estate may hold tens of thousands of principals.
        const items: [string, () => unknown][] = [];
        if (want('User')) for (const u of acct.users.values()) items.push(['UserDetailList', () => userDetail(acct, u)]);
        if (want('Group')) for (const g of acct.groups.values()) items.push(['GroupDetailList', () => ({ Path: g.path, GroupName: g.name, GroupId: g.id, Arn: groupArn(acct.id, g), CreateDate: g.created, GroupPolicyList: inlineList(g.inline), AttachedManagedPolicies: attachedOf(g.attached) })]);
        if (want('Role')) for (const r of acct.roles.values()) items.push(['RoleDetailList', () => roleDetail(acct, r)]);
        const counts = new Map<string, number>();
        for (const x of [...acct.users.values(), ...acct.groups.values(), ...acct.roles.values()]) for (const a of x.attached) counts.set(a, (counts.get(a) ?? 0) + 1);
        const pols: SimPolicy[] = [];
        if (want('LocalManagedPolicy')) pols.push(...acct.policies.values());
        if (want('AWSManagedPolicy')) for (const a of counts.keys()) { const ap = estate.awsPolicies.get(a); if (ap) pols.push(ap); }
        for (const po of pols) items.push(['Policies', () => policyDetail(po, counts.get(po.arn) ?? 0)]);
        const pg = page(items);
        const out: Record<string, unknown[]> = { UserDetailList: [], GroupDetailList: [], RoleDetailList: [], Policies: [] };
        for (const [k, v] of pg.slice) out[k]!.push(v());
        return { ...out, IsTruncated: pg.IsTruncated, Marker: pg.Marker };
      }
      case 'GenerateCredentialReport': {
        const fresh = acct.reportGeneratedAt && now().getTime() - acct.reportGeneratedAt.getTime() < 4 * 3600_000;
        if (fresh && !reportPolls.has(acct.id)) return { State: 'COMPLETE' };
        const polls = reportPolls.get(acct.id);
        if (polls === undefined) { reportPolls.set(acct.id, 0); if ((acct.reportDelayPolls ?? 0) > 0) return { State: 'STARTED', Description: 'No report exists. Starting a new report generation task' }; }
        const n = (reportPolls.get(acct.id) ?? 0) + 1;
        reportPolls.set(acct.id, n);
        if (n <= (acct.reportDelayPolls ?? 0)) return { State: 'INPROGRESS' };
        reportPolls.delete(acct.id);
        acct.reportGeneratedAt = now();
        acct.reportCsv = credentialReport(acct);
        return { State: 'COMPLETE' };
      }
      case 'GetCredentialReport': {
        if (reportPolls.has(acct.id)) throw new ApiError(404, 'ReportInProgress', 'Report generation in progress.');
        if (!acct.reportGeneratedAt) throw new ApiError(410, 'ReportNotPresent', 'Credential report not present.');
        acct.reportCsv ??= credentialReport(acct);
        return { Content: Buffer.from(acct.reportCsv).toString('base64'), ReportFormat: 'text/csv', GeneratedTime: acct.reportGeneratedAt };
      }
      case 'ListUsers': {
        const pg = page([...acct.users.values()]);
        return { Users: pg.slice.map((u) => ({ Path: u.path, UserName: u.name, UserId: u.id, Arn: userArn(acct.id, u), CreateDate: u.created, PasswordLastUsed: u.login?.lastUsed })), IsTruncated: pg.IsTruncated, Marker: pg.Marker };
      }
      case 'ListRoles': {
        const pg = page([...acct.roles.values()]);
        return { Roles: pg.slice.map((r) => ({ Path: r.path, RoleName: r.name, RoleId: r.id, Arn: roleArn(acct.id, r), CreateDate: r.created, AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(r.trust)) })), IsTruncated: pg.IsTruncated, Marker: pg.Marker };
      }
      case 'ListGroupsForUser': {
        const u = user();
        return { Groups: u.groups.map((g) => acct.groups.get(g)).filter(Boolean).map((g) => ({ Path: g!.path, GroupName: g!.name, GroupId: g!.id, Arn: groupArn(acct.id, g!), CreateDate: g!.created })), IsTruncated: false };
      }
      case 'ListAccessKeys': {
        const u = user();
        return { AccessKeyMetadata: u.keys.map((k) => ({ UserName: u.name, AccessKeyId: k.id, Status: k.status, CreateDate: k.created })), IsTruncated: false };
      }
      case 'GetAccessKeyLastUsed': {
        for (const u of acct.users.values()) {
          const k = u.keys.find((x) => x.id === p.AccessKeyId);
          if (k) return { UserName: u.name, AccessKeyLastUsed: k.lastUsed ? { LastUsedDate: k.lastUsed.date, ServiceName: k.lastUsed.service, Region: k.lastUsed.region } : { ServiceName: 'N/A', Region: 'N/A' } };
        }
        throw new ApiError(403, 'AccessDenied', 'The access key does not exist or belongs to another account.');
      }
      case 'UpdateAccessKey': { key(user(), p.AccessKeyId).status = p.Status === 'Active' ? 'Active' : 'Inactive'; return null; }
      case 'DeleteAccessKey': { const u = user(); key(u, p.AccessKeyId); u.keys = u.keys.filter((k) => k.id !== p.AccessKeyId); return null; }
      case 'CreateAccessKey': {
        const u = user();
        if (u.keys.length >= 2) throw new ApiError(409, 'LimitExceeded', 'Cannot exceed quota for AccessKeysPerUser: 2');
        const k: SimKey = { id: iamId('AKIA', Number.parseInt(randomBytes(4).toString('hex'), 16)), status: 'Active', created: new Date(Math.floor(now().getTime() / 1000) * 1000) };
        u.keys.push(k);
        // The secret is generated, returned once, and not kept: like AWS, nobody can read it again.
        return { AccessKey: { UserName: u.name, AccessKeyId: k.id, Status: 'Active', SecretAccessKey: randomBytes(30).toString('base64').slice(0, 40), CreateDate: k.created } };
      }
      case 'GetLoginProfile': {
        const u = user();
        if (!u.login) throw notFound(`Login Profile for User ${u.name} cannot be found.`);
        return { LoginProfile: { UserName: u.name, CreateDate: u.login.created, PasswordResetRequired: false } };
      }
      case 'DeleteLoginProfile': { const u = user(); if (!u.login) throw notFound(`Login Profile for User ${u.name} cannot be found.`); delete u.login; return null; }
      case 'RemoveUserFromGroup': { const u = user(); group(); if (!u.groups.includes(p.GroupName!)) throw notFound(`User ${u.name} is not in group ${p.GroupName}.`); u.groups = u.groups.filter((g) => g !== p.GroupName); return null; }
      case 'AddUserToGroup': { const u = user(); group(); if (!u.groups.includes(p.GroupName!)) u.groups.push(p.GroupName!); return null; }
      case 'GetUser': { const u = user(); return { User: { Path: u.path, UserName: u.name, UserId: u.id, Arn: userArn(acct.id, u), CreateDate: u.created } }; }
    }
    if (m) {
      const [, verb, kind, rest] = m as unknown as [string, string, 'User' | 'Role' | 'Group', string | undefined];
      const x = principal(kind);
      if (verb === 'ListAttached' && rest === 'Policies') return { AttachedPolicies: attachedOf(x.attached), IsTruncated: false };
      if (verb === 'List' && rest === 'Policies') return { PolicyNames: x.inline.map((i) => i.name), IsTruncated: false };
      if (verb === 'Attach' && rest === 'Policy') {
        if (!pol(p.PolicyArn!)) throw notFound(`Policy ${p.PolicyArn} does not exist or is not attachable.`);
        if (!x.attached.includes(p.PolicyArn!)) x.attached.push(p.PolicyArn!);
        return null;
      }
      if (verb === 'Detach' && rest === 'Policy') {
        if (!x.attached.includes(p.PolicyArn!)) throw notFound(`Policy ${p.PolicyArn} was not found.`);
        x.attached = x.attached.filter((a) => a !== p.PolicyArn);
        return null;
      }
      if (verb === 'Get' && rest === 'Policy') {
        const i = x.inline.find((y) => y.name === p.PolicyName);
        if (!i) throw notFound(`The ${kind.toLowerCase()} policy with name ${p.PolicyName} cannot be found.`);
        return { [`${kind}Name`]: x.name, PolicyName: i.name, PolicyDocument: encodeURIComponent(JSON.stringify(i.doc)) };
      }
      if (verb === 'Delete' && rest === 'Policy') {
        if (!x.inline.some((y) => y.name === p.PolicyName)) throw notFound(`The ${kind.toLowerCase()} policy with name ${p.PolicyName} cannot be found.`);
        x.inline = x.inline.filter((y) => y.name !== p.PolicyName);
        return null;
      }
      if (verb === 'Put' && rest === 'Policy') {
        let doc: PolicyDoc;
        try { doc = JSON.parse(p.PolicyDocument ?? ''); } catch { throw new ApiError(400, 'MalformedPolicyDocument', 'Syntax errors in policy.'); }
        x.inline = [...x.inline.filter((y) => y.name !== p.PolicyName), { name: p.PolicyName!, doc }];
        return null;
      }
    }
    throw new ApiError(400, 'InvalidAction', `Could not find operation ${action} for version 2010-05-08`);
  }

  function key(u: SimUser, id: string | undefined): SimKey {
    const k = u.keys.find((x) => x.id === id);
    if (!k) throw notFound(`The Access Key with id ${id} cannot be found.`);
    return k;
  }

  function inlineList(l: { name: string; doc: PolicyDoc }[]) {
    // Real IAM sends policy documents URL-encoded (RFC 3986); the SDK hands them over as-is.
    return l.map((i) => ({ PolicyName: i.name, PolicyDocument: encodeURIComponent(JSON.stringify(i.doc)) }));
  }
  const tagList = (t: Record<string, string>) => Object.entries(t).map(([Key, Value]) => ({ Key, Value }));
  const boundary = (arn?: string) => (arn ? { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: arn } : undefined);

  function userDetail(acct: SimAccount, u: SimUser) {
    return {
      Path: u.path, UserName: u.name, UserId: u.id, Arn: userArn(acct.id, u), CreateDate: u.created, UserPolicyList: inlineList(u.inline),
      GroupList: u.groups, AttachedManagedPolicies: u.attached.map((a) => ({ PolicyName: a.split('/').pop(), PolicyArn: a })),
      PermissionsBoundary: boundary(u.boundary), Tags: tagList(u.tags),
    };
  }
  function roleDetail(acct: SimAccount, r: SimRole) {
    return {
      Path: r.path, RoleName: r.name, RoleId: r.id, Arn: roleArn(acct.id, r), CreateDate: r.created,
      AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(r.trust)),
      InstanceProfileList: (r.instanceProfiles ?? []).map((ip) => ({
        Path: ip.path, InstanceProfileName: ip.name, InstanceProfileId: ip.id, Arn: ip.arn, CreateDate: ip.created,
        Roles: ip.roles.map((x) => ({ Path: x.path, RoleName: x.name, RoleId: x.id, Arn: x.arn, CreateDate: x.created, AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(x.trust)) })),
      })),
      RolePolicyList: inlineList(r.inline),
      AttachedManagedPolicies: r.attached.map((a) => ({ PolicyName: a.split('/').pop(), PolicyArn: a })), PermissionsBoundary: boundary(r.boundary),
      Tags: tagList(r.tags), RoleLastUsed: r.lastUsed ? { LastUsedDate: r.lastUsed.date, Region: r.lastUsed.region } : {},
    };
  }
  function policyDetail(po: SimPolicy, count: number) {
    return {
      PolicyName: po.name, PolicyId: po.id, Arn: po.arn, Path: po.path, DefaultVersionId: po.versions.find((v) => v.isDefault)?.id,
      AttachmentCount: count, PermissionsBoundaryUsageCount: 0, IsAttachable: true, CreateDate: po.created, UpdateDate: po.updated,
      PolicyVersionList: po.versions.map((v) => ({ Document: encodeURIComponent(JSON.stringify(v.doc)), VersionId: v.id, IsDefaultVersion: v.isDefault, CreateDate: v.created })),
    };
  }

  // ---- STS ------------------------------------------------------------------------------------------------------
  function sts(acct: SimAccount, action: string, p: Record<string, string>): Record<string, unknown> {
    if (action === 'GetCallerIdentity') return { Arn: `arn:aws:iam::${acct.id}:user/nhi-recon`, UserId: 'AIDASIMCALLER0000001', Account: acct.id };
    if (action === 'AssumeRole') {
      const m = /^arn:aws:iam::(\d{12}):role\/(.+)$/.exec(p.RoleArn ?? '');
      const target = m ? estate.accounts.get(m[1]!) : undefined;
      const deny = () => new ApiError(403, 'AccessDenied', `User: arn:aws:iam::${acct.id}:user/nhi-recon is not authorized to perform: sts:AssumeRole on resource: ${p.RoleArn}`);
      if (!m || !target || target.denied === 'assume') throw deny();
      const roleName = m[2]!.split('/').pop()!;
      if (roleName !== estate.orgRoleName && !target.roles.has(roleName)) throw deny();
      if (estate.externalId && p.ExternalId !== estate.externalId) throw deny();
      const akid = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
      sessions.set(akid, target.id);
      return {
        Credentials: { AccessKeyId: akid, SecretAccessKey: randomBytes(30).toString('base64').slice(0, 40), SessionToken: randomBytes(48).toString('base64'), Expiration: new Date(now().getTime() + 3600_000) },
        AssumedRoleUser: { Arn: `arn:aws:sts::${target.id}:assumed-role/${roleName}/${p.RoleSessionName}`, AssumedRoleId: `AROASIM:${p.RoleSessionName}` },
      };
    }
    throw new ApiError(400, 'InvalidAction', `Could not find operation ${action} for version 2011-06-15`);
  }

  // ---- Organizations ---------------------------------------------------------------------------------------------
  function orgs(acct: SimAccount, action: string, p: Record<string, any>): Record<string, unknown> {
    if (acct.id !== estate.management) throw new ApiError(400, 'AccessDeniedException', 'You don\'t have permissions to access this resource.');
    if (action !== 'ListAccounts') throw new ApiError(400, 'UnknownOperationException', action);
    const all = [...estate.accounts.values()];
    const start = p.NextToken ? Number(Buffer.from(p.NextToken, 'base64').toString()) : 0;
    const size = Math.min(Number(p.MaxResults ?? 20), 20);
    const slice = all.slice(start, start + size);
    return {
      Accounts: slice.map((a) => ({ Id: a.id, Arn: `arn:aws:organizations::${estate.management}:account/o-sim0000001/${a.id}`, Email: a.email, Name: a.name, Status: 'ACTIVE', State: 'ACTIVE', JoinedMethod: a.id === estate.management ? 'CREATED' : 'INVITED', JoinedTimestamp: 1_600_000_000 })),
      NextToken: start + size < all.length ? Buffer.from(String(start + size)).toString('base64') : undefined,
    };
  }

  // ---- Secrets Manager -------------------------------------------------------------------------------------------
  function secrets(acct: SimAccount, region: string, action: string, p: Record<string, any>): Record<string, unknown> {
    const epoch = (d?: Date) => (d ? d.getTime() / 1000 : undefined);
    const find = (id: string): SimSecret => {
      for (const s of acct.secrets.values()) if (s.region === region && (s.arn === id || s.name === id)) return s;
      throw new ApiError(400, 'ResourceNotFoundException', 'Secrets Manager can\'t find the specified secret.');
    };
    const describe = (s: SimSecret) => ({
      ARN: s.arn, Name: s.name, Description: s.description, RotationEnabled: s.rotationEnabled || undefined, RotationLambdaARN: s.rotationLambda,
      RotationRules: s.rotationDays ? { AutomaticallyAfterDays: s.rotationDays } : undefined, LastRotatedDate: epoch(s.lastRotated),
      LastChangedDate: epoch(s.lastChanged), LastAccessedDate: epoch(s.lastAccessed), DeletedDate: epoch(s.deleted),
      NextRotationDate: epoch(s.nextRotation ?? (s.rotationEnabled && s.rotationDays ? new Date((s.lastRotated ?? s.created).getTime() + s.rotationDays * 86_400_000) : undefined)),
      Tags: Object.keys(s.tags).length ? Object.entries(s.tags).map(([Key, Value]) => ({ Key, Value })) : undefined, OwningService: s.owningService,
      CreatedDate: epoch(s.created), PrimaryRegion: s.region,
    });
    const newVersion = (s: SimSecret, value: unknown) => {
      const vid = randomBytes(16).toString('hex');
      for (const [v, stages] of Object.entries(s.versions)) {
        const rest = stages.filter((x) => x !== 'AWSCURRENT' && x !== 'AWSPREVIOUS');
        s.versions[v] = stages.includes('AWSCURRENT') ? [...rest, 'AWSPREVIOUS'] : rest;
        if (!s.versions[v]!.length) delete s.versions[v];
      }
      s.versions[vid] = ['AWSCURRENT'];
      s.lastChanged = now();
      if (typeof value === 'string') {
        const m = written.get(s.arn) ?? new Map<string, string>();
        m.set(vid, createHash('sha256').update(value).digest('hex').slice(0, 12));
        written.set(s.arn, m);
      }
      return vid;
    };
    switch (action) {
      case 'ListSecrets': {
        const all = [...acct.secrets.values()].filter((s) => s.region === region && (p.IncludePlannedDeletion || !s.deleted));
        const start = p.NextToken ? Number(Buffer.from(p.NextToken, 'base64').toString()) : 0;
        const size = Math.min(Number(p.MaxResults ?? 100), 100);
        const slice = all.slice(start, start + size);
        return { SecretList: slice.map((s) => ({ ...describe(s), SecretVersionsToStages: s.versions })), NextToken: start + size < all.length ? Buffer.from(String(start + size)).toString('base64') : undefined };
      }
      case 'DescribeSecret': { const s = find(p.SecretId); return { ...describe(s), VersionIdsToStages: s.versions }; }
      case 'GetResourcePolicy': { const s = find(p.SecretId); return { ARN: s.arn, Name: s.name, ResourcePolicy: s.policy ? JSON.stringify(s.policy) : undefined }; }
      case 'RotateSecret': {
        const s = find(p.SecretId);
        const lambda = p.RotationLambdaARN ?? s.rotationLambda;
        if (!lambda) throw new ApiError(400, 'InvalidRequestException', 'No Lambda rotation function ARN is associated with this secret.');
        s.rotationLambda = lambda; s.rotationEnabled = true;
        if (p.RotationRules?.AutomaticallyAfterDays) s.rotationDays = p.RotationRules.AutomaticallyAfterDays;
        // The rotation function runs at once here; AWS runs it asynchronously and the verifier re-reads.
        const vid = newVersion(s, undefined);
        s.lastRotated = now();
        return { ARN: s.arn, Name: s.name, VersionId: vid };
      }
      case 'CreateSecret': {
        if ([...acct.secrets.values()].some((s) => s.region === region && s.name === p.Name)) throw new ApiError(400, 'ResourceExistsException', `The operation failed because the secret ${p.Name} already exists.`);
        const suffix = randomBytes(3).toString('hex');
        const s: SimSecret = { arn: `arn:aws:secretsmanager:${region}:${acct.id}:secret:${p.Name}-${suffix}`, name: p.Name, region, created: now(), rotationEnabled: false, description: p.Description, tags: Object.fromEntries((p.Tags ?? []).map((t: any) => [t.Key, t.Value])), versions: {} };
        acct.secrets.set(s.arn, s);
        const vid = newVersion(s, p.SecretString);
        return { ARN: s.arn, Name: s.name, VersionId: vid };
      }
      case 'PutSecretValue': {
        const s = find(p.SecretId);
        const vid = newVersion(s, p.SecretString);
        return { ARN: s.arn, Name: s.name, VersionId: vid, VersionStages: ['AWSCURRENT'] };
      }
    }
    throw new ApiError(400, 'InvalidRequestException', `unsupported operation ${action}`);
  }

  const server = await serve(handler, { latencyMs: opts.latencyMs });
  return Object.assign(server, {
    estate, faults, calls, written, now,
    totalCalls: () => [...calls.values()].reduce((a, b) => a + b, 0),
  });
}

/** The credential report CSV AWS would generate for this account now. */
export function credentialReport(acct: SimAccount): string {
  const ts = (d?: Date) => (d ? d.toISOString().replace(/\.\d{3}Z$/, '+00:00') : 'N/A');
  const head = 'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';
  const keyCols = (k?: SimKey) => (k ? [String(k.status === 'Active'), ts(k.created), ts(k.lastUsed?.date), k.lastUsed?.region ?? 'N/A', k.lastUsed?.service ?? 'N/A'] : ['false', 'N/A', 'N/A', 'N/A', 'N/A']);
  const rows = [head];
  const root = acct.root;
  const rk = [...root.keys].sort((a, b) => a.created.getTime() - b.created.getTime());
  rows.push([`<root_account>`, `arn:aws:iam::${acct.id}:root`, ts(root.created), 'not_supported', root.passwordLastUsed ? ts(root.passwordLastUsed) : 'no_information', 'not_supported', 'not_supported', String(root.mfa), ...keyCols(rk[0]), ...keyCols(rk[1]), 'false', 'N/A', 'false', 'N/A'].join(','));
  for (const u of acct.users.values()) {
    const ks = [...u.keys].sort((a, b) => a.created.getTime() - b.created.getTime());
    const cs = [...u.certs].sort((a, b) => a.uploaded.getTime() - b.uploaded.getTime());
    const pw = u.login ? (u.login.lastUsedUnknown ? 'no_information' : ts(u.login.lastUsed)) : 'N/A';
    rows.push([u.name, userArn(acct.id, u), ts(u.created), String(!!u.login), pw, u.login ? ts(u.login.created) : 'N/A', 'N/A', String(u.mfa),
      ...keyCols(ks[0]), ...keyCols(ks[1]),
      String(cs[0]?.status === 'Active'), ts(cs[0]?.uploaded), String(cs[1]?.status === 'Active'), ts(cs[1]?.uploaded)].join(','));
  }
  return rows.join('\n') + '\n';
}

function xml(res: ServerResponse, status: number, body: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'text/xml');
  res.setHeader('x-amzn-requestid', randomBytes(16).toString('hex'));
  res.end(body);
}
function json(res: ServerResponse, value: Record<string, unknown>): void {
  res.statusCode = 200;
  res.setHeader('content-type', 'application/x-amz-json-1.1');
  res.end(JSON.stringify(value));
}
function jsonError(res: ServerResponse, status: number, code: string, message: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/x-amz-json-1.1');
  res.setHeader('x-amzn-errortype', code);
  res.end(JSON.stringify({ __type: code, message }));
}

/** Faults in AWS's own shapes: Throttling as a 400 error document, 5xx as ServiceFailure, and broken transports. */
async function applyFault(req: IncomingMessage, res: ServerResponse, f: Fault, isJson: boolean, ns: string, real: () => Promise<void>): Promise<void> {
  switch (f.kind) {
    case 'reset': req.socket.destroy(); return;
    case 'hang': return;
    case 'throttle': {
      if (f.retryAfter !== undefined) res.setHeader('retry-after', String(f.retryAfter));
      if (isJson) return jsonError(res, 400, 'ThrottlingException', 'Rate exceeded');
      return xml(res, 400, queryError('Throttling', 'Rate exceeded', ns));
    }
    case 'status': {
      const st = f.status ?? 500;
      const code = st === 403 ? (isJson ? 'AccessDeniedException' : 'AccessDenied') : st === 503 ? 'ServiceUnavailable' : st >= 500 ? (isJson ? 'InternalServiceError' : 'ServiceFailure') : 'InvalidRequest';
      const msg = st === 403 ? 'User is not authorized to perform this operation (injected fault)' : 'We encountered an internal error. Please try again. (injected fault)';
      if (isJson) return jsonError(res, st, code, msg);
      return xml(res, st, queryError(code, msg, ns, st >= 500 ? 'Receiver' : 'Sender'));
    }
    case 'truncate': case 'malformed': case 'empty': {
      const origEnd = res.end.bind(res);
      (res as unknown as { end: (c?: unknown) => ServerResponse }).end = (c?: unknown) => {
        const full = c ? String(c) : '';
        res.removeHeader('content-length');
        if (f.kind === 'truncate') { res.write(full.slice(0, Math.max(1, Math.floor(full.length / 2)))); req.socket.destroy(); return res; }
        if (f.kind === 'malformed') return origEnd(full.slice(0, Math.floor(full.length / 2)) + '<<not valid>>');
        return origEnd('');
      };
      return real();
    }
  }
}

export { isoSeconds };
