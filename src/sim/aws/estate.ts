// The simulated AWS estate: accounts with IAM users, groups, roles, managed policies, credentials (access keys,
// console passwords, MFA, signing certificates) and Secrets Manager secrets. Seeded from a generator (tests,
// benchmarks) or from an `aws iam get-account-authorization-details` export. Secret values are never modelled:
// a stored secret only has versions, and a created access key's secret is returned once and then forgotten.
import { rng } from '../http.js';

export type PolicyDoc = Record<string, unknown>;

export interface SimKey { id: string; status: 'Active' | 'Inactive'; created: Date; lastUsed?: { date: Date; region: string; service: string } }
export interface SimCert { id: string; status: 'Active' | 'Inactive'; uploaded: Date }
export interface SimInline { name: string; doc: PolicyDoc }

export interface SimUser {
  name: string; id: string; path: string; created: Date; tags: Record<string, string>;
  groups: string[]; attached: string[]; inline: SimInline[]; boundary?: string;
  login?: { created: Date; lastUsed?: Date; lastUsedUnknown?: boolean };
  mfa: boolean; keys: SimKey[]; certs: SimCert[];
}
export interface SimGroup { name: string; id: string; path: string; created: Date; attached: string[]; inline: SimInline[] }
export interface SimRole {
  name: string; id: string; path: string; created: Date; tags: Record<string, string>; trust: PolicyDoc;
  attached: string[]; inline: SimInline[]; boundary?: string; lastUsed?: { date: Date; region: string };
  description?: string; maxSessionDuration?: number;
  instanceProfiles?: SimInstanceProfile[];
}
export interface SimInstanceProfile { name: string; id: string; arn: string; path: string; created: Date; roles: { name: string; id: string; arn: string; path: string; created: Date; trust: PolicyDoc }[] }
export interface SimPolicy {
  arn: string; name: string; id: string; path: string; created: Date; updated: Date;
  versions: { id: string; doc: PolicyDoc; created: Date; isDefault: boolean }[];
}
export interface SimSecret {
  arn: string; name: string; region: string; created: Date; lastChanged?: Date; lastRotated?: Date; lastAccessed?: Date;
  rotationEnabled: boolean; rotationLambda?: string; rotationDays?: number; nextRotation?: Date;
  tags: Record<string, string>; policy?: PolicyDoc; owningService?: string; deleted?: Date; description?: string;
  /** VersionId → staging labels. Values are not kept: the simulator never needs them. */
  versions: Record<string, string[]>;
}
export interface SimAccount {
  id: string; name: string; email: string;
  users: Map<string, SimUser>; groups: Map<string, SimGroup>; roles: Map<string, SimRole>;
  /** Customer managed policies of this account, by ARN. AWS managed ones live on the estate. */
  policies: Map<string, SimPolicy>;
  root: { created: Date; passwordLastUsed?: Date; mfa: boolean; keys: SimKey[] };
  secrets: Map<string, SimSecret>;
  /** 'assume': AssumeRole into this account is denied; 'iam': every call made inside it answers AccessDenied. */
  denied?: 'assume' | 'iam';
  /** When the credential report was generated; null = never. */
  reportGeneratedAt?: Date | null;
  /** The report as generated then: users created later are not in it, as at AWS. */
  reportCsv?: string;
  /** GenerateCredentialReport answers STARTED/INPROGRESS this many times before COMPLETE. */
  reportDelayPolls?: number;
}
export interface SimEstate {
  accounts: Map<string, SimAccount>;
  /** AWS managed policies (arn:aws:iam::aws:policy/...), shared by all accounts. */
  awsPolicies: Map<string, SimPolicy>;
  /** The account that owns the organisation. */
  management: string;
  /** Access key id of the caller's base credentials. */
  baseAccessKeyId: string;
  /** The role name member accounts trust for the scanner (organisation mode). */
  orgRoleName: string;
  /** External id the org role requires, if any. */
  externalId?: string;
}

