// Issue 18 "Routing": findings reach their owners through a signed webhook, Slack, Jira and ServiceNow stand-ins —
// one thread per finding per destination, updated and closed, never duplicated across runs; a retry after a 5xx;
// failures never fail the scan and are retried by the next run; text from the estate cannot inject markup.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { onCleanup, openStore, tempDir, writeConfig } from '../helpers/index.js';
import { collectStage, reconcileStage } from '../../src/pipeline/scan.js';
import { routeRun } from '../../src/routing/index.js';
import { jiraEscape, slackEscape } from '../../src/routing/destinations.js';
import { startRoutingSim, type RoutingSim } from '../../src/sim/routing/server.js';
import { silentLogger } from '../../src/log.js';
import { loadConfig } from '../../src/config/load.js';
import { command as scan } from '../../src/commands/scan.js';
import { EXIT } from '../../src/errors.js';
import { Store } from '../../src/store/store.js';
import type { LoadedConfig } from '../../src/config/load.js';

const SECRET = 'whsec-test-0123456789';
const FAST = { retries: 2, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 5000, maxRateWaitMs: 5000 };
const env = { NHI_WEBHOOK_KEY: SECRET, SLACK_URL: '', JIRA_TOKEN: 'jira-token-xyz', SNOW_PASSWORD: 'snow-pass-xyz' } as Record<string, string>;

function writeInventory(dir: string, ids: string[], resourceName = 'db/prod') {
  writeFileSync(join(dir, 'inv', 'identities.csv'), 'ref,kind,name,created_at,owner\n' + ids.map((r) => `${r},service_account,${r},2023-01-01,alice`).join('\n') + '\n');
  writeFileSync(join(dir, 'inv', 'entitlements.csv'), 'identity_ref,resource_ref,permission,level\n' + ids.map((r) => `${r},${JSON.stringify(resourceName)},admin,admin`).join('\n') + '\n');
  writeFileSync(join(dir, 'inv', 'credentials.csv'), 'ref,kind,identity_ref,created_at\n');
}

function destinations(sim: RoutingSim) {
  return [
    { name: 'hook', type: 'webhook', url: `${sim.url}/webhook`, secret_env: 'NHI_WEBHOOK_KEY', min_severity: 'low' },
    { name: 'chat', type: 'slack', url_env: 'SLACK_URL', min_severity: 'low' },
    { name: 'tickets', type: 'jira', base_url: sim.url, flavor: 'cloud', project: 'SEC', email: 'bot@example.com', token_env: 'JIRA_TOKEN', min_severity: 'low' },
    { name: 'itsm', type: 'servicenow', instance_url: sim.url, user: 'nhi', password_env: 'SNOW_PASSWORD', min_severity: 'low' },
  ];
}

async function estate(ids: string[], extra: { resourceName?: string; dests?: (sim: RoutingSim) => unknown[] } = {}) {
  const sim = await startRoutingSim({ webhookSecret: SECRET, jiraProject: 'SEC' });
  onCleanup(() => sim.close());
  env.SLACK_URL = `${sim.url}/services/T000/B000/XXXX`;
  const dir = tempDir();
  mkdirSync(join(dir, 'inv'));
  writeInventory(dir, ids, extra.resourceName);
  const store = await openStore(dir);
  const loaded = await writeConfig(dir, {
    sources: [{ name: 'saas', type: 'file', options: { path: 'inv', provider: 'saas', tenant: 'acme' } }],
    authority: { required: false },
    routing: { destinations: (extra.dests ?? destinations)(sim) },
  });
  return { sim, dir, store, loaded };
}

async function scanAndRoute(store: Store, loaded: LoadedConfig) {
  const { run } = await collectStage(store, loaded, { log: silentLogger, env });
  await reconcileStage(store, loaded, run.run_id);
  const result = await routeRun(store, loaded.config.routing, run.run_id, { env, log: silentLogger, retry: FAST });
  return { runId: run.run_id, result, by: Object.fromEntries(result.outcomes.map((o) => [o.destination, o])) };
}

