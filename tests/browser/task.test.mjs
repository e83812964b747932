// task.test.mjs — task deployment in Debian's Chromium: the bureau publishes
// a plan; the 东湖区 committee reports with a photo; the bureau returns it;
// the unit reports again; the bureau accepts; the matrix shows it.
import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { freshDb, generate, startServer, PASSWORD, loginAs, day } from '../lib/server.mjs';

let db, srv, browser, admin, plan, hy01;
const shots = process.env.DJ_SHOTS;
// A real 8×8 red PNG, so the thumbnail shows.
const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEklEQVR4nGO4oWmAFTGMSgwmCQBjfF/JNWJXSQAAAABJRU5ErkJggg==', 'base64');	// a directory to keep screenshots in, when set

before(async () => {
  db = freshDb('ui-task');
  generate(db);
  srv = await startServer(db);
  admin = await loginAs(srv.base, 'admin');
  const root = (await admin.get('/orgs/tree')).body[0];
  hy01 = (await admin.get('/orgs?q=JT-HY01&size=5')).body.items.find((o) => o.code === 'JT-HY01');
  const hy02 = (await admin.get('/orgs?q=JT-HY02&size=5')).body.items.find((o) => o.code === 'JT-HY02');
  plan = (await admin.post('/plans', { org_id: root.id, title: '党建引领交通运输工作方案（浏览器测试）', starts_on: day(-10), ends_on: day(120),
    contacts_due: day(5), campaigns: ['五大攻坚'] })).body;
  const t = await admin.post(`/plans/${plan.id}/tasks`, { scope: 'specific', title: '在建工程党建示范（浏览器测试）', starts_on: day(-10), ends_on: day(120),
    due_on: day(60), targets: [hy01.id, hy02.id], points: 5, quotas: [{ item: '党建引领示范点', min: 1, unit: '个', per: 'assignee' }] });
  assert.equal(t.status, 201, JSON.stringify(t.body));
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'] });
});
after(async () => { await browser?.close(); await srv.stop(); });

async function session(username) {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 860 } });
  const page = await ctx.newPage();
  await page.goto(srv.base + '/#/login');
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL((u) => !u.hash.startsWith('#/login'));
  return page;
}
async function shot(page, name) {
  if (shots) await page.screenshot({ path: path.join(shots, name + '.png'), fullPage: true });
}

it('publishes a plan, takes a report with a photo, returns it, accepts the second, and shows it in the matrix', async () => {
  const bureau = await session('admin');
  await bureau.goto(srv.base + `/#/plans/${plan.id}`);
  await bureau.locator('[data-test=tasks]').getByText('在建工程党建示范（浏览器测试）').waitFor();
  await bureau.click('[data-test=publish]');
  await bureau.getByRole('button', { name: 'OK' }).or(bureau.getByRole('button', { name: '确定' })).click();
  await bureau.locator('[data-test=plan-status]', { hasText: '已发布' }).waitFor();
  await shot(bureau, 'plan-published');

  const unit = await session('hangye');
  await unit.goto(srv.base + '/#/tasks');
  await unit.locator('[data-test=assignments]').getByText('在建工程党建示范（浏览器测试）').click();
  await unit.locator('[data-test=state]', { hasText: '未开始' }).waitFor();
  await unit.click('[data-test=kind-final]');
  await unit.fill('[data-test=report-body]', '已建成党建引领示范点1个，设党员先锋岗，照片附后。');
  await unit.locator('.el-input-number input').first().fill('1');
  await unit.setInputFiles('[data-test=report-files]', { name: '示范点.png', mimeType: 'image/png', buffer: png });
  await unit.click('[data-test=submit-report]');
  await unit.locator('[data-test=state]', { hasText: '待审核' }).waitFor();
  await unit.locator('[data-test=history] img').waitFor();
  await shot(unit, 'unit-submitted');
  const url = unit.url();

  await bureau.goto(url);
  await bureau.locator('[data-test=state]', { hasText: '待审核' }).waitFor();
  await bureau.fill('[data-test=review-comment]', '请补充示范点现场照片和成效说明');
  await bureau.click('[data-test=return]');
  await bureau.locator('[data-test=state]', { hasText: '已退回' }).waitFor();

  await unit.reload();
  await unit.locator('[data-test=state]', { hasText: '已退回' }).waitFor();
  await unit.locator('[data-test=history]').getByText('请补充示范点现场照片').waitFor();
  await unit.click('[data-test=kind-final]');
  await unit.fill('[data-test=report-body]', '补充现场照片两张，示范点已挂牌运行。');
  await unit.setInputFiles('[data-test=report-files]', { name: '现场.png', mimeType: 'image/png', buffer: png });
  await unit.click('[data-test=submit-report]');
  await unit.locator('[data-test=state]', { hasText: '待审核' }).waitFor();

  await bureau.reload();
  await bureau.click('[data-test=accept]');
  await bureau.locator('[data-test=state]', { hasText: '已通过' }).waitFor();
  const kinds = await bureau.locator('[data-test=history] .el-timeline-item b').allTextContents();
  assert.deepEqual(kinds, ['完成上报', '退回', '完成上报', '审核通过']);

  await bureau.goto(srv.base + `/#/plans/${plan.id}?tab=matrix`);
  const cell = bureau.locator(`[data-test=matrix] td.cell[data-org="${hy01.id}"]`);
  await cell.waitFor();
  assert.match(await cell.getAttribute('class'), /accepted/);
  assert.equal((await cell.textContent()).trim(), '已通过');
  await bureau.locator('[data-test=matrix] tr.sum').getByText('党建引领示范点：1 / 2 个').waitFor();
  await shot(bureau, 'matrix');
});
