// dues.test.mjs — 党费 in a real Chromium: the managers' monthly sheet, bases
// and arrears of the generated demo, a payment entered through the form, and
// the member's own 我的党费 on a phone.  DUES_SHOTS=dir saves screenshots.
import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { freshDb, generate, startServer, loginAs, PASSWORD } from '../lib/server.mjs';

const env = { DANGJIAN_TODAY: '2026-11-30' };
let db, srv, browser;

before(async () => {
  db = freshDb('ui-dues');
  generate(db, 'demo', { env });
  srv = await startServer(db, { env });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'] });
});
after(async () => { await browser?.close(); await srv.stop(); });

async function login(page, username) {
  await page.goto(srv.base + '/#/login');
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL((u) => !u.hash.startsWith('#/login'));
}
async function shot(page, name) {
  if (process.env.DUES_SHOTS) await page.screenshot({ path: path.join(process.env.DUES_SHOTS, name + '.png'), fullPage: true });
}

it('shows a branch secretary the monthly sheet, the bases, and records a payment', async () => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  await login(page, 'zhibu');
  await page.goto(srv.base + '/#/dues/sheet?month=2026-10');
  await page.locator('[data-test=dues-members] .el-table__row').first().waitFor();
  const totals = await page.locator('[data-test=dues-totals]').innerText();
  assert.match(totals, /应交（元）/);
  assert.match(totals, /收缴率/);
  await shot(page, 'dues-sheet');
  await page.locator('.el-tabs__item', { hasText: '缴费基数' }).click();
  await page.locator('[data-test=dues-bases] .el-table__row').first().waitFor();
  await shot(page, 'dues-bases');
  await page.locator('.el-tabs__item', { hasText: '缴费记录' }).click();
  await page.locator('[data-test=dues-pay]').click();
  const who = (await (await loginAs(srv.base, 'zhibu')).get('/dues/sheet?month=2026-10&members=1')).body.members[0].name;
  await page.locator('[data-test=dues-member] input').fill(who);
  await page.locator('.el-select-dropdown__item:visible', { hasText: who }).first().click();
  await page.locator('input[data-test=dues-amount], [data-test=dues-amount] input').first().fill('12.5');
  await page.locator('.el-dialog__footer .el-button--primary').click();
  await page.locator('[data-test=dues-payments] .el-table__row', { hasText: '12.50' }).first().waitFor();
  await shot(page, 'dues-payments');
  await page.locator('.el-tabs__item', { hasText: '欠交党费' }).click();
  await page.locator('[data-test=dues-arrears] .el-table__row').first().waitFor();
  await shot(page, 'dues-arrears');
  await page.locator('[data-test=dues-arrears] .el-table__row').first().click();
  await page.locator('.month-grid .m.owed').first().waitFor();
  await shot(page, 'dues-member');
  await page.close();
});

it('shows a member their own dues and arrears on a phone', async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
  await login(page, 'dangyuan');
  await page.goto(srv.base + '/#/mydues');
  await page.locator('[data-test=my-arrears-months]').waitFor();
  await page.locator('.month-grid .m').first().waitFor();
  assert.equal(await page.locator('.month-grid').first().locator('.m').count(), 12);
  await shot(page, 'dues-mine');
  await page.close();
});