export function emptyAccount(id: string, name = `account-${id}`): SimAccount {
  return {
    id, name, email: `aws+${id}@example.com`, users: new Map(), groups: new Map(), roles: new Map(), policies: new Map(),
    root: { created: new Date('2019-01-01T00:00:00Z'), mfa: true, keys: [] }, secrets: new Map(), reportGeneratedAt: null,
  };
}

export function newEstate(accountIds: string[], opts: { orgRoleName?: string; externalId?: string } = {}): SimEstate {
  const accounts = new Map(accountIds.map((id) => [id, emptyAccount(id)]));
  return { accounts, awsPolicies: new Map(), management: accountIds[0]!, baseAccessKeyId: 'AKIASIMBASE000000001', orgRoleName: opts.orgRoleName ?? 'NhiReconAudit', externalId: opts.externalId };
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** IAM-style unique ids: a 4-letter prefix then 17 base32 characters, derived from a counter so they are stable. */
export function iamId(prefix: string, n: number, salt = 0): string {
  let x = (n * 2654435761 + salt * 40503) >>> 0;
  let s = '';
  for (let i = 0; i < 17; i++) { s += ALNUM[(x + i * 7 + n) % 32]; x = Math.imul(x ^ (x >>> 13), 1103515245) >>> 0; }
  return prefix + s;
}

export function userArn(acct: string, u: { path: string; name: string }): string { return `arn:aws:iam::${acct}:user${u.path}${u.name}`; }
export function roleArn(acct: string, r: { path: string; name: string }): string { return `arn:aws:iam::${acct}:role${r.path}${r.name}`; }
export function groupArn(acct: string, g: { path: string; name: string }): string { return `arn:aws:iam::${acct}:group${g.path}${g.name}`; }

export function policy(arn: string, doc: PolicyDoc, created = new Date('2023-01-01T00:00:00Z'), n = 0): SimPolicy {
  const name = arn.split('/').pop()!;
  const path = arn.includes(':policy/') ? arn.slice(arn.indexOf(':policy') + 7, arn.length - name.length) : '/';
  return { arn, name, id: iamId('ANPA', n + name.length * 131, name.charCodeAt(0)), path, created, updated: created, versions: [{ id: 'v1', doc, created, isDefault: true }] };
}

export const ADMIN_DOC: PolicyDoc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
export const READONLY_DOC: PolicyDoc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:Get*', 's3:List*', 'ec2:Describe*', 'iam:Get*', 'iam:List*'], Resource: '*' }] };
export const QUARANTINE_DOC: PolicyDoc = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: ['iam:AttachUserPolicy', 'iam:CreateAccessKey', 'iam:CreateLoginProfile', 'iam:PutUserPolicy', 'ec2:RunInstances', 'lambda:CreateFunction'], Resource: '*' }] };

