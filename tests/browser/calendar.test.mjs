// calendar.test.mjs — the 组织生活 calendar in Debian's Chromium opens on the
// user's own subtree: an administrator (whose account has no org) sees the
// root org with the activities of every org below it, not an empty month.
import { it, before, after } from 'node:test';
import { chromium } from 'playwright-core';
import { freshDb, generate, startServer, PASSWORD, loginAs, today as serverToday } from '../lib/server.mjs';

let db, srv, browser, admin, root, act;
// The calendar opens on the server's month; the activity is put on that day,
// planned, so this holds on any date.
const today = serverToday();
const TOPIC = '日历测试主题党日';

before(async () => {
  db = freshDb('ui-cal');
  generate(db);
  srv = await startServer(db);
  admin = await loginAs(srv.base, 'admin');
  root = (await admin.get('/orgs/tree')).body[0];
  const branch = (await admin.get('/orgs?q=JT-HY0101')).body.items.find((o) => o.code === 'JT-HY0101');
  act = await admin.post('/activities', { org_id: branch.id, kind: 'theme_day', status: 'planned', on_date: today, topic: TOPIC });
  if (act.status !== 201) throw new Error(JSON.stringify(act.body));
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'] });
});
after(async () => { await browser?.close(); await srv.stop(); });

it('opens an administrator\'s calendar on the root org with its whole subtree', async () => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 860 } });
  await page.goto(srv.base + '/#/login');
  await page.fill('input[name=username]', 'admin');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.locator('[data-stat=life-held] .value').waitFor();
  await page.goto(srv.base + '/#/life');
  await page.locator(`.cal-item[title*="${TOPIC}"]`).first().waitFor({ state: 'attached' });
  await page.locator('.el-table__row', { hasText: TOPIC }).waitFor();
  // The org picker names the root org.
  await page.locator('.toolbar .el-select', { hasText: root.name }).waitFor();
});
