// The status page in a real browser: Debian's Chromium, driven by playwright-core, over the
// standalone server and a real Pushgateway. A DOM check and a screenshot check.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { SUCCESS_METRIC } from '../../lib/core/probe/signal-metrics.ts';
import { createStandaloneServer } from '../../lib/http/standalone-server.ts';
import { startPushgatewayRuntime, type PushgatewayRuntime } from '../support/pushgateway-runtime.ts';

const CHROMIUM = '/usr/bin/chromium';
const NOW = Date.parse('2026-01-10T10:20:00Z') / 1000;

/** Share of the PNG's pixels within `tolerance` of the colour (per channel). */
function shareOfColour(png: Buffer, [r, g, b]: readonly [number, number, number], tolerance = 12): number {
  const image = PNG.sync.read(png);
  let hits = 0;
  for (let i = 0; i < image.data.length; i += 4) {
    const near = Math.abs((image.data[i] ?? 0) - r) <= tolerance && Math.abs((image.data[i + 1] ?? 0) - g) <= tolerance && Math.abs((image.data[i + 2] ?? 0) - b) <= tolerance;
    if (near) hits += 1;
  }
  return hits / (image.width * image.height);
}

const RED = [0xd1, 0x24, 0x2f] as const; // .badge.late
const GREEN = [0x1a, 0x7f, 0x37] as const; // .badge.up

describe('status page in headless Chromium', () => {
  let stack: PushgatewayRuntime | undefined;
  let server: ReturnType<typeof createStandaloneServer>;
  let browser: Browser;
  let page: Page;
  let base: string;

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} not found: apt-get install chromium (.ci/run does)`);
    stack = await startPushgatewayRuntime((url) => `pushgateway_url: "${url}"
services:
  - {name: fresh-loop, freshness_threshold_seconds: 30}
  - {name: stale-cron, schedule: "*/15 * * * *", grace_seconds: 60}
  - {name: "<img src=x onerror=alert(1)>", freshness_threshold_seconds: 30}
`, { clock: () => NOW * 1000 });
    const { pushgateway, runtime } = stack;
    for (const [service, seconds] of [['fresh-loop', NOW - 3], ['stale-cron', NOW - 3600]] as const) {
      const response = await fetch(`${pushgateway.url}/metrics/job/heartbeat/instance/${service}`, { method: 'POST', body: `${SUCCESS_METRIC}{service="${service}"} ${seconds}\n` });
      assert.equal(response.status, 200);
    }
    server = createStandaloneServer(runtime);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1200, height: 500 } });
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => { dialogs.push(dialog.message()); void dialog.dismiss(); });
    const response = await page.goto(`${base}/`);
    assert.equal(response?.status(), 200);
    assert.deepEqual(dialogs, [], 'no script ran from a service name');
  });
  after(async () => {
    await browser?.close();
    server?.closeAllConnections();
    server?.close();
    await stack?.stop();
  });

  it('shows the stale scheduled service as late and the fresh one as up (DOM)', async () => {
    assert.equal(await page.title(), 'Heartbeats: 3 services, 2 down');
    const stale = page.locator('tr[data-service="stale-cron"]');
    assert.equal((await stale.locator('td.state').innerText()).trim(), 'late');
    assert.equal(await stale.getAttribute('data-state'), 'late');
    assert.equal((await stale.locator('td.next time').getAttribute('datetime')), '2026-01-10T09:30:00.000Z');
    assert.equal((await stale.locator('td.late').innerText()).trim(), '49m');
    assert.equal((await page.locator('tr[data-service="fresh-loop"] td.state').innerText()).trim(), 'up');
    assert.equal((await page.locator('tr[data-state="never"] td.name').innerText()).trim(), '<img src=x onerror=alert(1)>', 'the name is text, not markup');
    assert.equal(await page.locator('img').count(), 0);
  });

  it('paints the late badge red and the up badge green (screenshot)', async () => {
    const whole = await page.screenshot({ fullPage: true });
    const image = PNG.sync.read(whole);
    assert.equal(image.width, 1200);
    const late = await page.locator('tr[data-service="stale-cron"] .badge').screenshot();
    const up = await page.locator('tr[data-service="fresh-loop"] .badge').screenshot();
    assert.ok(shareOfColour(late, RED) > 0.5, `late badge is mostly red (${shareOfColour(late, RED)})`);
    assert.ok(shareOfColour(late, GREEN) < 0.01);
    assert.ok(shareOfColour(up, GREEN) > 0.5, `up badge is mostly green (${shareOfColour(up, GREEN)})`);
    assert.ok(shareOfColour(whole, RED) > 0 && shareOfColour(whole, GREEN) > 0, 'both colours appear on the page');
  });

  it('links the JSON form, which the browser reads as JSON', async () => {
    await page.click('a[href="?format=json"]');
    const parsed = JSON.parse(await page.locator('body').innerText()) as { services: { name: string; state: string }[] };
    assert.deepEqual(parsed.services.map((s) => s.state), ['up', 'late', 'never']);
  });
});
