// Issue 14, class 3: one key where two are promised. `apply --enforce` needs `remediation.mode: enforce` too (D1);
// the consecutive-runs rail counts only runs where the finding was present (D2); protected and opt-out entries match
// names the way the provider compares them (D20).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { command as applyCommand } from '../../src/commands/apply.js';
import type { CommandIO } from '../../src/commands/types.js';
import { loadConnector } from '../../src/connectors/registry.js';
import { UserError } from '../../src/errors.js';
import { silentLogger as log } from '../../src/log.js';
import { planActions, writePlan } from '../../src/remediate/index.js';
import { protectedBy, optedOutBy } from '../../src/remediate/rails.js';
import { openStore, tempDir } from '../helpers/index.js';
import { readState } from './fake-provider.js';
import { findingId, makeEstate, scan, STALE_KEY1 } from './harness.js';

function io(): CommandIO & { lines: string[] } {
  const lines: string[] = [];
  return { lines, out: (l) => lines.push(l), log, env: {}, interactive: false };
}

describe('D1: apply --enforce needs remediation.mode: enforce as well', () => {
  it('refuses, changing nothing, when the reviewed config says mode: report', async () => {
    const dir = tempDir();
    const { loaded, stateFile } = await makeEstate(dir, { remediation: { mode: 'report' } });
    const store = await openStore(dir);
    await scan(store, loaded, [STALE_KEY1]);
    await scan(store, loaded, [STALE_KEY1]);
    const plan = await planActions(store, loaded, { log });
    expect(plan.actions.map((a) => a.target.ref)).toEqual(['key-1']);
    const { planFile } = writePlan(plan, join(dir, 'plans'));
    store.close();
    const config = join(dir, 'nhi-recon.yaml');
    const run = applyCommand.run({ config, plan: planFile, enforce: true }, io());
    await expect(run).rejects.toThrow(UserError);
    await expect(applyCommand.run({ config, plan: planFile, enforce: true }, io())).rejects.toThrow(
      `apply --enforce needs remediation.mode: enforce in ${config} as well; nothing was changed`);
    expect(readState(stateFile).calls).toEqual([]);
    expect(readState(stateFile).keys.find((k) => k.ref === 'key-1')!.status).toBe('active');
    // The dry run needs only the plan.
    const dry = io();
    expect(await applyCommand.run({ config, plan: planFile }, dry)).toBe(0);
    expect(dry.lines.at(-1)).toContain('dry run: 1 would be executed');
  });
});

describe('D2: the consecutive-runs rail counts only runs where the finding was present', () => {
  it('a finding resolved in the middle run starts its streak again', async () => {
    const dir = tempDir();
    const { loaded } = await makeEstate(dir);
    const store = await openStore(dir);
    await scan(store, loaded, [STALE_KEY1]);
    // The reconciler writes a `resolved` row for a finding that was absent from a run.
    const middle = await scan(store, loaded, []);
    await store.run(
      `INSERT INTO findings_stage (run_id, finding_id, rule_id, severity, status, provider, tenant, source, subject_type, subject_ref, identity_ref,
         reason, evidence, first_seen, last_seen, carried)
       VALUES ($1, $2, 'stale-credential', 'high', 'resolved', 'fake', 'acme', 'fake1', 'credential', 'key-1', 'svc-1', 'resolved', '{}', now(), now(), false)`,
      [middle, findingId(STALE_KEY1)]);
    await scan(store, loaded, [STALE_KEY1]);
    const plan = await planActions(store, loaded, { log });
    expect(plan.actions).toEqual([]);
    expect(plan.held).toMatchObject([{ target_ref: 'key-1', rail: 'too-new', reason: 'seen in 1 consecutive run(s); acting needs 2' }]);
  });
});

describe('D20: protected and opt-out entries follow the provider\'s case rules', () => {
  const config = (ref: string) => ({ protected: [{ provider: 'aws', ref, reason: 'legacy' }] }) as never;
  const names = async (provider: string, refs: string[]) => ({ provider, tenant: 't', refs, case: (await loadConnector(provider)).identifierCase });

  it('IAM user and role names are case-insensitive, so an ARN pattern in other letters still protects', async () => {
    const n = await names('aws', ['arn:aws:iam::123456789012:user/svc-legacy#access-key:2023-01-01T00:00:00Z', 'svc-legacy']);
    expect(protectedBy(config('arn:aws:iam::*:user/SVC-Legacy*'), n)?.ref).toBe('arn:aws:iam::*:user/SVC-Legacy*');
    expect(protectedBy(config('SVC-LEGACY'), n)?.ref).toBe('SVC-LEGACY');
    expect(protectedBy(config('arn:aws:iam::*:user/svc-other*'), n)).toBeUndefined();
    const opt = [{ ref: 'ARN:AWS:IAM::*:USER/SVC-LEGACY*', reason: 'x', expires_at: new Date('2999-01-01') }];
    expect(optedOutBy(opt, n)?.ref).toBe(opt[0]!.ref);
  });

  it('Secrets Manager secret names are case-sensitive', async () => {
    const n = await names('aws', ['arn:aws:secretsmanager:eu-west-1:123456789012:secret:Prod/DB-AbCdEf']);
    expect(protectedBy(config('arn:aws:secretsmanager:*:secret:Prod/*'), n)).toBeDefined();
    expect(protectedBy(config('arn:aws:secretsmanager:*:secret:prod/*'), n)).toBeUndefined();
  });

  it('GitHub logins and repository names, Entra/Azure ids and UPNs, and Google emails are case-insensitive', async () => {
    const cases: [string, string, string][] = [
      ['github', 'github:acme/web/deploy_key/123', 'github:ACME/Web/*'],
      ['github', 'octo-bot', 'Octo-Bot'],
      ['azure', '/subscriptions/0000/resourceGroups/RG-1/providers/Microsoft.Web/sites/app', '/subscriptions/0000/resourcegroups/rg-1/*'],
      ['azure', 'Deploy.Bot@Contoso.onmicrosoft.com', 'deploy.bot@contoso.onmicrosoft.com'],
      ['gcp', 'Deployer@proj-1.iam.gserviceaccount.com', 'deployer@*'],
    ];
    for (const [provider, ref, pattern] of cases) {
      const n = await names(provider, [ref]);
      expect(protectedBy({ protected: [{ provider, ref: pattern }] } as never, n)?.ref, `${provider} ${ref} ~ ${pattern}`).toBe(pattern);
    }
  });
});
