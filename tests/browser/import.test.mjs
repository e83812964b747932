// import.test.mjs — the import wizard in Debian's Chromium: a RuoYi-style
// roster shows its detected mapping with a preview; a column changed by the
// user is what the dry run uses.
import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { freshDb, generate, startServer, PASSWORD, root } from '../lib/server.mjs';

let db, srv, browser, page;
before(async () => {
  db = freshDb('uiimport');
  generate(db);
  srv = await startServer(db);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'] });
  page = await browser.newPage({ viewport: { width: 1366, height: 860 } });
  await page.goto(srv.base + '/#/login');
  await page.fill('input[name=username]', 'admin');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.locator('[data-stat=members] .value').waitFor();
});
after(async () => { await browser?.close(); await srv.stop(); });

it('shows the detected mapping with a preview and lets the user change a column before the dry run', async () => {
  await page.goto(srv.base + '/#/import');
  await page.locator('.el-select').first().click();
  await page.keyboard.type('机关党总支');
  await page.locator('.el-select-dropdown__item', { hasText: '公路事业发展中心机关党总支' }).first().click();
  await page.setInputFiles('input[data-test=file]', path.join(root, 'tests/fixtures/roster_ruoyi.xlsx'));
  const table = page.locator('.import-mapping');
  await table.waitFor();
  const text = await table.innerText();
  assert.match(text, /表头|列名/);
  assert.match(text, /若甲/);		// the preview
  assert.match(text, /1985\.10/);
  assert.match(await page.locator('.section-title', { hasText: '列映射' }).innerText(), /第 3 行/);
  // 党员类别 (column G) set to ignored: the dry run now misses a required column.
  await page.locator('[data-column=G]').first().click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: '（忽略）' }).first().click();
  await page.getByText('未找到必填列：党员类别').waitFor();
  await page.getByRole('button', { name: '仅校验' }).click();
  const errors = page.locator('.import-errors');
  await errors.waitFor();
  assert.match(await errors.innerText(), /缺少必填列“党员类别”/);
  // Back to 党员类别: the dry run passes.
  await page.locator('[data-column=G]').first().click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: '党员类别' }).first().click();
  await page.getByRole('button', { name: '仅校验' }).click();
  await page.getByText('校验通过：共 2 行').waitFor();
  fs.mkdirSync(db.dir, { recursive: true });
  await page.screenshot({ path: path.join(db.dir, 'import-mapping.png') });
});
