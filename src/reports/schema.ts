// JSON Schema (draft-07) of report.json, schema_version 1.x. docs/report-schema.md explains each field; the tests
// validate every generated report against this, so the documentation and the output cannot drift apart.
const str = { type: 'string' } as const;
const strOrNull = { type: ['string', 'null'] } as const;
const int = { type: 'integer', minimum: 0 } as const;
const numOrNull = { type: ['number', 'null'] } as const;
const iso = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$' } as const;
const isoOrNull = { anyOf: [iso, { type: 'null' }] } as const;
const severity = { enum: ['info', 'low', 'medium', 'high', 'critical'] } as const;
const counts = { type: 'object', additionalProperties: int } as const;

const finding = {
  type: 'object',
  additionalProperties: false,
  required: ['finding_id', 'rule_id', 'title', 'severity', 'status', 'provider', 'tenant', 'source', 'subject_type', 'subject_ref', 'identity_ref',
    'resource_ref', 'permission', 'level', 'owner', 'owner_status', 'reason', 'evidence', 'first_seen', 'last_seen', 'days_open', 'resolved_at',
    'carried', 'suppressed_by', 'remediation'],
  properties: {
    finding_id: str, rule_id: str, title: str, severity, status: { enum: ['new', 'open', 'resolved', 'regressed'] },
    provider: strOrNull, tenant: strOrNull, source: strOrNull,
    subject_type: { enum: ['identity', 'credential', 'entitlement', 'grant', 'exception'] }, subject_ref: str,
    identity_ref: strOrNull, resource_ref: strOrNull, permission: strOrNull, level: strOrNull, owner: strOrNull, owner_status: strOrNull,
    reason: str, evidence: { type: 'object' }, first_seen: iso, last_seen: iso, days_open: int, resolved_at: isoOrNull,
    carried: { type: 'boolean' }, suppressed_by: strOrNull,
    remediation: {
      anyOf: [{ type: 'null' }, {
        type: 'object', additionalProperties: false, required: ['action_id', 'operation', 'state', 'verified', 'verified_at'],
        properties: { action_id: str, operation: strOrNull, state: strOrNull, verified: { type: 'boolean' }, verified_at: isoOrNull },
      }],
    },
  },
} as const;

const action = {
  type: 'object',
  additionalProperties: false,
  required: ['action_id', 'plan_id', 'finding_id', 'rule_id', 'kind', 'operation', 'provider', 'tenant', 'source', 'target_ref', 'state', 'reason',
    'intent_at', 'outcome_at', 'verified_at', 'verification', 'result'],
  properties: {
    action_id: str, plan_id: str, finding_id: strOrNull, rule_id: strOrNull, kind: str, operation: str, provider: strOrNull, tenant: strOrNull,
    source: strOrNull, target_ref: str, state: { enum: ['intent', 'done', 'verified', 'unverified', 'failed', 'skipped', 'rolled_back'] },
    reason: strOrNull, intent_at: isoOrNull, outcome_at: isoOrNull, verified_at: isoOrNull, verification: {}, result: {},
  },
} as const;

