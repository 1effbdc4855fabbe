// Ordered, append-only migrations. A database records the highest version applied; never edit a released step.
import { TABLES, createTableSql } from './schema.js';
import { migrationNarrowStageSql, migrationToSpansSql, migrationViewJoinSql } from './history.js';
import { migrationFindingSpansSql, migrationLazyReasonSql } from './finding-spans.js';

export interface Migration { version: number; description: string; sql: string[] }

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: 'initial schema',
    sql: [
      `CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)`,
      `CREATE TABLE IF NOT EXISTS runs (
        run_id VARCHAR PRIMARY KEY,
        seq INTEGER NOT NULL,
        started_at TIMESTAMP NOT NULL,
        finished_at TIMESTAMP,
        status VARCHAR NOT NULL,          -- running | complete | partial | failed
        stage VARCHAR,                    -- the last stage that completed
        mode VARCHAR,
        config_file VARCHAR,
        authority_status VARCHAR,         -- complete | failed | none
        authority_error VARCHAR,
        error VARCHAR,
        reconciled_at TIMESTAMP,          -- set when findings were computed for this run
        origin VARCHAR                    -- local | merged (from shard exports)
      )`,
      ...Object.values(TABLES).map(createTableSql),
      `CREATE TABLE IF NOT EXISTS findings (
        run_id VARCHAR NOT NULL,
        finding_id VARCHAR NOT NULL,
        rule_id VARCHAR NOT NULL,
        severity VARCHAR NOT NULL,
        status VARCHAR NOT NULL,          -- new | open | resolved | regressed
        provider VARCHAR, tenant VARCHAR, source VARCHAR,
        subject_type VARCHAR NOT NULL,    -- identity | credential | entitlement | grant
        subject_ref VARCHAR NOT NULL,
        identity_ref VARCHAR, resource_ref VARCHAR, permission VARCHAR, level VARCHAR,
        owner VARCHAR, owner_status VARCHAR,
        reason VARCHAR NOT NULL,
        evidence JSON,
        first_seen TIMESTAMP NOT NULL,
        last_seen TIMESTAMP NOT NULL,
        resolved_at TIMESTAMP,
        carried BOOLEAN DEFAULT false,    -- kept open because its tenant was not fully collected this run
        suppressed_by VARCHAR             -- exception id that mutes it
        -- (run_id, finding_id) is unique by construction; no index: an ART index per row costs more than the whole
        -- reconciliation at a million findings.
      )`,
      `CREATE TABLE IF NOT EXISTS actions (
        action_id VARCHAR PRIMARY KEY,
        plan_id VARCHAR NOT NULL,
        run_id VARCHAR NOT NULL,
        finding_id VARCHAR,
        rule_id VARCHAR,
        kind VARCHAR NOT NULL,
        operation VARCHAR NOT NULL,
        provider VARCHAR, tenant VARCHAR, source VARCHAR,
        target_ref VARCHAR NOT NULL,
        state VARCHAR NOT NULL,           -- intent | done | verified | unverified | failed | skipped | rolled_back
        before_state JSON,
        result JSON,
        verification JSON,
        reason VARCHAR,
        intent_at TIMESTAMP,
        outcome_at TIMESTAMP,
        verified_at TIMESTAMP,
        rolled_back_at TIMESTAMP
      )`,
      `CREATE TABLE IF NOT EXISTS http_cache (
        source VARCHAR NOT NULL,
        caller VARCHAR NOT NULL,          -- hash of the credential identity, never the credential itself
        url VARCHAR NOT NULL,
        etag VARCHAR,
        last_modified VARCHAR,
        headers JSON,                     -- the response headers a client needs again (link, content-type)
        body VARCHAR,
        fetched_at TIMESTAMP,
        PRIMARY KEY (source, caller, url)
      )`,
    ],
  },
  {
    version: 2,
    description: 'run state: collecting, collected, reconciled, reported, failed',
    sql: [
      // Kept apart from status (how complete the collection was): only a reconciled or reported run is evidence.
      `ALTER TABLE runs ADD COLUMN IF NOT EXISTS state VARCHAR`,
      `UPDATE runs SET state = CASE WHEN status = 'running' THEN 'collecting' WHEN status = 'failed' THEN 'failed'
        WHEN reconciled_at IS NULL THEN 'collected' WHEN stage = 'report' THEN 'reported' ELSE 'reconciled' END`,
    ],
  },
  {
    version: 3,
    description: 'plausibility and authority guards: per-tenant collection counts and guard decisions',
    sql: [
      // What each tenant's collection held, per collection and per kind within it: the baseline the next run is
      // judged against (kept small, so it survives pruning of the record snapshots).
      `CREATE TABLE IF NOT EXISTS collection_counts (
        run_id VARCHAR NOT NULL,
        source VARCHAR NOT NULL,
        tenant VARCHAR NOT NULL,
        collection VARCHAR NOT NULL,      -- identities | credentials | entitlements
        kind VARCHAR,                     -- a kind within the collection; NULL = the whole collection
        n BIGINT NOT NULL
      )`,
      `CREATE TABLE IF NOT EXISTS guard_decisions (
        run_id VARCHAR NOT NULL,
        guard VARCHAR NOT NULL,           -- collection | authority
        decision VARCHAR NOT NULL,        -- suspect | accepted
        source VARCHAR, provider VARCHAR, tenant VARCHAR,
        collection VARCHAR,               -- identities | credentials | entitlements | grants
        kind VARCHAR,                     -- a kind within the collection; NULL = the whole collection
        file VARCHAR,                     -- the grant file concerned (authority guard)
        baseline_run_id VARCHAR,          -- the run compared with (the last complete collection / previous authority)
        baseline BIGINT,
        current BIGINT,
        reason VARCHAR NOT NULL,
        accepted_by VARCHAR,              -- the OS user who accepted the drop
        accepted_via VARCHAR,             -- --accept-drop TENANT | config guards.accept_drop | --accept-authority-drop | …
        decided_at TIMESTAMP NOT NULL
      )`,
    ],
  },
  {
    version: 4,
    description: 'actions.progress: provider-side objects an action created before its outcome (ids only)',
    sql: [`ALTER TABLE actions ADD COLUMN IF NOT EXISTS progress JSON`],
  },
  {
    version: 7,
    description: 'identities.provider_managed and credentials.standby',
    // Appended last, as schema.ts lists them, so the appender's column order matches old and new databases alike.
    sql: [
      `ALTER TABLE identities ADD COLUMN IF NOT EXISTS provider_managed BOOLEAN`,
      `ALTER TABLE credentials ADD COLUMN IF NOT EXISTS standby BOOLEAN`,
    ],
  },
  {
    version: 8,
    description: 'integration_register: the approved integrations of each authority snapshot',
    sql: [createTableSql(TABLES.integration_register)],
  },
  {
    version: 9,
    description: 'grants.status, provenance, last_reviewed, reviewer, owner_team (drafts from baseline, IaC and review decisions)',
    // Appended last, as schema.ts lists them (see version 7).
    sql: [
      `ALTER TABLE grants ADD COLUMN IF NOT EXISTS status VARCHAR`,
      `ALTER TABLE grants ADD COLUMN IF NOT EXISTS provenance JSON`,
      `ALTER TABLE grants ADD COLUMN IF NOT EXISTS last_reviewed TIMESTAMP`,
      `ALTER TABLE grants ADD COLUMN IF NOT EXISTS reviewer VARCHAR`,
      `ALTER TABLE grants ADD COLUMN IF NOT EXISTS owner_team VARCHAR`,
    ],
  },
  {
    version: 10,
    description: 'deliveries: one thread per finding and routing destination (external id, state, last content hash); delivery_log: every attempt',
    sql: [
      `CREATE TABLE IF NOT EXISTS deliveries (
        destination VARCHAR NOT NULL,
        finding_id VARCHAR NOT NULL,
        external_id VARCHAR,          -- the issue key / record id / nothing (webhook, Slack)
        state VARCHAR NOT NULL,       -- open | closed
        hash VARCHAR NOT NULL,        -- what was last delivered (severity, status, owner, reason)
        first_run VARCHAR NOT NULL,
        last_run VARCHAR NOT NULL,
        updated_at TIMESTAMP NOT NULL,
        PRIMARY KEY (destination, finding_id)
      )`,
      `CREATE TABLE IF NOT EXISTS delivery_log (
        run_id VARCHAR NOT NULL,
        destination VARCHAR NOT NULL,
        finding_id VARCHAR NOT NULL,
        event VARCHAR NOT NULL,       -- open | reopen | update | close
        ok BOOLEAN NOT NULL,
        error VARCHAR,
        delivered_at TIMESTAMP NOT NULL
      )`,
    ],
  },
  {
    version: 11,
    description: 'collected records as validity intervals: *_spans (from_seq, to_seq), *_stage for a run being written, identities/credentials/entitlements become views',
    // From here on, a column added to a record table must be added to its _stage and _spans tables and the view
    // recreated (recordViewSql), in one migration. (Its view SQL is frozen in history.ts: legacyRecordViewSql.)
    sql: migrationToSpansSql(),
  },
  {
    version: 13,
    description: 'findings as validity intervals: findings_spans, findings_stage for a run being reconciled, finding_merges; findings becomes a view',
    sql: migrationFindingSpansSql(),
  },
  {
    version: 14,
    description: 'findings_work: the reconciler\'s scratch rows for the run it is reconciling (read by nothing else; emptied by every reconcile)',
    sql: [`CREATE TABLE IF NOT EXISTS findings_work AS SELECT * FROM findings_stage WHERE false`],
  },
  {
    version: 15,
    description: 'identities/credentials/entitlements views read the complete, merged (run, tenant) pairs by a join instead of EXISTS (same rows; bounded memory at scale)',
    sql: migrationViewJoinSql(),
  },
  {
    version: 16,
    description: 'staged records keep a slot (stage_slots: run, source, provider, tenant) instead of those four columns per row',
    sql: migrationNarrowStageSql(),
  },
  {
    version: 17,
    description: 'findings view renders lazily stored reasons (a rule\'s code and argument) with nhi_reason, the rules\' render expressions',
    sql: migrationLazyReasonSql(),
  },
];
