// member_roster.test.mjs — the roster's movements in a real Chromium: the
// transfers page with its letters and receipts (a receipt recorded through
// the dialog), the mobile members with home and host, and the members who
// left.  The day is pinned; screenshots go to DJ_SHOTS when it is set.
import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { freshDb, generate, startServer, loginAs, PASSWORD } from '../lib/server.mjs';

const env = { DANGJIAN_TODAY: '2026-06-15' };
let db, srv, browser;

before(async () => {
  db = freshDb('roster-ui');
  generate(db, 'demo', { env });
  srv = await startServer(db, { env });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'] });
});
after(async () => { await browser?.close(); await srv.stop(); });

async function shot(page, name) {
  if (process.env.DJ_SHOTS) await page.screenshot({ path: path.join(process.env.DJ_SHOTS, name + '.png'), fullPage: true });
}

it('shows transfers with letters and receipts, records a receipt, and lists mobile members and those who left', async () => {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(srv.base + '/#/login');
  await page.fill('input[name=username]', 'admin');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL(/#\/(?!login)/);

  await page.goto(srv.base + '/#/transfers');
  await page.getByText('转往平台外').first().waitFor();
  assert.ok(await page.getByText('回执逾期').count() > 0, 'an overdue receipt is marked');
  await shot(page, 'transfers');
  const row = page.locator('.el-table__row', { hasText: '待回执' }).first();
  const name = (await row.locator('td').first().innerText()).trim();
  // At 1366 wide the 操作 column stays on screen (fixed at the right).
  await page.setViewportSize({ width: 1366, height: 900 });
  await page.waitForTimeout(300);
  const box = await row.getByText('登记回执').boundingBox();
  assert.ok(box && box.x + box.width <= 1366, `登记回执 on screen at 1366: ${JSON.stringify(box)}`);
  await row.getByText('登记回执').click();
  const dlg = page.locator('.el-dialog', { hasText: '登记介绍信回执' });
  await dlg.getByRole('button', { name: '登记' }).click();
  await dlg.waitFor({ state: 'hidden' });
  await page.locator('.el-table__row', { hasText: name }).getByText('回执已收回').waitFor();

  await page.goto(srv.base + '/#/mobile');
  await page.getByText('流动党员党支部').first().waitFor();
  await shot(page, 'mobile');
  await page.goto(srv.base + '/#/member-ends');
  await page.getByText('原所在党组织').waitFor();
  // The header shows before the rows have loaded: wait for the first one.
  await page.locator('.el-table__row').first().waitFor();
  await page.getByRole('button', { name: '办理党籍终止' }).click();
  const dlg2 = page.locator('.el-dialog', { hasText: '不会删除' });
  await dlg2.waitFor();
  await shot(page, 'member-ends');
  // 取消预备党员资格 is a reason for a 预备党员 only (one whose name no one else bears).
  const admin = await loginAs(srv.base, 'admin');
  async function alone(status) {
    for (const m of (await admin.get(`/members?status=${status}&size=50`)).body.items)
      if ((await admin.get(`/members?q=${encodeURIComponent(m.name)}&size=5`)).body.total === 1) return m;
    throw new Error('no member of a name of their own: ' + status);
  }
  async function reasonsFor(m) {
    await dlg2.locator('.el-form-item', { hasText: '党员' }).first().locator('input').fill(m.name);
    await page.locator('.el-select-dropdown__item:visible', { hasText: m.name }).first().click();
    await page.locator('.el-select-dropdown__item:visible', { hasText: m.name }).first().waitFor({ state: 'hidden' });
    await page.waitForTimeout(300);	// the pick asks whether they are in the pipeline
    await dlg2.locator('.el-form-item', { hasText: '原因' }).locator('.el-select').click();
    const items = page.locator('.el-select-dropdown__item:visible');
    await items.first().waitFor();
    const out = await items.allInnerTexts();
    await dlg2.locator('.el-dialog__title').click();	// closes the list (Escape would close the dialog)
    await items.first().waitFor({ state: 'hidden' });
    return out.map((x) => x.trim());
  }
  // A 预备党员 the pipeline admitted: no 取消预备党员资格 here, a hint and a link to their pipeline page instead.
  const live = (await admin.get('/develop/people?status=probationary&size=100')).body.items;
  let pp = null;
  for (const x of live)
    if ((await admin.get(`/members?q=${encodeURIComponent(x.name)}&size=5`)).body.total === 1) { pp = x; break; }
  assert.ok(pp, 'a pipeline 预备党员 of a name of their own');
  const piped = await reasonsFor({ name: pp.name });
  assert.ok(!piped.includes('取消预备党员资格') && piped.includes('死亡'), piped.join(','));
  const hint = dlg2.locator('[data-test=piped-hint]');
  await hint.waitFor();
  assert.match(await hint.innerText(), /“发展党员”中该人员的页面/);
  assert.ok(!(await hint.innerText()).includes('/develop'), 'no API path');
  await shot(page, 'member-ends-piped');
  // One who came without the pipeline (typed in): 取消预备党员资格 is offered.
  const typed = (await admin.post('/members', { org_id: pp.org_id, name: '名册预备甲', gender: 'female', birth_date: '1997-03-02',
    join_date: '2026-01-10', status: 'probationary' })).body;
  const prob = await reasonsFor(typed);
  assert.ok(prob.includes('取消预备党员资格') && prob.includes('死亡'), prob.join(','));
  assert.equal(await hint.count(), 0);
  const full = await reasonsFor(await alone('full'));
  assert.ok(!full.includes('取消预备党员资格') && full.includes('死亡'), full.join(','));
  assert.ok(!prob.includes('上级党委未批准接收为预备党员'));
  // The hint's link opens the person's pipeline page.
  await reasonsFor({ name: pp.name });
  await hint.locator('[data-test=piped-link]').click();
  await page.waitForURL(new RegExp(`#/develop/people/${pp.id}$`));
  await page.close();
});

// A field's error stays readable under its field (the note below does not
// cover it), on a desktop and on a phone: the branch may not cancel a
// 预备党员's qualification (the 上级党委 decides), which is the 原因's error.
for (const [w, h] of [[1366, 900], [390, 844]]) {
  it(`the 原因's error is not covered at ${w} px`, async () => {
    const page = await browser.newPage({ viewport: { width: w, height: h } });
    await page.goto(srv.base + '/#/login');
    await page.fill('input[name=username]', 'zhibu');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(/#\/(?!login)/);
    const zhibu = await loginAs(srv.base, 'zhibu');
    const org = (await zhibu.get('/session')).body.user.org_id;
    const name = `名册预备${w}`;
    const r = await zhibu.post('/members', { org_id: org, name, gender: 'male', birth_date: '1996-05-02', join_date: '2026-02-10',
      status: 'probationary' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    await page.goto(srv.base + '/#/member-ends');
    await page.getByRole('button', { name: '办理党籍终止' }).click();
    const dlg = page.locator('.el-dialog', { hasText: '不会删除' });
    await dlg.waitFor();
    await dlg.locator('.el-form-item', { hasText: '党员' }).first().locator('input').fill(name);
    await page.locator('.el-select-dropdown__item:visible', { hasText: name }).first().click();
    await page.locator('.el-select-dropdown__item:visible', { hasText: name }).first().waitFor({ state: 'hidden' });
    await page.waitForTimeout(300);
    await dlg.locator('.el-form-item', { hasText: '原因' }).locator('.el-select').click();
    await page.locator('.el-select-dropdown__item:visible', { hasText: '取消预备党员资格' }).click();
    await dlg.locator('textarea').fill('不履行党员义务');
    await dlg.locator('.el-form-item', { hasText: '批复文号' }).locator('input').fill('机党发〔2026〕9号');
    await dlg.getByRole('button', { name: '确认终止' }).click();
    const err = dlg.locator('.el-form-item__error', { hasText: '上级党委' });
    await err.waitFor();
    const eb = await err.boundingBox(), nb = await dlg.locator('.cancel-note').boundingBox();
    assert.ok(eb.y + eb.height <= nb.y, `the error (${JSON.stringify(eb)}) above the note (${JSON.stringify(nb)})`);
    assert.ok(eb.x >= 0 && eb.x + eb.width <= w);
    await shot(page, `member-ends-error-${w}`);
    await page.close();
  });
}