export const REPORT_JSON_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'nhi-recon report.json',
  type: 'object',
  additionalProperties: false,
  required: ['format', 'schema_version', 'generated_at', 'tool', 'run', 'previous_run', 'completeness', 'guards', 'summary', 'changes', 'lifecycle', 'trend',
    'owners', 'include_resolved', 'findings', 'suppressed', 'actions', 'effective_access'],
  properties: {
    format: { const: 'nhi-recon-report' },
    schema_version: { type: 'string', pattern: '^1\\.\\d+\\.\\d+$' },
    generated_at: iso,
    tool: { type: 'object', required: ['name', 'version'], properties: { name: str, version: str } },
    run: {
      type: 'object', required: ['run_id', 'seq', 'started_at', 'finished_at', 'status'],
      properties: { run_id: str, seq: int, started_at: iso, finished_at: isoOrNull, status: str, stage: strOrNull, mode: strOrNull, origin: strOrNull, error: strOrNull },
    },
    previous_run: { anyOf: [{ type: 'null' }, { type: 'object', required: ['run_id', 'seq', 'started_at'], properties: { run_id: str, seq: int, started_at: iso } }] },
    completeness: {
      type: 'object', required: ['complete', 'authority', 'tenants'],
      properties: {
        complete: { type: 'boolean' },
        authority: { type: 'object', properties: { status: strOrNull, error: strOrNull } },
        tenants: {
          type: 'array',
          items: {
            type: 'object', additionalProperties: false,
            required: ['source', 'provider', 'tenant', 'status', 'api_calls', 'cached_calls', 'rate_budget_used', 'rows', 'error'],
            properties: { source: str, provider: str, tenant: str, status: { enum: ['complete', 'partial', 'failed', 'suspect'] }, api_calls: int, cached_calls: int, rate_budget_used: int, rows: int, error: strOrNull },
          },
        },
      },
    },
    guards: {
      type: 'object', additionalProperties: false, required: ['decisions'],
      properties: {
        decisions: {
          type: 'array',
          items: {
            type: 'object', additionalProperties: false,
            required: ['guard', 'decision', 'source', 'provider', 'tenant', 'collection', 'kind', 'file', 'baseline_run_id', 'baseline', 'current', 'reason', 'accepted_by', 'accepted_via', 'decided_at'],
            properties: {
              guard: { enum: ['collection', 'authority'] }, decision: { enum: ['suspect', 'accepted'] }, source: strOrNull, provider: strOrNull, tenant: strOrNull,
              collection: str, kind: strOrNull, file: strOrNull, baseline_run_id: strOrNull, baseline: { type: ['integer', 'null'] }, current: int,
              reason: str, accepted_by: strOrNull, accepted_via: strOrNull, decided_at: iso,
            },
          },
        },
      },
    },
    effective_access: {
      type: 'array',
      items: {
        type: 'object', additionalProperties: false,
        required: ['identity_ref', 'identity_name', 'provider', 'tenant', 'source', 'resource_ref', 'class', 'level', 'privileged', 'paths', 'limits'],
        properties: {
          identity_ref: str, identity_name: strOrNull, provider: str, tenant: str, source: str, resource_ref: str, class: strOrNull, level: str,
          privileged: { type: ['boolean', 'null'] },
          paths: {
            type: 'array',
            items: {
              type: 'object', required: ['family', 'summary', 'class', 'steps', 'target', 'assumptions', 'via'],
              properties: {
                family: str, summary: str, class: str, assumptions: { type: 'array', items: str }, via: { type: 'array', items: str },
                target: { type: 'object', required: ['kind', 'ref'], properties: { kind: str, ref: str } },
                steps: { type: 'array', items: { type: 'object', required: ['action', 'resource', 'policy', 'statement'], properties: { action: str, resource: str, policy: str, statement: str } } },
              },
            },
          },
          limits: { type: 'array', items: str },
        },
      },
    },
    summary: {
      type: 'object', required: ['open', 'new', 'regressed', 'resolved', 'suppressed', 'carried', 'by_severity', 'by_rule', 'by_provider'],
      properties: { open: int, new: int, regressed: int, resolved: int, suppressed: int, carried: int, by_severity: counts, by_rule: counts, by_provider: counts },
    },
    changes: { type: 'object', required: ['since_run', 'new', 'regressed', 'resolved'], properties: { since_run: strOrNull, new: int, regressed: int, resolved: int } },
    lifecycle: {
      type: 'object', required: ['removed', 'median_days', 'worst_days', 'still_open', 'oldest_open_days'],
      properties: { removed: int, median_days: numOrNull, worst_days: numOrNull, still_open: int, oldest_open_days: numOrNull },
    },
    trend: {
      type: 'array',
      items: {
        type: 'object', required: ['run_id', 'seq', 'started_at', 'status', 'open', 'critical', 'high', 'new', 'resolved', 'lifecycle_median_days', 'lifecycle_worst_days'],
        properties: { run_id: str, seq: int, started_at: iso, status: str, open: int, critical: int, high: int, new: int, resolved: int, lifecycle_median_days: numOrNull, lifecycle_worst_days: numOrNull },
      },
    },
    owners: {
      type: 'array',
      items: { type: 'object', required: ['owner', 'owner_status', 'open', 'by_severity'], properties: { owner: strOrNull, owner_status: strOrNull, open: int, by_severity: counts, person_id: strOrNull, aliases: { type: 'array', items: str } } },
    },
    include_resolved: { type: 'boolean' },
    findings: { type: 'array', items: finding },
    suppressed: { type: 'array', items: finding },
    actions: { type: 'array', items: action },
  },
} as const;
