import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type RunningService, removeServiceDirs, startService } from './service-harness.js';

/**
 * The operator console (console/, served at /console) in Debian's Chromium, driven by
 * playwright-core (no browser download: CI installs the `chromium` package, see .ci/run). The
 * assets are built first when dist/console is missing or older than their sources. With
 * UPDATE_SCREENSHOTS=1 the screenshots it takes replace README's (docs/images).
 */

const ROOT = join(import.meta.dirname, '..', '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const KEY = 'console-test-key';
/** Screenshots: into docs/images (README shows them) with UPDATE_SCREENSHOTS=1, else a temp dir. */
const IMAGES =
  process.env.UPDATE_SCREENSHOTS === '1'
    ? join(ROOT, 'docs', 'images')
    : join(tmpdir(), 'cep-console-screens');

function newestMtime(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(path).map((f) => newestMtime(join(path, f))));
}

/** Builds the console (vite) unless dist/console is newer than console/ and rules/schema.json. */
async function ensureConsoleBuilt(): Promise<void> {
  const index = join(ROOT, 'dist', 'console', 'index.html');
  const sources = Math.max(
    newestMtime(join(ROOT, 'console')),
    newestMtime(join(ROOT, 'rules', 'schema.json')),
  );
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  await promisify(execFile)(
    process.execPath,
    [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'console/vite.config.ts'],
    { cwd: ROOT, timeout: 120_000 },
  );
}

const RULE = {
  id: 'console-probe',
  version: 1,
  status: 'active',
  kind: 'pattern',
  description: 'A probe event, then a second one for the same user',
  key: ['user'],
  stages: [
    { name: 'first', condition: 'e.type == "probe"' },
    { name: 'second', contiguity: 'followedBy', condition: 'e.type == "probe" && e.step == 2' },
  ],
  alert: { severity: 'loud', message: 'two probes for {{key}}' },
};