/** The AWS managed policies the generator and the demo attach. */
export function standardAwsPolicies(): Map<string, SimPolicy> {
  const m = new Map<string, SimPolicy>();
  for (const [arn, doc] of [
    ['arn:aws:iam::aws:policy/AdministratorAccess', ADMIN_DOC],
    ['arn:aws:iam::aws:policy/ReadOnlyAccess', READONLY_DOC],
    ['arn:aws:iam::aws:policy/AmazonS3FullAccess', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:*', 's3-object-lambda:*'], Resource: '*' }] }],
    ['arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV2', QUARANTINE_DOC],
  ] as const) m.set(arn, policy(arn, doc as PolicyDoc));
  return m;
}

export interface GenerateOptions {
  seed?: number; accounts?: string[]; users?: number; roles?: number; groups?: number; policies?: number;
  /** Secrets per account in each region. */
  secrets?: number; regions?: string[]; now?: Date;
}

/** A seeded, plausible estate: human users with console access, service users with keys, roles, groups, policies. */
export function generateEstate(o: GenerateOptions = {}): SimEstate {
  const r = rng(o.seed ?? 42);
  const now = o.now ?? new Date('2025-06-01T00:00:00Z');
  const day = 86_400_000;
  const ago = (maxDays: number) => new Date(Math.floor((now.getTime() - r() * maxDays * day) / 1000) * 1000);
  const estate = newEstate(o.accounts ?? ['111111111111']);
  estate.awsPolicies = standardAwsPolicies();
  let n = 0;
  for (const acct of estate.accounts.values()) {
    const nPol = o.policies ?? 5;
    const local: string[] = [];
    for (let i = 0; i < nPol; i++) {
      const arn = `arn:aws:iam::${acct.id}:policy/app-${i}`;
      acct.policies.set(arn, policy(arn, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: [`s3:GetObject`, `s3:PutObject`], Resource: `arn:aws:s3:::bucket-${i}/*` }] }, ago(900), i));
      local.push(arn);
    }
    const groups: string[] = [];
    for (let i = 0; i < (o.groups ?? 3); i++) {
      const g: SimGroup = { name: `group-${i}`, id: iamId('AGPA', ++n), path: '/', created: ago(1500), attached: [i === 0 ? 'arn:aws:iam::aws:policy/ReadOnlyAccess' : local[i % local.length]!], inline: [] };
      acct.groups.set(g.name, g); groups.push(g.name);
    }
    for (let i = 0; i < (o.users ?? 20); i++) {
      const human = r() < 0.4;
      const created = ago(1200);
      const u: SimUser = {
        name: human ? `person-${i}` : `svc-${i}`, id: iamId('AIDA', ++n), path: '/', created, tags: human ? {} : { owner: `owner-${i % 7}` },
        groups: r() < 0.5 ? [groups[i % groups.length]!] : [], attached: r() < 0.6 ? [local[i % local.length]!] : [],
        inline: r() < 0.2 ? [{ name: `inline-${i}`, doc: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' }] } }] : [],
        mfa: human && r() < 0.7, keys: [], certs: [],
      };
      if (human) u.login = { created, lastUsed: r() < 0.8 ? ago(200) : undefined };
      const nKeys = human ? (r() < 0.2 ? 1 : 0) : (r() < 0.85 ? 1 : 0) + (r() < 0.1 ? 1 : 0);
      for (let k = 0; k < nKeys; k++) {
        const kc = new Date(Math.max(created.getTime(), ago(700).getTime()) + k * 1000);
        u.keys.push({ id: iamId('AKIA', ++n), status: r() < 0.9 ? 'Active' : 'Inactive', created: kc, lastUsed: r() < 0.75 ? { date: ago(150), region: 'us-east-1', service: 's3' } : undefined });
      }
      acct.users.set(u.name, u);
    }
    for (let i = 0; i < (o.roles ?? 20); i++) {
      const svc = r() < 0.5;
      const ro: SimRole = {
        name: `role-${i}`, id: iamId('AROA', ++n), path: '/', created: ago(1000), tags: r() < 0.5 ? { owner: `owner-${i % 7}` } : {},
        trust: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: svc ? { Service: 'lambda.amazonaws.com' } : { AWS: `arn:aws:iam::${acct.id}:root` }, Action: 'sts:AssumeRole' }] },
        attached: [local[i % local.length]!], inline: [], lastUsed: r() < 0.7 ? { date: ago(300), region: 'us-east-1' } : undefined,
      };
      acct.roles.set(ro.name, ro);
    }
    for (const region of o.regions ?? ['us-east-1']) {
      for (let i = 0; i < (o.secrets ?? 3); i++) {
        const rot = r() < 0.5;
        addSecret(acct, region, { name: `app/secret-${i}`, created: ago(800), rotationEnabled: rot, rotationLambda: rot ? `arn:aws:lambda:${region}:${acct.id}:function:rotate` : undefined, rotationDays: rot ? 30 : undefined, lastRotated: rot ? ago(40) : undefined, lastAccessed: r() < 0.7 ? ago(100) : undefined, tags: { owner: `owner-${i % 7}` } });
      }
    }
  }
  return estate;
}

let secretSeq = 0;
export function addSecret(acct: SimAccount, region: string, s: Partial<SimSecret> & { name: string; created: Date }): SimSecret {
  const suffix = iamId('', ++secretSeq + s.name.length * 977).slice(0, 6);
  const sec: SimSecret = {
    arn: `arn:aws:secretsmanager:${region}:${acct.id}:secret:${s.name}-${suffix}`, region, rotationEnabled: false, tags: {},
    versions: { [`v-${suffix}-1`]: ['AWSCURRENT'] }, lastChanged: s.created, ...s,
  };
  acct.secrets.set(sec.arn, sec);
  return sec;
}

