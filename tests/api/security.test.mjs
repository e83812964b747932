// security.test.mjs — logins that tell an attacker nothing and hold under
// parallel guesses, and personal data that no search turns into an oracle.
// Real HTTP against a real database (SQLite, or PostgreSQL with DJ_PG_URL).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { freshDb, generate, startServer, Client, loginAs, idCard, PASSWORD } from '../lib/server.mjs';

let db, srv, srv2, admin, rootId;

// Settings have no route yet: the test writes them as an operator would.
function sql(statement) {
  const r = process.env.DJ_PG_URL
    ? spawnSync('psql', [db.url, '-qAtc', statement], { encoding: 'utf8' })
    : spawnSync('sqlite3', [db.url, statement], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${statement}: ${r.stderr}`);
  return r.stdout.trim();
}
const setting = (key, value) => sql(`UPDATE setting SET value = '${value}' WHERE key = '${key}'`);

async function addUser(username, extra = {}) {
  const r = await admin.post('/users', { username, display_name: username, password: PASSWORD, role: 'org_admin',
    org_id: rootId, ...extra });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.id;
}
const details = (item) => (typeof item.after_json === 'string' ? JSON.parse(item.after_json) : item.after_json);
async function auditOf(action, user) {
  const r = await admin.get(`/audit?action=${action}&size=200` + (user ? `&user=${user}` : ''));
  assert.equal(r.status, 200);
  return r.body.items.filter((i) => i.action === action);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function timed(fn) { const t = process.hrtime.bigint(); const r = await fn(); return [r, Number(process.hrtime.bigint() - t) / 1e6]; }

before(async () => {
  db = freshDb('security');
  generate(db);
  srv = await startServer(db);
  srv2 = await startServer(db);	// a second server on the same database
  admin = await loginAs(srv.base, 'admin');
  rootId = (await admin.get('/orgs/tree')).body[0].id;
});
after(async () => { await srv.stop(); await srv2.stop(); });

describe('logins', () => {
  it('checks at most 5 of 16 parallel wrong guesses on two servers, then refuses the right password', async () => {
    await addUser('lock1');
    const guesses = Array.from({ length: 16 }, (_, i) =>
      new Client(i % 2 ? srv2.base : srv.base).login('lock1', `wrong-guess-${i}`));
    const rs = await Promise.all(guesses);
    for (const r of rs) assert.equal(r.status, 401);
    const right = await new Client(srv.base).login('lock1');
    assert.equal(right.status, 401, 'the lock holds for the right password');
    assert.equal(right.body.error, rs[0].body.error);
    const failed = await auditOf('session.login_failed', 'lock1');
    assert.equal(failed.length, 17, 'every refused try is recorded');
    const checked = failed.filter((i) => details(i).reason === 'password').length;
    assert.equal(checked, 5, 'exactly the first 5 tries were checked against the password');
    assert.ok(failed.every((i) => !JSON.stringify(i).includes('wrong-guess')), 'no guess is recorded');
  });

  it('answers a disabled or locked account as a wrong password, in the same time', async () => {
    await addUser('wp1');
    const disId = await addUser('dis1');
    assert.equal((await admin.patch(`/users/${disId}`, { disabled: true })).status, 200);
    const kinds = {
      'unknown user': () => new Client(srv.base).login('nobody-at-all', PASSWORD),
      'wrong password': () => new Client(srv.base).login('wp1', 'not-the-password-1'),
      'disabled (right password)': () => new Client(srv.base).login('dis1'),
      'locked (right password)': () => new Client(srv.base).login('lock1'),
    };
    const times = {};
    let first;
    for (const [kind, fn] of Object.entries(kinds)) {
      times[kind] = [];
      for (let i = 0; i < 4; i++) {	// 4 wrong passwords stay under the lock
        const [r, ms] = await timed(fn);
        assert.equal(r.status, 401, kind);
        assert.ok(!r.headers.get('set-cookie'), kind);
        first ??= r.body;
        assert.deepEqual(r.body, first, kind);
        times[kind].push(ms);
      }
    }
    const med = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
    console.log('login answer times, median ms:', JSON.stringify(med));
    const slowest = Math.max(...Object.values(med));
    // A path that skipped the password hash would answer in a small fraction of the time.
    for (const [k, v] of Object.entries(med)) assert.ok(v > slowest / 4, `${k}: ${v} ms vs ${slowest} ms`);
  });

  it('refuses a login that is not JSON, and one from a foreign Origin', async () => {
    const post = (headers, body) => fetch(srv.base + '/api/v1/session', { method: 'POST', headers, body });
    const creds = JSON.stringify({ username: 'admin', password: PASSWORD });
    let r = await post({ 'Content-Type': 'text/plain' }, creds);
    assert.equal(r.status, 415);
    assert.ok(!r.headers.get('set-cookie'));
    let b = await r.json();
    assert.equal(b.field, 'Content-Type');
    assert.ok(b.error);
    r = await post({ 'Content-Type': 'application/x-www-form-urlencoded' }, `username=admin&password=${PASSWORD}`);
    assert.ok(r.status === 400 || r.status === 415, String(r.status));
    assert.ok((await r.json()).error);

    r = await post({ 'Content-Type': 'application/json', Origin: 'http://evil.example' }, creds);
    assert.equal(r.status, 403);
    assert.ok(!r.headers.get('set-cookie'));
    b = await r.json();
    assert.equal(b.field, 'Origin');
    r = await post({ 'Content-Type': 'application/json', Origin: 'null' }, creds);
    assert.equal(r.status, 403);
    r = await post({ 'Content-Type': 'application/json', Origin: `http://127.0.0.1:${srv.port + 1}` }, creds);
    assert.equal(r.status, 403, 'another port is another origin');
    r = await post({ 'Content-Type': 'application/json', Origin: srv.base }, creds);
    assert.equal(r.status, 200, 'the server\'s own origin');
    r = await post({ 'Content-Type': 'application/json; charset=utf-8' }, creds);
    assert.equal(r.status, 200, 'no Origin: a command-line client');

    // Behind a proxy the public address is set, and only it is accepted.
    setting('http.public_origin', 'https://dj.example.cn');
    try {
      r = await post({ 'Content-Type': 'application/json', Origin: srv.base }, creds);
      assert.equal(r.status, 403);
      r = await post({ 'Content-Type': 'application/json', Origin: 'https://dj.example.cn' }, creds);
      assert.equal(r.status, 200);
    } finally {
      setting('http.public_origin', '');
    }
  });
});

