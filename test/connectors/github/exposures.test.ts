// Issue 14: every open secret-scanning alert becomes an exposure record (never a secret value); an alert whose
// secret is a key identifier (an AWS access key id) is read with that identifier only, so the core can match it to
// the key of any source.
import { describe, expect, it } from 'vitest';
import { generateEstate } from '../../../src/sim/github/estate.js';
import { collectStage, reconcileStage } from '../../../src/pipeline/scan.js';
import { silentLogger } from '../../../src/log.js';
import { setup } from './helpers.js';

describe('secret-scanning alerts as exposure records', () => {
  it('records every open alert, keeps the identifier of key-id alerts and no other value, and reports each as leaked-credential', async () => {
    const estate = generateEstate({ repos: 2, seed: 9 });
    const org = estate.orgs[0]!;
    const repo = org.repos[0]!.name;
    const SLACK = 'xoxb-NHICANARY-000000000000-SECRETVALUE';
    org.alerts = [
      { number: 7, secret_type: 'aws_access_key_id', secret_type_display_name: 'Amazon AWS Access Key ID', secret: 'AKIAIOSFODNN7EXAMPLE', repo, created_at: '2026-11-01T00:00:00Z', state: 'open', validity: 'unknown' },
      { number: 8, secret_type: 'slack_api_token', secret_type_display_name: 'Slack API Token', secret: SLACK, repo, created_at: '2026-11-02T00:00:00Z', state: 'open', validity: 'active' },
      { number: 9, secret_type: 'slack_api_token', secret_type_display_name: 'Slack API Token', secret: 'xoxb-closed', repo, created_at: '2026-10-02T00:00:00Z', state: 'resolved', validity: 'inactive' },
    ];
    const t = await setup({ estate, options: { skip: ['fine_grained_pats'] } });
    const { run } = await collectStage(t.store, t.loaded, { log: silentLogger, env: t.env, fullCollection: true });
    await reconcileStage(t.store, t.loaded, run.run_id);
    const rows = await t.store.all<{ ref: string; fingerprint: string | null; status: string; attributes: string }>(
      `SELECT ref, fingerprint, status, CAST(attributes AS VARCHAR) AS attributes FROM credentials WHERE run_id = $1 AND kind = 'exposed_secret' ORDER BY ref`, [run.run_id]);
    expect(rows.map((r) => [r.ref, r.fingerprint, r.status])).toEqual([
      [`github:acme/${repo}/secret_scanning_alert/7`, 'AKIAIOSFODNN7EXAMPLE', 'active'],
      [`github:acme/${repo}/secret_scanning_alert/8`, null, 'active'],
    ]);
    // No secret value anywhere in the store: the Slack token was never requested.
    expect(Number(await t.store.value(`SELECT count(*) FROM credentials WHERE CAST(attributes AS VARCHAR) LIKE '%NHICANARY%' OR coalesce(fingerprint, '') LIKE '%NHICANARY%'`))).toBe(0);
    // Both open alerts are findings (no AWS key here to match: each is reported on the repository).
    const f = await t.store.all<{ subject_ref: string; severity: string }>(`SELECT subject_ref, severity FROM findings WHERE run_id = $1 AND rule_id = 'leaked-credential' AND subject_ref LIKE '%secret_scanning_alert%' ORDER BY 1`, [run.run_id]);
    expect(f).toEqual([{ subject_ref: `github:acme/${repo}/secret_scanning_alert/7`, severity: 'critical' }, { subject_ref: `github:acme/${repo}/secret_scanning_alert/8`, severity: 'critical' }]);
  });
});