/** Seeds one account from an `aws iam get-account-authorization-details` export (documents decoded or URL-encoded). */
export function loadAuthorizationDetails(acct: SimAccount, estate: SimEstate, details: { UserDetailList?: any[]; GroupDetailList?: any[]; RoleDetailList?: any[]; Policies?: any[] }): void {
  const d = (v: unknown) => new Date(String(v).replace(' ', 'T'));
  const doc = (v: unknown): PolicyDoc => (typeof v === 'string' ? JSON.parse(decodeURIComponent(v)) : (v as PolicyDoc));
  const tags = (t: any[] | undefined) => Object.fromEntries((t ?? []).map((x) => [x.Key, x.Value]));
  for (const p of details.Policies ?? []) {
    const sp: SimPolicy = {
      arn: p.Arn, name: p.PolicyName, id: p.PolicyId, path: p.Path ?? '/', created: d(p.CreateDate), updated: d(p.UpdateDate ?? p.CreateDate),
      versions: (p.PolicyVersionList ?? []).map((v: any) => ({ id: v.VersionId, doc: doc(v.Document), created: d(v.CreateDate), isDefault: !!v.IsDefaultVersion })),
    };
    if (String(p.Arn).startsWith('arn:aws:iam::aws:')) estate.awsPolicies.set(sp.arn, sp); else acct.policies.set(sp.arn, sp);
  }
  const inline = (l: any[] | undefined) => (l ?? []).map((x) => ({ name: x.PolicyName, doc: doc(x.PolicyDocument) }));
  for (const g of details.GroupDetailList ?? []) {
    acct.groups.set(g.GroupName, { name: g.GroupName, id: g.GroupId, path: g.Path ?? '/', created: d(g.CreateDate), attached: (g.AttachedManagedPolicies ?? []).map((a: any) => a.PolicyArn), inline: inline(g.GroupPolicyList) });
  }
  for (const u of details.UserDetailList ?? []) {
    acct.users.set(u.UserName, {
      name: u.UserName, id: u.UserId, path: u.Path ?? '/', created: d(u.CreateDate), tags: tags(u.Tags), groups: u.GroupList ?? [],
      attached: (u.AttachedManagedPolicies ?? []).map((a: any) => a.PolicyArn), inline: inline(u.UserPolicyList),
      boundary: u.PermissionsBoundary?.PermissionsBoundaryArn, mfa: false, keys: [], certs: [],
    });
  }
  for (const ro of details.RoleDetailList ?? []) {
    acct.roles.set(ro.RoleName, {
      name: ro.RoleName, id: ro.RoleId, path: ro.Path ?? '/', created: d(ro.CreateDate), tags: tags(ro.Tags), trust: doc(ro.AssumeRolePolicyDocument),
      attached: (ro.AttachedManagedPolicies ?? []).map((a: any) => a.PolicyArn), inline: inline(ro.RolePolicyList),
      boundary: ro.PermissionsBoundary?.PermissionsBoundaryArn,
      lastUsed: ro.RoleLastUsed?.LastUsedDate ? { date: d(ro.RoleLastUsed.LastUsedDate), region: ro.RoleLastUsed.Region } : undefined,
      instanceProfiles: (ro.InstanceProfileList ?? []).map((ip: any) => ({
        name: ip.InstanceProfileName, id: ip.InstanceProfileId, arn: ip.Arn, path: ip.Path ?? '/', created: d(ip.CreateDate),
        roles: (ip.Roles ?? []).map((x: any) => ({ name: x.RoleName, id: x.RoleId, arn: x.Arn, path: x.Path ?? '/', created: d(x.CreateDate), trust: doc(x.AssumeRolePolicyDocument) })),
      })),
    });
  }
}

/** The estate's policy by ARN, AWS managed or the account's own. */
export function findPolicy(estate: SimEstate, acct: SimAccount, arn: string): SimPolicy | undefined {
  return acct.policies.get(arn) ?? estate.awsPolicies.get(arn);
}