describe('routing to owners', () => {
  it('opens one thread per finding, sends nothing on an unchanged run, closes on resolution and reopens on regression — no duplicates', async () => {
    const t = await estate(['svc-a', 'svc-b', 'svc-c']);
    // One 503 on the first Jira create: retried, created once.
    t.sim.faults.add({ kind: 'status', status: 503, match: 'POST /rest/api/2/issue', times: 1 });
    t.sim.faults.add({ kind: 'throttle', retryAfter: 0, match: 'POST /api/now/table', times: 1 });
    const first = await scanAndRoute(t.store, t.loaded);
    const n = Number(await t.store.value(`SELECT count(*) FROM findings WHERE run_id = $1 AND status <> 'resolved'`, [first.runId]));
    expect(n).toBeGreaterThanOrEqual(3);
    expect(t.sim.faults.injected).toBe(2);
    for (const d of ['hook', 'chat', 'tickets', 'itsm']) {
      expect(first.by[d]!.delivered.open, d).toBe(n);
      expect(first.by[d]!.failed, d).toBe(0);
    }
    expect(t.sim.jira.issues).toHaveLength(n);
    expect(t.sim.servicenow.records).toHaveLength(n);
    expect(t.sim.webhook.received.every((r) => r.signatureOk)).toBe(true);
    expect(t.sim.jira.auth.every((a) => a === `Basic ${Buffer.from('bot@example.com:jira-token-xyz').toString('base64')}`)).toBe(true);

    const second = await scanAndRoute(t.store, t.loaded);
    for (const d of ['hook', 'chat', 'tickets', 'itsm']) expect(Object.values(second.by[d]!.delivered).reduce((a, b) => a + b, 0), d).toBe(0);

    // svc-c is removed: a complete collection no longer shows it, so its thread is closed everywhere.
    writeInventory(t.dir, ['svc-a', 'svc-b']);
    const third = await scanAndRoute(t.store, t.loaded);
    const closed = third.by.tickets!.delivered.close;
    expect(closed).toBeGreaterThan(0);
    expect(third.by.itsm!.delivered.close).toBe(closed);
    expect(third.by.hook!.delivered.close).toBe(closed);
    expect(t.sim.jira.issues).toHaveLength(n); // three runs, still one issue per finding
    expect(t.sim.jira.issues.filter((i) => i.status === 'Done')).toHaveLength(closed);
    expect(t.sim.servicenow.records.filter((r) => r.state === '6' && r.close_code && /complete collection/.test(r.close_notes ?? ''))).toHaveLength(closed);

    // svc-c comes back: the same issue is reopened, no new one.
    writeInventory(t.dir, ['svc-a', 'svc-b', 'svc-c']);
    const fourth = await scanAndRoute(t.store, t.loaded);
    expect(fourth.by.tickets!.delivered.reopen).toBe(closed);
    expect(fourth.by.tickets!.delivered.open).toBe(0);
    expect(t.sim.jira.issues).toHaveLength(n);
    expect(t.sim.jira.issues.filter((i) => i.status === 'Done')).toHaveLength(0);
    expect(t.sim.servicenow.records).toHaveLength(n);
    expect(t.sim.servicenow.records.filter((r) => r.state === '2')).toHaveLength(closed);
    expect(t.sim.webhook.received.filter((r) => r.event === 'finding.regressed')).toHaveLength(closed);
  });

  it('a destination that is down never fails the scan; the failure is reported and recorded, and the next run delivers', async () => {
    const t = await estate(['svc-a', 'svc-b']);
    t.sim.faults.add({ kind: 'status', status: 500, match: '/rest/api/', times: Infinity });
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), log: silentLogger, env, interactive: false };
    const code = await scan.run({ config: t.loaded.file!, _: [], $0: '' } as never, io);
    expect(code).toBe(EXIT.ok); // findings of `fail_on: none`; the Jira outage does not change it
    expect(out.join('\n')).toMatch(/routing tickets \(jira\): 0 opened.*FAILED \(.*HTTP 500/);
    expect(out.join('\n')).toMatch(/routing hook \(webhook\): \d+ opened, 0 reopened, 0 updated, 0 closed$/m);
    // The scan wrote to the config's database.
    const store = await Store.open(join(t.dir, 'nhi-recon.duckdb'));
    onCleanup(() => store.close());
    const log = await store.all<{ ok: boolean; error: string }>(`SELECT ok, error FROM delivery_log WHERE destination = 'tickets'`);
    expect(log.length).toBeGreaterThan(0);
    expect(log.every((l) => !l.ok && /HTTP 500/.test(l.error))).toBe(true);
    expect(Number(await store.value(`SELECT count(*) FROM deliveries WHERE destination = 'tickets'`))).toBe(0);

    t.sim.faults.clear();
    const next = await scanAndRoute(store, t.loaded);
    expect(next.by.tickets!.delivered.open).toBeGreaterThan(0);
    expect(next.by.hook!.delivered.open).toBe(0); // the webhook already has them
    expect(t.sim.jira.issues).toHaveLength(next.by.tickets!.delivered.open);
  });

  it('a missing secret fails only that destination, naming the variable and never a value', async () => {
    const t = await estate(['svc-a']);
    const saved = env.JIRA_TOKEN;
    delete env.JIRA_TOKEN;
    try {
      const r = await scanAndRoute(t.store, t.loaded);
      expect(r.by.tickets!.failed).toBeGreaterThan(0);
      expect(r.by.tickets!.errors[0]).toMatch(/environment variable JIRA_TOKEN is not set/);
      expect(r.by.hook!.delivered.open).toBeGreaterThan(0);
    } finally { env.JIRA_TOKEN = saved!; }
  });

  it('a lost database does not duplicate issues: the existing issue and record are found and adopted', async () => {
    const t = await estate(['svc-a', 'svc-b']);
    const first = await scanAndRoute(t.store, t.loaded);
    const n = first.by.tickets!.delivered.open;
    await t.store.run('DELETE FROM deliveries');
    const again = await scanAndRoute(t.store, t.loaded);
    expect(again.by.tickets!.delivered.open).toBe(n); // "opened" against the adopted issue: a comment, not a new issue
    expect(t.sim.jira.issues).toHaveLength(n);
    expect(t.sim.jira.issues.every((i) => i.comments.length === 1)).toBe(true);
    expect(t.sim.servicenow.records).toHaveLength(n);
    // A delivery sent again because its record was lost (a kill between the send and the record) carries the same
    // idempotency key, so the webhook receiver can drop it.
    const keys = t.sim.webhook.received.map((r) => r.idempotencyKey);
    expect(keys).toHaveLength(2 * n);
    expect(new Set(keys).size).toBe(n);
  });

  it('only routes what a destination asks for: severity floor, owner and rule globs', async () => {
    const t = await estate(['svc-a'], {
      dests: (sim) => [
        { name: 'critical-only', type: 'webhook', url: `${sim.url}/webhook`, secret_env: 'NHI_WEBHOOK_KEY', min_severity: 'critical' },
        { name: 'bobs', type: 'webhook', url: `${sim.url}/webhook`, secret_env: 'NHI_WEBHOOK_KEY', min_severity: 'info', owners: ['bob*'] },
        { name: 'alices-ungranted', type: 'webhook', url: `${sim.url}/webhook`, secret_env: 'NHI_WEBHOOK_KEY', min_severity: 'info', owners: ['alice'], rules: ['ungranted-*'] },
      ],
    });
    const r = await scanAndRoute(t.store, t.loaded);
    const sev = await t.store.all<{ severity: string; rule_id: string; owner: string }>(`SELECT severity, rule_id, owner FROM findings WHERE run_id = $1`, [r.runId]);
    expect(r.by['critical-only']!.delivered.open).toBe(sev.filter((f) => f.severity === 'critical').length);
    expect(r.by.bobs!.delivered.open).toBe(0);
    expect(r.by['alices-ungranted']!.delivered.open).toBe(sev.filter((f) => f.rule_id.startsWith('ungranted-') && f.owner === 'alice').length);
    expect(r.by['alices-ungranted']!.delivered.open).toBeGreaterThan(0);
  });

  it('estate text cannot inject mentions, links or markup into Slack and Jira', async () => {
    const evil = 'db/<!channel> <https://evil.example|click> [x|https://evil.example] {color:red}';
    const t = await estate(['svc-a'], { resourceName: evil });
    await scanAndRoute(t.store, t.loaded);
    const slackText = JSON.stringify(t.sim.slack.messages);
    expect(slackText).not.toContain('<!channel>');
    expect(slackText).not.toContain('<https://evil.example|click>');
    expect(slackText).toContain('&lt;!channel&gt;');
    const jiraText = t.sim.jira.issues.map((i) => i.description).join('\n');
    expect(jiraText).not.toMatch(/(^|[^\\])\[x\|/);
    expect(jiraText).not.toMatch(/(^|[^\\])\{color/);
    expect(slackEscape('a<b>&c')).toBe('a&lt;b&gt;&amp;c');
    expect(jiraEscape('[a|b]{c}')).toBe('\\[a\\|b\\]\\{c\\}');
  });

  it('refuses URLs with credentials, plain http to other hosts, and duplicate destination names', async () => {
    const dir = tempDir();
    const base = { sources: [], authority: { required: false } };
    const bad = [
      [{ name: 'h', type: 'webhook', url: 'https://user:pw@hooks.example.com/x', secret_env: 'K' }, /must not carry a user or password/],
      [{ name: 'h', type: 'webhook', url: 'http://hooks.example.com/x', secret_env: 'K' }, /https only/],
      [{ name: 'j', type: 'jira', base_url: 'https://x.atlassian.net', project: 'S', token_env: 'not a name' }, /environment variable name/],
      [{ name: 's', type: 'servicenow', instance_url: 'https://x.service-now.com', user: 'u' }, /password_env/],
    ] as const;
    for (const [d, msg] of bad) {
      writeFileSync(join(dir, 'c.yaml'), JSON.stringify({ ...base, routing: { destinations: [d] } }));
      await expect(loadConfig(join(dir, 'c.yaml'))).rejects.toThrow(msg);
    }
    writeFileSync(join(dir, 'c.yaml'), JSON.stringify({ ...base, routing: { destinations: [
      { name: 'a', type: 'webhook', url: 'https://h.example.com', secret_env: 'K' }, { name: 'a', type: 'slack', url_env: 'S' }] } }));
    await expect(loadConfig(join(dir, 'c.yaml'))).rejects.toThrow(/used twice/);
  });

  it('refuses to route a run that is not evidence', async () => {
    const t = await estate(['svc-a']);
    const { run } = await collectStage(t.store, t.loaded, { log: silentLogger, env });
    await expect(routeRun(t.store, t.loaded.config.routing, run.run_id, { env, log: silentLogger, retry: FAST })).rejects.toThrow(/unreconciled.*nothing was routed/);
    expect(t.sim.webhook.received).toHaveLength(0);
  });
});