describe('personal data', () => {
  let zhibu, branchId, mine, outside;
  before(async () => {
    zhibu = await loginAs(srv.base, 'zhibu');
    branchId = (await zhibu.get('/session')).body.user.org_id;
    mine = { id_card: idCard('19850312', 321), phone: '13912340001' };
    outside = { id_card: idCard('19790101', 322), phone: '13912340002' };
    const other = (await admin.get('/orgs?size=200')).body.items
      .find((o) => o.id !== branchId && /branch/.test(o.kind) && o.status === 'active');
    for (const [m, org, name] of [[mine, branchId, '本支部'], [outside, other.id, '外支部']]) {
      const r = await admin.post('/members', { org_id: org, name, join_date: '2010-07-01', full_date: '2011-07-01',
        status: 'full', ...m });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      m.member = r.body.id;
    }
  });

  it('lists 身份证号 by their last 4 only and phones as 3+4', async () => {
    const r = await zhibu.get(`/members?org=${branchId}&size=200`);
    assert.equal(r.status, 200);
    assert.ok(r.body.items.length > 1);
    for (const m of r.body.items) {
      if (m.id_card !== null) assert.match(m.id_card, /^\*{14}[0-9X]{4}$/);
      if (m.phone !== null) assert.match(m.phone, /^\d{3}\*{4}\d{4}$/);
    }
    const one = (await zhibu.get(`/members/${mine.member}`)).body;
    assert.equal(one.id_card, '*'.repeat(14) + mine.id_card.slice(-4));
    assert.equal(one.phone, '139****0001');
    assert.ok(!JSON.stringify(r.body).includes(mine.id_card.slice(0, 6)));
  });

  it('audits the "already registered" answer on create and import, without the number', async () => {
    const r = await zhibu.post('/members', { org_id: branchId, name: '重复登记', join_date: '2010-07-01',
      full_date: '2011-07-01', status: 'full', id_card: outside.id_card });
    assert.equal(r.status, 409);
    assert.match(r.body.error, /其他党组织/);
    assert.ok(!r.body.error.includes('外支部'), 'the other org\'s member is not named');
    const dup = await auditOf('member.duplicate', 'zhibu');
    assert.equal(dup.length, 1);
    assert.equal(dup[0].entity_id, outside.member);
    assert.equal(details(dup[0]).masked, '*'.repeat(14) + outside.id_card.slice(-4));
    assert.ok(!JSON.stringify(dup).includes(outside.id_card));

    const csv = ['姓名,性别,身份证号,入党日期,党员类别,转正日期,联系电话',
      `再次导入,,${outside.id_card},2005-07-01,正式党员,2006-07-01,`].join('\n');
    const imp = await zhibu.req('POST', `/members/import?org=${branchId}&dry_run=1`, csv);
    assert.equal(imp.status, 400);
    assert.match(imp.body.details[0].message, /已登记/);
    const audits = await auditOf('member.import_duplicate', 'zhibu');
    assert.equal(audits.length, 1, 'recorded though the import was refused and rolled back');
    assert.equal(details(audits[0]).rows, 1);
    assert.ok(!JSON.stringify(audits).includes(outside.id_card));
  });

  it('audits each exact search and limits them per account and hour, across servers', async () => {
    // The window is the clock's hour: keep clear of its end so the count stays in one window.
    const left = 3600e3 - (Date.now() % 3600e3);
    if (left < 30e3) await new Promise((r) => setTimeout(r, left + 1000));
    setting('auth.exact_search_per_hour', '3');
    const hangye = await loginAs(srv.base, 'hangye');
    const hangye2 = await loginAs(srv2.base, 'hangye');
    for (const [c, q] of [[hangye, mine.id_card], [hangye2, mine.phone], [hangye, outside.id_card]]) {
      const r = await c.get('/members?q=' + q);
      assert.equal(r.status, 200, JSON.stringify(r.body));
    }
    const over = await hangye2.get('/members?q=' + mine.id_card.toLowerCase());
    assert.equal(over.status, 429, JSON.stringify(over.body));
    assert.equal(over.body.field, 'q');
    assert.match(over.body.error, /每小时最多3次/);
    assert.equal((await hangye.get('/members?q=' + outside.phone)).status, 429, 'the other server counts too');
    assert.equal((await hangye.get('/members?q=' + encodeURIComponent('本支部'))).status, 200, 'a name search is not limited');
    assert.equal((await admin.get('/members?q=' + mine.id_card)).body.total, 1, 'another account has its own count');
    assert.equal((await admin.get('/members?q=' + mine.id_card)).body.total, 1);
    assert.equal((await auditOf('member.exact_search', 'admin')).length, 2, 'a repeated search is no cached answer');

    const audits = await auditOf('member.exact_search', 'hangye');
    assert.equal(audits.length, 5, 'one record per exact search, refused ones included');
    assert.deepEqual(audits.map((a) => details(a).refused).reverse(), [false, false, false, true, true]);
    assert.deepEqual(audits.map((a) => details(a).field).reverse(), ['id_card', 'phone', 'id_card', 'id_card', 'phone']);
    assert.equal(details(audits[4]).masked, '*'.repeat(14) + mine.id_card.slice(-4));
    assert.equal(details(audits[3]).masked, '139****0001');
    const text = JSON.stringify(audits);
    for (const v of [mine.id_card, mine.phone, outside.id_card, outside.phone]) assert.ok(!text.includes(v), v);
    setting('auth.exact_search_per_hour', '20');
    assert.equal((await hangye.get('/members?q=' + mine.phone)).status, 200, 'the limit is read at each search');
  });
});
