import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { createLogger } from '../../src/log.js';
import { Store } from '../../src/store/store.js';
import { tempDir } from '../helpers/index.js';
import { DEMO_PROVIDERS } from '../../src/commands/demo.js';
import { RULES } from '../../src/reconcile/rules/index.js';
import { join } from 'node:path';

describe('demo with every provider simulator', () => {
  it('collects every tenant completely through the real SDKs and produces every finding kind', async () => {
    const dir = tempDir();
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['demo', '--dir', dir], { out: (l) => out.push(l), log: createLogger({ write: (l) => err.push(l) }), interactive: false });
    expect(err.filter((l) => /not available|ERROR|is (partial|failed)/.test(l))).toEqual([]);
    expect(code).toBe(0);
    const store = await Store.open(join(dir, 'demo.duckdb'), { readOnly: true });
    try {
      const tenants = await store.all<{ provider: string; status: string; n: number }>(
        `SELECT provider, status, count(*)::INT AS n FROM source_runs GROUP BY ALL ORDER BY ALL`);
      expect(tenants.every((t) => t.status === 'complete')).toBe(true);
      const providers = new Set(tenants.map((t) => t.provider));
      for (const p of DEMO_PROVIDERS) expect(providers.has(p), p).toBe(true);
      const kinds = await store.all<{ rule_id: string }>(`SELECT DISTINCT rule_id FROM findings WHERE status <> 'resolved'`);
      expect(kinds.map((k) => k.rule_id).sort()).toEqual(RULES.map((r) => r.id).sort());
      // Every simulated provider contributes findings, not only the file import.
      const byProvider = await store.all<{ provider: string }>(`SELECT DISTINCT provider FROM findings`);
      for (const p of DEMO_PROVIDERS) expect(byProvider.map((b) => b.provider), p).toContain(p);
      // Issue 17: the GitHub secret AWS_ACCESS_KEY_ID of acme/web is tied across sources to the AWS key of svc-ci (by its
      // ci-pipeline tag), and the trust the fix needs names the AWS demo account.
      const replaceable = await store.all<{ evidence: string }>(
        `SELECT CAST(evidence AS VARCHAR) AS evidence FROM findings WHERE rule_id = 'static-credential-replaceable' AND subject_ref LIKE '%/secret/AWS_ACCESS_KEY_ID'`);
      expect(replaceable).toHaveLength(1);
      const ev = JSON.parse(replaceable[0]!.evidence);
      expect(ev.linked_keys.map((k: { ref: string }) => k.ref)).toEqual([expect.stringContaining(':user/svc-ci#access-key:')]);
      expect(JSON.stringify(ev.proposed_trust)).toContain('arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com');
      expect(JSON.stringify(ev.proposed_trust)).toContain('repo:acme/web:ref:refs/heads/main');
    } finally { store.close(); }
  });
});
