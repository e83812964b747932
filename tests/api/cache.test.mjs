// cache.test.mjs — answers kept in memory are never stale: a write through
// the API, a write by another process (the command line), a disabled
// account, a logout each show on the very next request; users never see
// each other's kept answers; queries that differ never share one.  And a
// write ends only the answers that read what it wrote (db/db_scope.h).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { freshDb, generate, startServer, loginAs, cli, idCard } from '../lib/server.mjs';

let db, srv, admin, zhibu, branch;

before(async () => {
  db = freshDb('cache');
  generate(db);
  srv = await startServer(db);
  admin = await loginAs(srv.base, 'admin');
  zhibu = await loginAs(srv.base, 'zhibu');
  branch = (await zhibu.get('/session')).body.user.org_id;
});
after(async () => { await srv.stop(); });

const cached = (r) => r.headers.get('x-dangjian-cache') === 'hit';

describe('read cache', () => {
  it('answers a repeated read from memory, and the next read after a write from the database', async () => {
    const first = await admin.get('/members?size=5');
    const again = await admin.get('/members?size=5');
    assert.equal(again.status, 200);
    assert.ok(cached(again), 'the same read twice is kept');
    assert.deepEqual(again.body, first.body);
    const r = await admin.post('/members', {
      name: '缓存测试', id_card: idCard('19900101', 321), join_date: '2015-07-01', full_date: '2016-07-01',
      status: 'full', org_id: branch,
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const after = await admin.get('/members?size=5');
    assert.ok(!cached(after), 'a write to the members ends the kept member list');
    assert.equal(after.body.total, first.body.total + 1);
  });

  it('sees a write made by another process', async () => {
    const before = await admin.get('/users');
    assert.ok(cached(await admin.get('/users')));
    const target = before.body.items.find((u) => u.username === 'dangyuan');
    assert.ok(target && !target.disabled);
    const dangyuan = await loginAs(srv.base, 'dangyuan');
    assert.equal((await dangyuan.get('/life/mine')).status, 200);
    assert.equal((await dangyuan.get('/life/mine')).status, 200);
    const r = cli(['user', 'disable', '--db', db.url, '--key', db.key, '--username', 'dangyuan']);
    assert.equal(r.code, 0, r.err);
    const now = (await admin.get('/users')).body.items.find((u) => u.username === 'dangyuan');
    assert.ok(now.disabled, 'the command line\'s write is read at once');
    assert.equal((await dangyuan.get('/life/mine')).status, 401, 'a disabled account is out on its next request');
    assert.equal(cli(['user', 'enable', '--db', db.url, '--key', db.key, '--username', 'dangyuan']).code, 0);
  });

  it('keeps answers per user: a branch secretary never gets the administrator\'s', async () => {
    const all = await admin.get('/members?size=1');
    await admin.get('/members?size=1');
    const mine = await zhibu.get('/members?size=1');
    assert.ok(!cached(mine));
    assert.ok(mine.body.total < all.body.total, 'the branch sees its own members only');
    assert.ok(cached(await zhibu.get('/members?size=1')));
  });

  it('never lets two different queries share an answer', async () => {
    const a = await admin.get('/members?size=1&q=' + encodeURIComponent('x&page=2'));
    const b = await admin.get('/members?size=1&q=x&page=2');
    assert.ok(!cached(b));
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    assert.equal(b.body.page, 2);
    assert.notEqual(a.body.page, 2);
  });

  it('computes an answer asked by many at once only once', async () => {
    // Not asked before in this file: nobody has computed it yet.
    const rs = await Promise.all(Array.from({ length: 8 }, () => admin.get('/dashboard')));
    assert.ok(rs.every((r) => r.status === 200));
    assert.ok(rs.filter((r) => !cached(r)).length <= 1, 'one request computes, the others wait for its answer');
    assert.ok(rs.every((r) => JSON.stringify(r.body) === JSON.stringify(rs[0].body)));
  });

  it('ends a session on logout even though it was remembered', async () => {
    const c = await loginAs(srv.base, 'zhibu');
    assert.equal((await c.get('/session')).status, 200);
    assert.equal((await c.get('/session')).status, 200);
    const token = c.cookie;
    assert.equal((await c.del('/session')).status, 200);
    c.cookie = token;
    assert.equal((await c.get('/members?size=1')).status, 401);
  });

  it('does not keep a read that depends on the hour: an activity with its sign-in window', async () => {
    const a = (await admin.get(`/activities?org=${branch}&size=1`)).body.items[0];
    assert.ok(a, 'the demo data has activities');
    await admin.get(`/activities/${a.id}`);
    const again = await admin.get(`/activities/${a.id}`);
    assert.equal(again.status, 200);
    assert.ok(!cached(again));
  });

  it('keeps the task matrix through a member edit, and ends it and the dashboard on a task report', async () => {
    const plan = (await admin.get('/plans?size=50')).body.items.find((p) => p.status === 'published');
    assert.ok(plan, 'the demo data has a published plan');
    const matrix = `/plans/${plan.id}/matrix?size=20`;
    await admin.get(matrix);
    await admin.get('/dashboard');
    assert.ok(cached(await admin.get(matrix)));
    assert.ok(cached(await admin.get('/dashboard')));
    const m = (await admin.get(`/members?size=1&org=${branch}`)).body.items[0];
    const ed = await admin.patch(`/members/${m.id}`, { position: '缓存测试岗位' });
    assert.equal(ed.status, 200, JSON.stringify(ed.body));
    assert.ok(cached(await admin.get(matrix)), 'a member edit leaves the matrix kept');
    assert.ok(!cached(await admin.get('/dashboard')), 'the dashboard counts members: it is computed again');
    assert.ok(cached(await admin.get('/dashboard')));

    const open = (await admin.get(`/assignments?plan=${plan.id}&state=not_started&size=1`)).body.items[0];
    assert.ok(open, 'an assignment not started yet');
    assert.ok(cached(await admin.get(matrix)));
    const r = await admin.post(`/assignments/${open.id}/submissions`, { kind: 'progress', body: '缓存测试进展' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.ok(!cached(await admin.get(matrix)), 'a report ends the kept matrix');
    assert.ok(!cached(await admin.get('/dashboard')), 'and the dashboard');
  });

  it('keeps the member list through a write by another process elsewhere, and not through one to the members', async () => {
    await admin.get('/members?size=3');
    assert.ok(cached(await admin.get('/members?size=3')));
    let r = cli(['user', 'disable', '--db', db.url, '--key', db.key, '--username', 'dangyuan']);
    assert.equal(r.code, 0, r.err);
    assert.ok(cached(await admin.get('/members?size=3')), 'an account is not a member');
    assert.equal(cli(['user', 'enable', '--db', db.url, '--key', db.key, '--username', 'dangyuan']).code, 0);
    const total = (await admin.get('/members?size=3')).body.total;
    const csv = `姓名,性别,身份证号,入党日期,转正日期,党员类别,所在党组织编码\n命令行导入,男,${idCard('19880808', 555)},2010-07-01,2011-07-01,正式党员,${(await admin.get('/orgs/' + branch)).body.code}\n`;
    const file = `${db.dir}/cache-import.csv`;
    (await import('node:fs')).writeFileSync(file, csv);
    r = cli(['import', 'members', '--db', db.url, '--key', db.key, '--org', (await admin.get('/orgs/' + branch)).body.code, file]);
    assert.equal(r.code, 0, r.err + r.out);
    const now = await admin.get('/members?size=3');
    assert.ok(!cached(now), 'the command line\'s import is read at once');
    assert.equal(now.body.total, total + 1);
  });
});
