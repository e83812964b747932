// first_contact.test.mjs — what a new user does first: `init` with an
// administrator, then `generate`; the demo generated up to a chosen day; the
// browser told the server's today.  Runs on SQLite and PostgreSQL.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { freshDb, cli, generate, startServer, Client, PASSWORD, loginAs, day } from '../lib/server.mjs';

const ROOT_PW = 'Root-pass-2026';

// One demo serves the first and the last test: generated after `init`, up to
// a day of its own (--today), so that generating once per engine is enough.
const DAY = '2025-03-15';
let first;
function generatedAfterInit() {
  if (first) return first;
  const db = freshDb('first');
  const rootPw = path.join(db.dir, 'root-pw');
  fs.writeFileSync(rootPw, ROOT_PW + '\n');
  const init = cli(['init', '--db', db.url, '--key', db.key, '--admin', 'root', '--password-file', rootPw]);
  assert.equal(init.code, 0, init.err);
  const gen = cli(['generate', '--db', db.url, '--key', db.key, '--scale', 'demo', '--password-file', db.pw,
    '--today', DAY]);
  assert.equal(gen.code, 0, gen.err + gen.out);
  first = { db, gen };
  return first;
}

it('generate after init keeps the administrator and its password, and says so', async () => {
  const { db, gen } = generatedAfterInit();
  assert.match(gen.out, /keeping the existing administrator "root"/);
  assert.doesNotMatch(gen.out, /^\s+admin\s/m, 'the demo admin account is not created');
  const srv = await startServer(db, { env: { DANGJIAN_TODAY: DAY } });
  try {
    const root = new Client(srv.base);
    assert.equal((await root.login('root', ROOT_PW)).status, 200, 'the administrator keeps its password');
    assert.equal((await new Client(srv.base).login('admin', PASSWORD)).status, 401, 'no second admin account');
    await loginAs(srv.base, 'jiguan');	// the demo's other accounts are there
    const orgs = await root.get('/orgs/tree');
    assert.ok(orgs.body.length > 0);
  } finally {
    await srv.stop();
  }
});

it('generate refuses a database that already holds a tree, at once and changing nothing', () => {
  const db = freshDb('again');
  generate(db);	// the suite's demo (copied when the suite keeps one)
  const t0 = Date.now();
  const again = cli(['generate', '--db', db.url, '--key', db.key, '--password-file', db.pw]);
  assert.equal(again.code, 2);
  assert.match(again.err, /already holds \d+ organizations/);
  assert.ok(Date.now() - t0 < 10000, 'refused before any work');
});

it('generate refuses an account that would clash with a demo account, before any work', () => {
  const db = freshDb('clash');
  assert.equal(cli(['init', '--db', db.url, '--key', db.key]).code, 0);
  assert.equal(cli(['user', 'add', '--db', db.url, '--key', db.key, '--username', 'jiguan', '--role', 'admin',
    '--password-file', db.pw]).code, 0);
  const gen = cli(['generate', '--db', db.url, '--key', db.key, '--password-file', db.pw]);
  assert.equal(gen.code, 2, gen.out + gen.err);
  assert.match(gen.err, /"jiguan" already exists/);
  const figures = cli(['figures', '--db', db.url, '--key', db.key, '--org', 'JT']);
  assert.equal(figures.code, 2, 'no tree was written');
});

it('generate --today writes history up to that day, and the server tells the browser its today', async () => {
  const { db } = generatedAfterInit();
  assert.equal(cli(['generate', '--db', freshDb('bad').url, '--today', '2025-02-30']).code, 2, 'a bad day is refused');
  const srv = await startServer(db, { env: { DANGJIAN_TODAY: DAY } });
  try {
    const root = new Client(srv.base);
    assert.equal((await root.login('root', ROOT_PW)).status, 200);
    const s = await root.get('/session');
    assert.equal(s.body.today, DAY);
    const later = await root.get(`/activities?from=${day(1, DAY)}&to=2026-12-31&subtree=1&size=5`);
    assert.equal(later.status, 200, JSON.stringify(later.body));
    assert.ok(later.body.items.every((a) => a.status !== 'held'), 'nothing was held after the generated day');
    const before = await root.get(`/activities?from=2025-01-01&to=${DAY}&subtree=1&size=5`);
    assert.ok(before.body.total > 0, 'history up to the day');
  } finally {
    await srv.stop();
  }
});