/** Replaces the editor's document (as a paste would: CodeMirror's bracket closing stays out). */
async function setEditor(page: Page, text: string): Promise<void> {
  await page.locator('.editor .cm-content').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

describe('operator console in Chromium', () => {
  let browser: Browser;
  let keyed: RunningService;
  let open: RunningService;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `no Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH); .ci/run does`,
      );
    }
    const [, k, o, b] = await Promise.all([
      ensureConsoleBuilt(),
      startService({ API_KEY: KEY }),
      startService(),
      chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
        ],
      }),
    ]);
    keyed = k;
    open = o;
    browser = b;
    mkdirSync(IMAGES, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([keyed?.close(), open?.close()]);
    removeServiceDirs();
  });

  it('serves the console at /console/ without the key, / redirecting there, nothing outside it', async () => {
    const root = await fetch(`${keyed.url}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/console/');
    const bare = await fetch(`${keyed.url}/console`, { redirect: 'manual' });
    expect(bare.status).toBe(301);
    const page = await fetch(`${keyed.url}/console/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await page.text();
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const js = await fetch(`${keyed.url}${script}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${keyed.url}/console/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${keyed.url}/console/%2e%2e/%2e%2e/package.json`)).status).toBe(404);
    // The API stays guarded.
    expect((await call(`${keyed.url}/rules`, 'GET')).status).toBe(401);
  });

  it('edits a rule with errors at their JSON path, saves it, shows its alert live, pauses it (with API_KEY)', async () => {
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    try {
      await page.goto(`${keyed.url}/`);
      expect(new URL(page.url()).pathname).toBe('/console/');
      // The service answers 401: the console asks for the key once, then keeps it for the tab.
      await page.locator('input[name="api-key"]').fill(KEY);
      await page.locator('.modal button[type="submit"]').click();
      await page.locator('tr[data-rule="card-testing"]').waitFor();

      // A rule with a wrong severity: the service's verdict appears at /alert/severity, and the
      // editor underlines that value.
      await setEditor(page, JSON.stringify(RULE, null, 2));
      const problem = page.locator('.verdict .problems li[data-path="/alert/severity"]');
      await problem.waitFor();
      expect(await problem.textContent()).toContain('must be one of low, medium, high, critical');
      await expect
        .poll(() => page.locator('.cm-lintRange-error').allTextContents(), { timeout: 10_000 })
        .toContain('"loud"');
      await page.screenshot({ path: join(IMAGES, 'console-rules.png'), fullPage: true });

      // Fixed, it is valid; saved, it is listed.
      const fixed = JSON.stringify({ ...RULE, alert: { ...RULE.alert, severity: 'high' } }, null, 2);
      await setEditor(page, fixed);
      await page.locator('.verdict[data-verdict="valid"]').waitFor();

      // The schema completes property names: inside "alert", the missing ones are offered.
      await page.locator('.editor .cm-content').getByText('"message"').click();
      await page.keyboard.press('End');
      await page.keyboard.press('Enter');
      await page.keyboard.type('"');
      await expect
        .poll(() => page.locator('.cm-tooltip-autocomplete li').allTextContents(), { timeout: 10_000 })
        .toContainEqual(expect.stringContaining('fields'));
      await page.keyboard.press('Escape');
      await setEditor(page, fixed);
      await page.locator('.verdict[data-verdict="valid"]').waitFor();

      // Dry run of the editor's rule over generated samples: one alert, nothing saved.
      await page.locator('.dry-run button', { hasText: 'Generate samples' }).click();
      await page.locator('button[data-action="dry-run"]').click();
      await page.locator('.dry-run-result[data-alerts="1"]').waitFor();
      await page.locator('button[data-action="save"]').click();
      await page.locator('[data-save="ok"]').waitFor();
      await page.locator('tr[data-rule="console-probe"] [data-status="active"]').waitFor();

      // Events sent over HTTP: the alert appears in the live feed, its events by stage.
      await page.locator('a[data-page="alerts"]').click();
      await page.locator('header .live.on').waitFor();
      const ts = Date.now() - 10_000;
      const sent = await call(
        `${keyed.url}/events`,
        'POST',
        [
          { type: 'probe', user: 'ann', step: 1, ts },
          { type: 'probe', user: 'ann', step: 2, ts: ts + 1000 },
        ],
        { 'x-api-key': KEY },
      );
      expect(sent.body).toMatchObject({ accepted: 2 });
      const alert = page.locator('li.alert[data-rule="console-probe"]');
      await alert.waitFor({ timeout: 20_000 });
      expect(await alert.textContent()).toContain('two probes for user=ann');
      await page.locator('select[name="rule"]').selectOption('console-probe');
      await alert.locator('button.summary').click();
      await alert.locator('[data-stage="second"]').waitFor();
      expect(await alert.locator('[data-stage="first"]').textContent()).toContain('"step":1');
      await page.screenshot({ path: join(IMAGES, 'console-alerts.png') });

      // Pause it from the list (with the version check): stored as version 2, paused.
      await page.locator('a[data-page="rules"]').click();
      await page.locator('tr[data-rule="console-probe"] button[data-action="toggle"]').click();
      await page.locator('tr[data-rule="console-probe"] [data-status="paused"]').waitFor();
      // Its alert counts in the list: 1 in the last hour (1 since the service started).
      await expect
        .poll(() => page.locator('tr[data-rule="console-probe"] td[data-col="alerts"]').textContent())
        .toBe('1 (1)');
      const stored = await call(`${keyed.url}/rules/console-probe`, 'GET', undefined, { 'x-api-key': KEY });
      expect(stored.body).toMatchObject({ status: 'paused', version: 2 });
      // Its version history: 2 (paused) then 1 (active).
      await page.locator('tr[data-rule="console-probe"] button[data-action="history"]').click();
      const history = page.locator('[data-history="console-probe"]');
      await history.locator('tr[data-version="1"]').waitFor();
      expect(await history.locator('tbody tr').count()).toBe(2);
      expect(await history.locator('tr[data-version="2"]').textContent()).toContain('paused');
      expect(await history.locator('tr[data-version="1"]').textContent()).toContain('active');
    } finally {
      await page.close();
    }
  }, 60_000);

  it('works without a key when none is configured: pipeline metrics, charts and dead letters', async () => {
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    try {
      const bad = await call(`${open.url}/events`, 'POST', [{ type: 'probe', user: 'bob' }]);
      expect(bad.body).toMatchObject({ deadLettered: 1 });
      await page.goto(`${open.url}/console/#/pipeline`);
      await page.locator('table.dead-letters').getByText('ts is missing').waitFor();
      await page.locator('figure.chart canvas').first().waitFor();
      await expect
        .poll(() => page.locator('[data-stat="rules-active"] .value').textContent(), { timeout: 10_000 })
        .not.toBe('0');
      // Events while the console scrapes /metrics (every 2 s): a rate above 0 in.
      const now = Date.now() - 5000;
      const good = Array.from({ length: 40 }, (_, i) => ({ type: 'login', user: `u${i}`, ts: now + i }));
      await call(`${open.url}/events`, 'POST', good);
      await expect
        .poll(() => page.locator('[data-stat="events-in"] .value').textContent(), { timeout: 10_000 })
        .toMatch(/^[1-9]|^0\.[1-9]/);
      expect(await page.locator('.modal').count()).toBe(0);
      await page.screenshot({ path: join(IMAGES, 'console-pipeline.png') });
    } finally {
      await page.close();
    }
  }, 30_000);
});
