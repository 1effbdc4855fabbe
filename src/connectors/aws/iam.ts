// IAM collection for one account: one paginated GetAccountAuthorizationDetails sweep (users, groups, roles,
// policies, boundaries, trust policies, role last use) plus the credential report for every password, key and
// certificate. Per-entity calls are made only for users the report does not cover yet (created after it).
import {
  GenerateCredentialReportCommand, GetAccessKeyLastUsedCommand, GetAccountAuthorizationDetailsCommand, GetCredentialReportCommand,
  ListAccessKeysCommand, type IAMClient,
} from '@aws-sdk/client-iam';
import { InputError } from '../../errors.js';
import { readJsonFile, readTextFile } from '../../io/records.js';
import { sleep } from '../http/fetch.js';
import type { AuthorizationDetails } from './analysis.js';
import { parseCredentialReport, type CredentialReport, type ReportRow } from './credential-report.js';
import { decodeDetails, type ExtraKey } from './map.js';
import type { AwsOptions } from './options.js';

/** The whole sweep; any failure fails the tenant (a partial listing must never look like fewer principals). */
export async function fetchAuthorizationDetails(iam: IAMClient, signal: AbortSignal): Promise<AuthorizationDetails> {
  const out: AuthorizationDetails = { UserDetailList: [], GroupDetailList: [], RoleDetailList: [], Policies: [] };
  let Marker: string | undefined;
  const seen = new Set<string>();
  do {
    const r = await iam.send(new GetAccountAuthorizationDetailsCommand({ MaxItems: 1000, Marker }), { abortSignal: signal });
    out.UserDetailList.push(...(r.UserDetailList ?? []));
    out.GroupDetailList.push(...(r.GroupDetailList ?? []));
    out.RoleDetailList.push(...(r.RoleDetailList ?? []));
    out.Policies.push(...(r.Policies ?? []));
    if (r.IsTruncated && !r.Marker) throw new Error('GetAccountAuthorizationDetails: IsTruncated without a Marker');
    if (r.Marker && seen.has(r.Marker)) throw new Error('GetAccountAuthorizationDetails: the same Marker came back twice');
    if (r.Marker) seen.add(r.Marker);
    Marker = r.IsTruncated ? r.Marker : undefined;
  } while (Marker);
  return decodeDetails(out);
}

/** Generate (or reuse, if fresh) and download the credential report, polling while AWS builds it. */
export async function fetchCredentialReport(iam: IAMClient, o: AwsOptions, signal: AbortSignal): Promise<CredentialReport> {
  const deadline = Date.now() + o.credential_report.max_wait_seconds * 1000;
  for (;;) {
    const g = await iam.send(new GenerateCredentialReportCommand({}), { abortSignal: signal });
    if (g.State === 'COMPLETE') break;
    if (Date.now() >= deadline) throw new Error(`the credential report was still ${g.State} after ${o.credential_report.max_wait_seconds} s`);
    await sleep(o.credential_report.poll_seconds * 1000, signal);
  }
  const r = await iam.send(new GetCredentialReportCommand({}), { abortSignal: signal });
  if (!r.Content) throw new Error('GetCredentialReport returned no content');
  if (r.ReportFormat && r.ReportFormat !== 'text/csv') throw new Error(`unexpected credential report format ${r.ReportFormat}`);
  const csv = Buffer.from(r.Content).toString('utf8');
  return parseCredentialReport(csv, r.GeneratedTime ?? null);
}

/**
 * A user's access keys as they are now (ListAccessKeys). Last use comes from the credential report's row when the
 * report covers the key (same creation second), so a user the report knows costs one call; a key newer than the
 * report costs one GetAccessKeyLastUsed more.
 */
export async function fetchKeysOf(iam: IAMClient, userName: string, signal: AbortSignal, row?: ReportRow): Promise<ExtraKey[]> {
  const keys: ExtraKey[] = [];
  let Marker: string | undefined;
  do {
    const r = await iam.send(new ListAccessKeysCommand({ UserName: userName, Marker }), { abortSignal: signal });
    for (const k of r.AccessKeyMetadata ?? []) {
      if (!k.AccessKeyId || !k.CreateDate) continue;
      const second = Math.floor(k.CreateDate.getTime() / 1000);
      const slot = row ? [1, 2].find((n) => { const d = row.date(`access_key_${n}_last_rotated`); return d.kind === 'date' && Math.floor(d.value.getTime() / 1000) === second; }) : undefined;
      if (row && slot) {
        const used = row.date(`access_key_${slot}_last_used_date`);
        keys.push({ id: k.AccessKeyId, status: k.Status ?? 'Active', created: k.CreateDate, lastUsed: used.kind === 'date' ? used.value : null, lastUsedKnown: used.kind !== 'unknown',
          region: row.get(`access_key_${slot}_last_used_region`) ?? null, service: row.get(`access_key_${slot}_last_used_service`) ?? null });
        continue;
      }
      const lu = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: k.AccessKeyId }), { abortSignal: signal });
      keys.push({ id: k.AccessKeyId, status: k.Status ?? 'Active', created: k.CreateDate, lastUsed: lu.AccessKeyLastUsed?.LastUsedDate ?? null, lastUsedKnown: true,
        region: lu.AccessKeyLastUsed?.Region ?? null, service: lu.AccessKeyLastUsed?.ServiceName ?? null });
    }
    Marker = r.IsTruncated ? r.Marker : undefined;
  } while (Marker);
  return keys;
}

/** Offline: an exported details JSON (and optionally a credential report CSV). */
export function readOffline(o: NonNullable<AwsOptions['offline']>): { details: AuthorizationDetails; report: CredentialReport | null; account: string } {
  let raw: Partial<AuthorizationDetails>;
  try { raw = readJsonFile(o.authorization_details_file) as Partial<AuthorizationDetails>; } catch (e) {
    // A position, never the export's text (readJsonFile); an unreadable file by its error code.
    const why = e instanceof InputError ? e.issues.map((i) => `line ${i.line}: ${i.message}`).join('; ') : (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new Error(`${o.authorization_details_file}: cannot read the authorization details export: ${why}`);
  }
  if (!raw || typeof raw !== 'object' || !Array.isArray(raw.UserDetailList) || !Array.isArray(raw.RoleDetailList)) {
    throw new Error(`${o.authorization_details_file}: not an \`aws iam get-account-authorization-details\` export (no UserDetailList/RoleDetailList)`);
  }
  const details = decodeDetails(raw);
  const report = o.credential_report_file ? parseCredentialReport(readTextFile(o.credential_report_file)) : null;
  return { details, report, account: o.account_id ?? accountOf(details) };
}

export function accountOf(d: AuthorizationDetails): string {
  for (const x of [...d.UserDetailList, ...d.RoleDetailList, ...d.GroupDetailList, ...d.Policies]) {
    const m = /^arn:[^:]+:iam::(\d{12}):/.exec(String(x.Arn ?? ''));
    if (m) return m[1]!;
  }
  throw new Error('cannot tell the account id from the export: set offline.account_id');
}
