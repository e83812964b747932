// figures.test.mjs — figures, menu and 待办 in Debian's Chromium: the menu is
// the server's /nav for each role; a dashboard number opens its figure page,
// whose record count is that number; a record opens its own page; the bell
// counts the user's 待办 and opens the 待办 page.  DJ_SHOTS=DIR keeps
// screenshots of the dashboard, a figure page and the 待办 page there.
import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { freshDb, generate, startServer, PASSWORD, loginAs } from '../lib/server.mjs';

let db, srv, browser;
const shots = process.env.DJ_SHOTS || '';

// A day well inside a month, so "this month" has meetings held already
// whatever day the suite runs on (on the 1st it may have none yet).
const env = { DANGJIAN_TODAY: '2026-03-18' };

before(async () => {
  db = freshDb('ui-figures');
  generate(db, 'demo', { env });
  srv = await startServer(db, { env });
  if (shots) fs.mkdirSync(shots, { recursive: true });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'] });
});
after(async () => { await browser?.close(); await srv.stop(); });

async function open(username, viewport = { width: 1366, height: 860 }) {
  const ctx = await browser.newContext({ viewport });
  const page = await ctx.newPage();
  await page.goto(srv.base + '/#/login');
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  return { ctx, page };
}
const shot = (page, name) => shots && page.screenshot({ path: path.join(shots, name), fullPage: true });
const num = (s) => Number(String(s).replace(/[^\d.]/g, ''));

it('shows each role the menu the server lists for it', async () => {
  for (const [user, has, lacks] of [['admin', '审计日志', null], ['jiguan', '统计数字', '审计日志'], ['dangyuan', '我的组织生活', '统计数字']]) {
    const nav = (await (await loginAs(srv.base, user)).get('/nav')).body.items;
    const { ctx, page } = await open(user);
    const menu = page.locator('.aside .el-menu-item');
    await menu.first().waitFor();
    await page.waitForFunction((n) => document.querySelectorAll('.aside .el-menu-item').length === n, nav.length);
    assert.deepEqual((await menu.allInnerTexts()).map((t) => t.trim()), nav.map((e) => e.label), user);
    assert.ok(nav.some((e) => e.label === has), `${user} sees ${has}`);
    if (lacks) assert.ok(!nav.some((e) => e.label === lacks), `${user} does not see ${lacks}`);
    await ctx.close();
  }
});

