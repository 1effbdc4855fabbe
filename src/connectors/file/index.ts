// The file connector: imports identities, credentials and entitlements exported from any system the tool has no
// connector for (a SaaS admin export, a spreadsheet, another scanner), in CSV, JSON or NDJSON. See readme.md.
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import type { Connector } from '../types.js';
import { readRecords, type SourcedRecord } from '../../io/records.js';
import { mapRecord, recordTypeOf, REQUIRED_COLUMNS, type RecordType } from './map.js';
import { InputError, formatIssue } from '../../errors.js';

export const FileOptions = z.strictObject({
  path: z.string().optional().describe('A folder of export files, or one file.'),
  files: z.array(z.string()).optional().describe('Export files, each holding one record type (by name or a record_type column).'),
  provider: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/).default('file').describe('Provider recorded on the rows (e.g. slack, okta).'),
  tenant: z.string().default('default').describe('Tenant of rows without a tenant column.'),
}).refine((o) => o.path || o.files?.length, { message: 'give `path` (a folder or file) or `files`' });
export type FileOptions = z.infer<typeof FileOptions>;

const FORMATS = /\.(csv|json|ndjson|jsonl)$/i;

export function inputFiles(o: FileOptions): string[] {
  const out: string[] = [...(o.files ?? [])];
  if (o.path) {
    let st;
    try { st = statSync(o.path); } catch { throw new InputError([{ file: o.path, message: 'no such file or folder' }]); }
    if (st.isDirectory()) out.push(...readdirSync(o.path).filter((f) => FORMATS.test(f)).sort().map((f) => join(o.path!, f)));
    else out.push(o.path);
  }
  return out;
}

/** Record type of a whole file from its name (identities.csv, acme-credentials.ndjson …), else per row. */
function fileType(file: string): RecordType | null {
  const n = basename(file).toLowerCase();
  if (n.includes('identit')) return 'identity';
  if (n.includes('credential')) return 'credential';
  if (n.includes('entitlement')) return 'entitlement';
  return null;
}

async function* rowsOf(file: string): AsyncGenerator<SourcedRecord & { type: RecordType }> {
  const ft = fileType(file);
  for await (const rec of readRecords(file, { requiredColumns: ft ? REQUIRED_COLUMNS[ft] : ['record_type'] })) {
    const type = ft ?? recordTypeOf(rec);
    yield { ...rec, type };
  }
}

export const connector: Connector<FileOptions> = {
  id: 'file',
  provider: 'file',
  description: 'Imports an inventory of identities, credentials and entitlements from CSV, JSON or NDJSON exports.',
  collects: {
    identities: ['user', 'service_account', 'role', 'app', 'bot', 'machine_user', 'group', 'team', 'workload'],
    credentials: ['access_key', 'pat', 'fine_grained_pat', 'deploy_key', 'ssh_key', 'sa_key', 'client_secret', 'certificate', 'app_key', 'oauth_authorization', 'stored_secret'],
    entitlements: true,
  },
  options: FileOptions as unknown as z.ZodType<FileOptions>,
  providerFor: (o) => o.provider,
  async validate(ctx) {
    const files = inputFiles(ctx.options);
    if (!files.length) throw new InputError([{ file: ctx.options.path ?? '(files)', message: 'no .csv, .json or .ndjson file found' }]);
  },
  async tenants(ctx) {
    if (ctx.source.tenants.length) return ctx.source.tenants;
    // Tenants are whatever the rows say, else the configured default.
    const seen = new Set<string>();
    for (const file of inputFiles(ctx.options)) {
      for await (const r of rowsOf(file)) seen.add(typeof r.value.tenant === 'string' && r.value.tenant ? r.value.tenant : ctx.options.tenant);
    }
    return seen.size ? [...seen].sort() : [ctx.options.tenant];
  },
  async collect(ctx, tenant, sink) {
    for (const file of inputFiles(ctx.options)) {
      try {
        for await (const r of rowsOf(file)) {
          const rowTenant = typeof r.value.tenant === 'string' && r.value.tenant ? r.value.tenant : ctx.options.tenant;
          if (rowTenant !== tenant) continue;
          const mapped = mapRecord(r);
          if (!mapped.ok) { for (const i of mapped.issues) sink.partial(formatIssue(i)); continue; }
          if (mapped.type === 'identity') sink.identity(mapped.record);
          else if (mapped.type === 'credential') sink.credential(mapped.record);
          else sink.entitlement(mapped.record);
        }
      } catch (e) {
        // An unreadable file is a failed source, never an empty one.
        if (e instanceof InputError) throw new Error(e.message);
        throw e;
      }
    }
  },
};
