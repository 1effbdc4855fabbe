// Table definitions as data: migrations create them and the appender writer knows each column's type from here.
export type ColumnType = 'VARCHAR' | 'BOOLEAN' | 'TIMESTAMP' | 'BIGINT' | 'INTEGER' | 'DOUBLE' | 'JSON';
export interface Column { name: string; type: ColumnType; notNull?: boolean }
export interface TableDef { name: string; columns: Column[]; primaryKey?: string[] }

const c = (name: string, type: ColumnType, notNull = false): Column => ({ name, type, notNull });

/** Columns every collected record carries before its own. */
const recordHead = [c('run_id', 'VARCHAR', true), c('source', 'VARCHAR', true), c('provider', 'VARCHAR', true), c('tenant', 'VARCHAR', true)];

export const TABLES = {
  identities: {
    name: 'identities',
    columns: [
      ...recordHead, c('ref', 'VARCHAR', true), c('kind', 'VARCHAR', true), c('name', 'VARCHAR'), c('login', 'VARCHAR'),
      c('human', 'BOOLEAN'), c('owner', 'VARCHAR'), c('owner_source', 'VARCHAR'), c('created_at', 'TIMESTAMP'),
      c('last_used_at', 'TIMESTAMP'), c('last_used_known', 'BOOLEAN'), c('disabled', 'BOOLEAN'), c('attributes', 'JSON'),
      c('provider_managed', 'BOOLEAN'), // migration 7
    ],
  },
  credentials: {
    name: 'credentials',
    columns: [
      ...recordHead, c('ref', 'VARCHAR', true), c('kind', 'VARCHAR', true), c('name', 'VARCHAR'), c('identity_ref', 'VARCHAR'),
      c('created_by', 'VARCHAR'), c('owner', 'VARCHAR'), c('created_at', 'TIMESTAMP'), c('last_used_at', 'TIMESTAMP'),
      c('last_used_known', 'BOOLEAN'), c('expires_at', 'TIMESTAMP'), c('expiry_supported', 'BOOLEAN'),
      c('last_rotated_at', 'TIMESTAMP'), c('status', 'VARCHAR'), c('leak_signal', 'VARCHAR'), c('fingerprint', 'VARCHAR'),
      c('attributes', 'JSON'), c('standby', 'BOOLEAN'), // standby: migration 7
    ],
  },
  entitlements: {
    name: 'entitlements',
    columns: [
      ...recordHead, c('ref', 'VARCHAR', true), c('identity_ref', 'VARCHAR', true), c('identity_name', 'VARCHAR'),
      c('resource_ref', 'VARCHAR', true), c('permission', 'VARCHAR', true), c('level', 'VARCHAR', true),
      c('privileged', 'BOOLEAN'), c('via', 'VARCHAR'), c('path', 'VARCHAR'), c('expires_at', 'TIMESTAMP'),
      c('last_used_at', 'TIMESTAMP'), c('attributes', 'JSON'),
    ],
  },
  grants: {
    name: 'grants',
    columns: [
      c('run_id', 'VARCHAR', true), c('grant_id', 'VARCHAR', true), c('provider', 'VARCHAR', true), c('tenant', 'VARCHAR', true),
      c('identity', 'VARCHAR', true), c('resource', 'VARCHAR', true), c('permission', 'VARCHAR', true), c('max_level', 'VARCHAR'),
      c('owner', 'VARCHAR'), c('approver', 'VARCHAR'), c('ticket', 'VARCHAR'), c('granted_at', 'TIMESTAMP'),
      c('expires_at', 'TIMESTAMP'), c('justification', 'VARCHAR'), c('is_glob', 'BOOLEAN', true),
      c('file', 'VARCHAR'), c('line', 'INTEGER'),
      c('status', 'VARCHAR'), c('provenance', 'JSON'), c('last_reviewed', 'TIMESTAMP'), c('reviewer', 'VARCHAR'), c('owner_team', 'VARCHAR'), // migration 9
    ],
  },
  owners: {
    name: 'owners',
    columns: [
      c('run_id', 'VARCHAR', true), c('provider', 'VARCHAR', true), c('tenant', 'VARCHAR', true), c('identity', 'VARCHAR', true),
      c('owner', 'VARCHAR', true), c('file', 'VARCHAR'), c('line', 'INTEGER'),
    ],
  },
  people: {
    name: 'people',
    columns: [
      c('run_id', 'VARCHAR', true), c('person_id', 'VARCHAR', true), c('name', 'VARCHAR'), c('email', 'VARCHAR'),
      c('status', 'VARCHAR', true), c('departed_at', 'TIMESTAMP'), c('team', 'VARCHAR'), c('file', 'VARCHAR'), c('line', 'INTEGER'),
    ],
  },
  person_logins: {
    name: 'person_logins',
    columns: [c('run_id', 'VARCHAR', true), c('person_id', 'VARCHAR', true), c('provider', 'VARCHAR', true), c('login', 'VARCHAR', true)],
  },
  exceptions: {
    name: 'exceptions',
    columns: [
      c('run_id', 'VARCHAR', true), c('exception_id', 'VARCHAR', true), c('finding_id', 'VARCHAR'), c('rule_id', 'VARCHAR'),
      c('match_ref', 'VARCHAR'), c('reason', 'VARCHAR', true), c('ticket', 'VARCHAR'), c('owner', 'VARCHAR'),
      c('expires_at', 'TIMESTAMP'), c('file', 'VARCHAR'), c('line', 'INTEGER'),
    ],
  },
  // migration 8: the integration register of an authority snapshot (approved apps and the scope globs they may hold).
  integration_register: {
    name: 'integration_register',
    columns: [
      c('run_id', 'VARCHAR', true), c('entry_id', 'VARCHAR', true), c('provider', 'VARCHAR', true), c('tenant', 'VARCHAR', true),
      c('app_id', 'VARCHAR', true), c('name', 'VARCHAR'), c('approved_scopes', 'JSON', true), c('max_level', 'VARCHAR'),
      c('owner', 'VARCHAR'), c('approver', 'VARCHAR'), c('ticket', 'VARCHAR'), c('approved_at', 'TIMESTAMP'),
      c('expires_at', 'TIMESTAMP'), c('justification', 'VARCHAR'), c('file', 'VARCHAR'), c('line', 'INTEGER'),
    ],
  },
  source_runs: {
    name: 'source_runs',
    columns: [
      c('run_id', 'VARCHAR', true), c('source', 'VARCHAR', true), c('provider', 'VARCHAR', true), c('tenant', 'VARCHAR', true),
      c('status', 'VARCHAR', true), c('api_calls', 'BIGINT'), c('cached_calls', 'BIGINT'), c('rate_budget_used', 'BIGINT'),
      c('rows', 'BIGINT'), c('started_at', 'TIMESTAMP'), c('finished_at', 'TIMESTAMP'), c('error', 'VARCHAR'),
    ],
  },
} satisfies Record<string, TableDef>;

export type TableName = keyof typeof TABLES;

export function createTableSql(t: TableDef): string {
  const cols = t.columns.map((col) => `${col.name} ${col.type}${col.notNull ? ' NOT NULL' : ''}`);
  if (t.primaryKey) cols.push(`PRIMARY KEY (${t.primaryKey.join(', ')})`);
  return `CREATE TABLE IF NOT EXISTS ${t.name} (\n  ${cols.join(',\n  ')}\n)`;
}
