import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { onCleanup, openStore, tempDir, writeConfig } from '../../helpers/index.js';
import { startDemo } from '../../../src/sim/gitlab/demo.js';
import { collectStage, reconcileStage } from '../../../src/pipeline/scan.js';
import { silentLogger } from '../../../src/log.js';

describe('gitlab demo estate', () => {
  it('is collected completely by the real connector, and reconciles into every finding kind it promises', async () => {
    const demo = await startDemo();
    onCleanup(() => demo.close());
    const dir = tempDir();
    const store = await openStore(dir);
    for (const k of ['grants', 'owners', 'people'] as const) writeFileSync(join(dir, `${k}.yaml`), stringify({ [k]: demo.authority[k] }));
    const loaded = await writeConfig(dir, { sources: demo.sources, authority: { grants: 'grants.yaml', owners: 'owners.yaml', people: 'people.yaml' } });
    const { run, outcomes } = await collectStage(store, loaded, { log: silentLogger, env: demo.env });
    expect(outcomes).toMatchObject([{ tenant: 'acme', status: 'complete', error: null }]);
    const q = (sql: string) => store.all(sql.replaceAll('$RUN', `'${run.run_id}'`));
    // The CI variables are metadata with the pipeline they feed; their values were never kept.
    expect(await q("SELECT name, json_extract_string(attributes, '$.ci.pipeline') AS pipeline FROM credentials WHERE run_id = $RUN AND kind = 'stored_secret' ORDER BY name"))
      .toEqual([{ name: 'AWS_ACCESS_KEY_ID', pipeline: 'acme/web' }, { name: 'AWS_SECRET_ACCESS_KEY', pipeline: 'acme/web' }]);
    // The never-used project access token has GitLab's enforced expiry (≤ 365 days after creation).
    const [tok] = await q("SELECT created_at, expires_at, last_used_at FROM credentials WHERE run_id = $RUN AND kind = 'access_token'") as { created_at: Date; expires_at: Date; last_used_at: Date | null }[];
    expect(tok!.last_used_at).toBeNull();
    expect(tok!.expires_at.getTime() - tok!.created_at.getTime()).toBeLessThanOrEqual(365 * 86_400_000);
    expect(await q("SELECT name, created_by FROM credentials WHERE run_id = $RUN AND kind = 'pat' ORDER BY name")).toEqual([{ name: 'bob-ci', created_by: 'bob' }, { name: 'carol-laptop', created_by: 'carol' }]);

    const { summary } = await reconcileStage(store, loaded, run.run_id);
    const kinds = (await q("SELECT DISTINCT rule_id FROM findings WHERE run_id = $RUN AND provider = 'gitlab' ORDER BY rule_id") as { rule_id: string }[]).map((r) => r.rule_id);
    for (const k of demo.expect) expect(kinds, k).toContain(k);
    expect(summary.findings).toBeGreaterThan(0);
    // carol's PAT is the departed person's credential.
    expect(await q("SELECT subject_ref FROM findings WHERE run_id = $RUN AND rule_id = 'departed-person-access' ORDER BY 1"))
      .toEqual([{ subject_ref: 'gitlab:acme/-/personal_access_token/7001' }, { subject_ref: 'gitlab:acme/-/user/carol' }]);
    // The release-bot token, never used in 120 days, is stale.
    expect(await q("SELECT subject_ref FROM findings WHERE run_id = $RUN AND rule_id = 'stale-credential'")).toEqual([{ subject_ref: 'gitlab:acme/web/-/project_access_token/4001' }]);
  });
});
