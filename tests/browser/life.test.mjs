// life.test.mjs — organizational life in Debian's Chromium: create a 支部委员会
// meeting, open QR sign-in, sign in as a member on a phone-sized screen, and
// see the month turn green in the compliance view.
import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { freshDb, generate, startServer, PASSWORD, idCard, loginAs, today as todayOf } from '../lib/server.mjs';

let db, srv, browser, admin, org, member;
const today = todayOf();
const month = today.slice(0, 7);

before(async () => {
  db = freshDb('ui-life');
  generate(db);
  srv = await startServer(db);
  admin = await loginAs(srv.base, 'admin');
  // A new 云支部 with a committee of three, whose only rule is a monthly committee meeting.
  const root = (await admin.get('/orgs/tree')).body[0];
  org = (await admin.post('/orgs', { code: 'UI-LIFE', name: '浏览器测试云支部', kind: 'cloud_branch', parent_id: root.id, founded_on: '2020-01-01' })).body;
  const ids = [];
  for (let i = 0; i < 3; i++) {
    const m = await admin.post('/members', { org_id: org.id, name: ['甲同志', '乙同志', '丙同志'][i], gender: 'male',
      id_card: idCard('19850101', 501 + 2 * i), join_date: '2010-07-01', status: 'full' });
    assert.equal(m.status, 201, JSON.stringify(m.body));
    ids.push(m.body.id);
  }
  const e = await admin.post(`/orgs/${org.id}/elections`, { elected_on: '2024-01-10', how: 'elected', voters: 3, present: 3,
    officers: [{ member_id: ids[0], post: 'secretary' }, { member_id: ids[1], post: 'organization' }, { member_id: ids[2], post: 'propaganda' }] });
  assert.equal(e.status, 201, JSON.stringify(e.body));
  const u = await admin.post('/users', { username: 'yitongzhi', display_name: '乙同志', password: PASSWORD, role: 'member', org_id: org.id, member_id: ids[1] });
  assert.equal(u.status, 201, JSON.stringify(u.body));
  member = ids[1];
  const r = await admin.put('/life/rules', { org_kind: 'cloud_branch', rules: [{ activity_kind: 'committee_meeting', period: 'month' }] });
  assert.equal(r.status, 200);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'] });
});
after(async () => { await browser?.close(); await srv.stop(); });

async function login(page, username) {
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
}

it('records a committee meeting with QR sign-in from a phone, and the month turns green', async () => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 860 } });
  await page.goto(srv.base + '/#/login');
  await login(page, 'admin');
  await page.locator('[data-stat=life-held] .value').waitFor();

  const cell = () => page.locator(`td.cell[data-org="${org.id}"][data-month="${month}"]`);
  await page.goto(srv.base + `/#/compliance?org=${org.id}`);
  await cell().waitFor();
  assert.match(await cell().getAttribute('class'), /pending/, 'no committee meeting yet this month');

  await page.goto(srv.base + `/#/life?org=${org.id}`);
  await page.click('[data-test=new-activity]');
  const dlg = page.locator('.el-dialog');
  await dlg.locator('[data-test=kind]').click();
  await page.locator('.el-select-dropdown__item', { hasText: /^支部委员会$/ }).click();
  await dlg.locator('input[name=topic]').fill('11月支部委员会会议');
  await dlg.getByText('已开展').click();
  await dlg.locator('[data-test=save-activity]').click();
  await page.waitForURL(/#\/life\/activity\/\d+$/);
  await page.click('[data-test=open-signin]');
  await page.locator('[data-test=qr]').waitFor();
  const link = await page.locator('[data-test=signin-link]').getAttribute('href');
  assert.match(link, /#\/signin\/\d+\?t=[0-9a-f]{32}$/);
  const qr = await page.evaluate(async (src) => (await fetch(src)).text(), await page.locator('[data-test=qr]').getAttribute('src'));
  assert.match(qr, /^<svg/);

  // The member, on a phone: the link asks for a login, then signs in once.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const mp = await phone.newPage();
  await mp.goto(link);
  await mp.locator('input[name=username]').waitFor();
  await login(mp, 'yitongzhi');
  await mp.locator('[data-test=signin]').click();
  await mp.locator('[data-test=signed]').waitFor();
  const width = await mp.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the sign-in page fits a phone (${width}px)`);
  await phone.close();

  await page.reload();
  await page.locator('[data-test=counts]').waitFor();
  assert.match(await page.locator('[data-test=counts]').innerText(), /^3 \/ 1 \//, 'one of three present');
  const row = page.locator('[data-test=attendance] tr', { hasText: '乙同志' });
  await row.getByText('扫码').waitFor();

  await page.goto(srv.base + `/#/compliance?org=${org.id}`);
  await cell().waitFor();
  assert.match(await cell().getAttribute('class'), /\bok\b/, 'the month is green');
  await cell().click();
  await page.locator('[data-test=cell-detail]').getByText('11月支部委员会会议').waitFor();
  void member;
});
