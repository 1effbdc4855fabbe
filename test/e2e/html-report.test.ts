// The HTML report in a real browser (Debian's chromium driven by playwright-core): it renders with no network, its
// filters and sorting work, evidence opens on click, and a screenshot is saved to test-results/ for CI artifacts.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { openStore, tempDir, onCleanup } from '../helpers/index.js';
import { writeReports } from '../../src/reports/index.js';
import { seedHistory, BIG_ID } from '../reports/seed.js';

const CHROMIUM = '/usr/bin/chromium';

describe('HTML report in a browser', () => {
  it('renders offline; filters, sorting and evidence work; a screenshot is saved', async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    const store = await openStore();
    await seedHistory(store);
    const out = tempDir();
    await writeReports(store, { runId: 'run-3', formats: ['html'], outDir: out, now: new Date('2024-03-15T12:00:00Z'), byOwner: true });

    const profile = tempDir('nhi-recon-chromium-');
    // A fresh profile per run (playwright passes it to chromium as --user-data-dir).
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true, viewport: { width: 1400, height: 1000 },
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    });
    onCleanup(() => context.close());
    const page = await context.newPage();
    const requests: string[] = [];
    const problems: string[] = [];
    page.on('request', (r) => { if (!r.url().startsWith('file:')) requests.push(r.url()); });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    page.on('dialog', (d) => { problems.push(`dialog opened: ${d.message()}`); void d.dismiss(); }); // alert(1) in a name must never run
    await page.goto(pathToFileURL(join(out, 'report.html')).href);

    const rows = page.locator('#findings tbody tr.finding');
    await expect.poll(() => rows.count()).toBe(6);
    expect(await page.textContent('#shown-count')).toBe('showing 6 of 6');
    expect(await page.locator('#charts svg[role="img"]').count()).toBe(5);
    expect(await page.textContent('#completeness')).toMatch(/1 of 4 tenants were not fully collected/);
    // default order: most severe first
    expect(await rows.first().locator('td').nth(0).textContent()).toBe('critical');

    // filters
    await page.selectOption('#f-severity', 'critical');
    expect(await rows.count()).toBe(2);
    await page.selectOption('#f-severity', '');
    await page.selectOption('#f-status', 'muted');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().locator('td').nth(1).textContent()).toBe('stale-credential');
    await page.selectOption('#f-status', 'open');
    expect(await rows.count()).toBe(4);
    await page.selectOption('#f-status', '');
    await page.selectOption('#f-owner', '');
    await page.fill('#q', 'mallory');
    expect(await rows.count()).toBe(1);
    await page.fill('#q', '');
    await page.selectOption('#f-provider', 'aws');
    expect(await rows.count()).toBe(2);
    await page.selectOption('#f-provider', '');

    // sorting: days open ascending, then descending
    const days = async () => (await page.locator('#findings tbody tr.finding td:nth-child(8)').allTextContents()).map(Number);
    await page.click('#findings th[data-key="days_open"]');
    const asc = await days();
    expect(asc).toEqual([...asc].sort((a, b) => a - b));
    await page.click('#findings th[data-key="days_open"]');
    const desc = await days();
    expect(desc).toEqual([...asc].sort((a, b) => b - a));
    expect(await page.getAttribute('#findings th[data-key="days_open"]', 'class')).toBe('desc');

    // evidence opens on click and keeps 64-bit ids exact
    await page.fill('#q', 'deploy_key');
    await rows.first().click();
    const evidence = await page.textContent('#findings tr.detail pre.evidence');
    expect(evidence).toContain(`"key_id": ${BIG_ID}`);
    expect(await page.textContent('#findings tr.detail')).toContain('f-leak-5');
    await page.fill('#q', '');

    // a hostile resource name is shown as text, never run
    expect(await page.locator('#findings tbody').innerHTML()).not.toContain('<script>');

    expect(requests).toEqual([]);
    expect(problems).toEqual([]);

    const dir = join(process.cwd(), 'test-results');
    mkdirSync(dir, { recursive: true });
    const shot = join(dir, 'html-report.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(10_000);
  });
});
