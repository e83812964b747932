// ui.test.mjs — the web UI in Debian's Chromium (playwright-core): log in, add an
// org and a member, import a file with a bad row and see the error, and see a
// dashboard number change.
import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { freshDb, generate, startServer, PASSWORD, idCard, loginAs } from '../lib/server.mjs';

let db, srv, browser, page;
before(async () => {
  db = freshDb('ui');
  generate(db);
  srv = await startServer(db);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'] });
  page = await browser.newPage({ viewport: { width: 1366, height: 860 } });
});
after(async () => { await browser?.close(); await srv.stop(); });

async function statValue(name) {
  return Number((await page.locator(`[data-stat=${name}] .value`).innerText()).trim());
}

it('logs in, adds an org and a member, and the dashboard count follows', async () => {
  await page.goto(srv.base + '/#/login');
  await page.fill('input[name=username]', 'admin');
  await page.fill('input[name=password]', 'wrong-pass-1');
  await page.click('button[type=submit]');
  await page.getByText('用户名或密码错误').waitFor();
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.locator('[data-stat=members] .value').waitFor();
  const members = await statValue('members');
  const orgs = await statValue('orgs');

  // A new branch under the root, through the org page's dialog.
  await page.goto(srv.base + '/#/orgs');
  await page.getByRole('button', { name: '新增下级组织' }).click();
  await page.fill('input[name=org-name]', '浏览器测试党支部');
  await page.fill('input[name=org-code]', 'UI-T1');
  await page.locator('.el-dialog').getByRole('button', { name: '保存' }).click();
  await page.locator('.org-head h2', { hasText: '浏览器测试党支部' }).waitFor();
  const orgUrl = page.url();
  assert.match(orgUrl, /#\/orgs\/\d+$/);

  // A member in it, from the member list of that org.
  await page.getByRole('button', { name: '查看党员' }).click();
  await page.getByRole('button', { name: '新增党员' }).click();
  await page.fill('input[name=member-name]', '界面测试');
  await page.fill('input[name=member-id-card]', idCard('19900615', 77));
  await page.locator('input[name=member-join]').fill('2015-07-01');
  await page.keyboard.press('Enter');
  await page.locator('.el-dialog').getByRole('button', { name: '保存' }).click();
  await page.getByText('已新增党员 界面测试').waitFor();
  await page.locator('.el-table').getByText('界面测试').waitFor();

  await page.goto(srv.base + '/#/');
  await page.locator('[data-stat=members] .value').waitFor();
  assert.equal(await statValue('members'), members + 1);
  assert.equal(await statValue('orgs'), orgs + 1);
  await page.screenshot({ path: path.join(db.dir, 'dashboard.png') });
});

it('lists the findings a page at a time: the chip of a rule filters them, and a record opens its page', async () => {
  await page.goto(srv.base + '/#/');
  await page.locator('[data-test=finding-rules] .el-table__row').first().waitFor();
  await page.goto(srv.base + '/#/findings');
  const chip = page.locator('[data-test=rule-counts] .rule-chip[data-rule=probation_overdue]');
  await chip.waitFor();
  const count = Number(await chip.locator('b').innerText());
  assert.ok(count > 0);
  await chip.click();
  await page.waitForURL(/rule=probation_overdue/);
  await page.getByText(`共 ${count} 条`).waitFor();
  const rows = page.locator('[data-test=findings] .el-table__body tr');
  await rows.first().waitFor();
  assert.equal(await rows.count(), Math.min(count, 50));
  // The member behind a probation finding is a link to their record.
  const link = rows.first().locator('td').last().locator('a').first();
  const name = (await link.innerText()).trim();
  await link.click();
  await page.waitForURL(/#\/members\/\d+$/);
  await page.getByText(name).first().waitFor();
  await page.goto(srv.base + '/#/');
  await page.locator('[data-stat=members] .value').waitFor();
});

it('imports a file with a bad row: shows row, column and message, and stores nothing', async () => {
  const file = path.join(db.dir, 'roster.csv');
  fs.writeFileSync(file, ['姓名,性别,身份证号,入党日期,党员类别',
    `好行,男,${idCard('19800101', 31)},2005-07-01,正式党员`,
    '坏行,男,410102198001011230,2005-07-01,正式党员'].join('\n'));
  const before = await statValue('members');
  await page.goto(srv.base + '/#/import');
  await page.locator('.el-select').first().click();
  await page.keyboard.type('机关委员会');
  await page.locator('.el-select-dropdown__item', { hasText: '机关委员会' }).first().click();
  await page.setInputFiles('input[data-test=file]', file);
  await page.getByRole('button', { name: '校验并导入' }).click();
  const errors = page.locator('.import-errors');
  await errors.waitFor();
  const text = await errors.innerText();
  assert.match(text, /3/);
  assert.match(text, /身份证号/);
  assert.match(text, /校验位/);
  await page.goto(srv.base + '/#/');
  await page.locator('[data-stat=members] .value').waitFor();
  assert.equal(await statValue('members'), before);
});

it('shows a member their organizational life and own record on a phone-sized screen', async () => {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
  const phone = await ctx.newPage();
  await phone.goto(srv.base + '/#/login');
  await phone.fill('input[name=username]', 'dangyuan');
  await phone.fill('input[name=password]', PASSWORD);
  await phone.click('button[type=submit]');
  // A member lands on 我的组织生活, then opens their own record; neither scrolls sideways.
  await phone.locator('[data-test=my-present]').waitFor();
  let width = await phone.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 400, `no sideways scrolling on 我的组织生活 (${width}px)`);
  await phone.goto(srv.base + '/#/me');
  await phone.getByText('组织关系转接记录').waitFor();
  width = await phone.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 400, `no sideways scrolling on a phone (${width}px)`);
  await phone.screenshot({ path: path.join(db.dir, 'member-phone.png') });
  await ctx.close();
  // The member's session cannot reach a manager's page: it lands on its own record.
  const c = await loginAs(srv.base, 'dangyuan');
  assert.equal((await c.get('/dashboard')).status, 403);
});