it('a dashboard number opens its figure page, whose records are that many, and a record opens its page', async () => {
  const { ctx, page } = await open('admin');
  const held = page.locator('[data-stat=life-held] .value');
  await page.waitForFunction(() => /\d/.test(document.querySelector('[data-stat=life-held] .value')?.textContent || ''));
  await page.waitForFunction(() => document.querySelectorAll('[data-stat] .value').length >= 10);
  await page.waitForTimeout(500);	// the pie chart's animation
  await shot(page, 'dashboard.png');
  const n = num(await held.innerText());
  assert.ok(n > 0, 'the demo holds activities this month');

  await page.click('[data-stat=life-held]');
  await page.waitForURL(/#\/figures\/life\.activity\.count\?/);
  await page.locator('[data-test=figure-value]').waitFor();
  assert.equal(num(await page.locator('[data-test=figure-value]').innerText()), n);
  const heading = page.locator('[data-test=records-head]');
  await page.waitForFunction(() => document.querySelectorAll('[data-test=records] tbody tr').length > 0);
  assert.equal(num((await heading.innerText()).match(/记录（(\d+)）/)[1]), n, 'the record count is the dashboard number');
  assert.ok(await page.locator('[data-test=breakdown]').isVisible(), 'activities by kind');
  await shot(page, 'figure.png');

  // A record of kind activity opens the activity.
  const first = page.locator('[data-test=records] [data-test=record-link]').first();
  const title = (await first.innerText()).trim();
  await first.click();
  await page.waitForURL(/#\/life\/activity\/\d+$/);
  await page.getByText(title).first().waitFor();

  // A ratio: 出勤率 shows numerator and denominator, and the denominator's records.
  await page.goto(srv.base + '/#/');
  await page.click('[data-stat=life-rate]');
  await page.locator('[data-test=ratio]').waitFor();
  const den = num(await page.locator('[data-test=part-den]').innerText());
  await page.click('[data-test=part-den]');
  await page.waitForFunction((d) => [...document.querySelectorAll('[data-test=records-head]')]
    .some((h) => h.textContent.includes(`记录（${d}）`) && h.textContent.includes('分母')), den);

  // A member count: its records open members.
  await page.goto(srv.base + '/#/');
  const members = num(await page.locator('[data-stat=members] .value').innerText());
  await page.click('[data-stat=members]');
  await page.waitForFunction((m) => [...document.querySelectorAll('[data-test=records-head]')].some((h) => h.textContent.includes(`记录（${m}）`)), members);
  const name = (await page.locator('[data-test=record-link]').first().innerText()).trim();
  await page.locator('[data-test=record-link]').first().click();
  await page.waitForURL(/#\/members\/\d+$/);
  await page.locator('.head h2', { hasText: name }).waitFor();

  // 上月未落实 and 本月待开展: figures like the others, whose records are the
  // orgs (and their meetings) concerned, each opening the org.
  for (const [stat, id] of [['life-dues', 'life.pending.count'], ['life-behind', 'life.behind_last_month.count']]) {
    await page.goto(srv.base + '/#/');
    await page.waitForFunction((s) => /\d/.test(document.querySelector(`[data-stat=${s}] .value`)?.textContent || ''), stat);
    const card = num(await page.locator(`[data-stat=${stat}] .value`).innerText());
    assert.equal(card, (await (await loginAs(srv.base, 'admin')).get('/figures/' + id)).body.value, stat);
    await page.click(`[data-stat=${stat}]`);
    await page.waitForURL(new RegExp('#/figures/' + id.replace(/\./g, '\\.')));
    await page.locator('[data-test=figure-value]').waitFor();
    assert.equal(num(await page.locator('[data-test=figure-value]').innerText()), card, stat);
    if (!card) continue;
    await page.waitForFunction((c) => [...document.querySelectorAll('[data-test=records-head]')].some((h) => h.textContent.includes(`记录（${c}）`)), card);
    await page.locator('[data-test=record-link]').first().click();
    await page.waitForURL(/#\/orgs\/\d+$/);
  }
  await ctx.close();
});

it('a new module\'s figure page reads in Chinese and money in 元; a transfer record opens the transfers list', async () => {
  const { ctx, page } = await open('admin');
  await page.goto(srv.base + '/#/figures/dues.paid.amount?from=2026-01-01&to=2026-03-18');
  await page.waitForFunction(() => document.querySelectorAll('[data-test=records] tbody tr').length > 0);
  const heads = (await page.locator('[data-test=records] thead th').allInnerTexts()).map((t) => t.trim()).filter(Boolean);
  assert.ok(heads.includes('金额（元）') && heads.includes('缴纳方式'), heads.join(','));
  assert.deepEqual(heads.filter((h) => /[A-Za-z_]/.test(h)), [], 'no raw key in the header');
  assert.match(await page.locator('[data-test=figure-value]').innerText(), /^[\d,]+\.\d\d$/, 'yuan with two decimals');
  assert.equal((await page.locator('.fig-big small').innerText()).trim(), '元');
  const cells = await page.locator('[data-test=records] tbody tr').first().locator('td').allInnerTexts();
  assert.ok(!cells.some((c) => /^(cash|wechat|payroll|bank|alipay)$/.test(c.trim())), cells.join('|'));

  // A transfer: the record links to the transfers list, filtered to its member with the transfer marked.
  const c = await loginAs(srv.base, 'admin');
  const q = 'from=2000-01-01&to=2026-03-18';
  let id;
  for (const f of ['member.transfer_out.count', 'member.transfer_in.count']) {
    if ((await c.get(`/figures/${f}/records?${q}`)).body.total > 0) { id = f; break; }
  }
  assert.ok(id, 'the demo has a transfer');
  await page.goto(srv.base + `/#/figures/${id}?${q}`);
  const link = page.locator('[data-test=records] [data-test=record-link]').first();
  await link.waitFor();
  await link.click();
  await page.waitForURL(/#\/transfers\?id=\d+$/);
  await page.locator('[data-test=transfers] tr.tr-hl').first().waitFor();
  await page.locator('[data-test=transfer-only]').waitFor();
  await ctx.close();
});

it('figure pages read in Chinese: no raw key in a column or a breakdown; an org change opens the org it happened to', async () => {
  const { ctx, page } = await open('admin');
  const c = await loginAs(srv.base, 'admin');
  const year = 'from=2025-03-19&to=2026-03-18';
  for (const [id, q] of [['org.election_due.count', 'on=2026-03-18'], ['org.change.count', year], ['life.pending.count', 'on=2026-03-18'],
    ['task.task.count', year], ['life.first_topic.count', year], ['life.study_item.count', year]]) {
    const recs = (await c.get(`/figures/${id}/records?${q}`)).body;
    await page.goto(srv.base + `/#/figures/${id}?${q}`);
    await page.locator('[data-test=figure-value]').waitFor();
    if (!recs.total) continue;
    await page.waitForFunction(() => document.querySelectorAll('[data-test=records] tbody tr').length > 0);
    const heads = (await page.locator('[data-test=records] thead th').allInnerTexts()).map((t) => t.trim()).filter(Boolean);
    assert.deepEqual(heads.filter((h) => /[A-Za-z_]/.test(h)), [], `${id}: no raw key in the header: ${heads}`);
    const cells = (await page.locator('[data-test=records] tbody td').allInnerTexts()).map((t) => t.trim());
    assert.deepEqual(cells.filter((t) => /^[a-z_]+$/.test(t)), [], `${id}: no raw code in a cell`);
    if (await page.locator('[data-test=breakdown]').isVisible()) {
      const keys = (await page.locator('[data-test=breakdown] tbody tr td:first-child').allInnerTexts()).map((t) => t.trim());
      assert.deepEqual(keys.filter((k) => /[A-Za-z_]/.test(k)), [], `${id}: breakdown keys in Chinese: ${keys}`);
    }
    assert.ok(!/[a-z]{3,}/.test(await page.locator('.fig-meta .muted').last().innerText()), `${id}: the note has no raw key`);
    if (id === 'org.change.count') {
      const href = await page.locator('[data-test=records] [data-test=record-link]').first().getAttribute('href');
      assert.equal(href, '#/orgs/' + recs.items[0].org_id, 'an org change opens its org');
    }
  }
  await ctx.close();
});

it('the bell counts the user\'s 待办 and opens the 待办 page', async () => {
  for (const user of ['jiguan', 'dangyuan']) {
    const todos = (await (await loginAs(srv.base, user)).get('/todos')).body;
    const { ctx, page } = await open(user, user === 'dangyuan' ? { width: 390, height: 844 } : undefined);
    const bell = page.locator('[data-test=bell]');
    await bell.waitFor();
    if (todos.total > 0) {
      await page.waitForFunction((t) => document.querySelector('[data-test=bell] sup')?.textContent.trim() === String(t > 99 ? '99+' : t), todos.total);
    } else {
      assert.equal(await bell.locator('sup').isVisible(), false, 'no count when nothing is due');
    }
    if (user === 'dangyuan') {
      await page.locator('[data-test=my-todos]').waitFor();	// the member's landing page has its 待办
      await shot(page, 'mylife.png');
    }
    await bell.locator('button').click();
    await page.waitForURL(/#\/todos$/);
    await page.locator('[data-test=todos]').waitFor();
    await page.waitForFunction((t) => document.querySelectorAll('[data-test=todos] [data-test=todo]').length === t, todos.total);
    if (user === 'jiguan') await shot(page, 'todos.png');
    const tags = (await page.locator('[data-test=todos] [data-test=todo] .el-tag').allInnerTexts()).map((t) => t.trim());
    assert.deepEqual(tags.filter((t) => /^[a-z_]+$/.test(t)), [], `${user}: every 待办 names its module in Chinese`);
    if (todos.total > 0) {
      await page.locator('[data-test=todo]').first().click();
      await page.waitForURL((u) => !u.hash.startsWith('#/todos'));
      assert.equal(new URL(page.url()).hash, '#' + todos.items[0].link.replace(/^#/, ''));
    }
    await ctx.close();
  }
});
