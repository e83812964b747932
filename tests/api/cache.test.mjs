// cache.test.mjs — answers kept in memory are never stale: a write through
// the API, a write by another process (the command line), a disabled
// account, a logout each show on the very next request; users never see
// each other's kept answers; queries that differ never share one.  And a
// write ends only the answers that read what it wrote (db/db_scope.h).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { freshDb, generate, startServer, loginAs, cli, idCard, today } from '../lib/server.mjs';

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

  it('keeps the task matrix through a member edit, and ends it but keeps the dashboard on a task report', async () => {
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
    assert.ok(cached(await admin.get('/dashboard')), 'the dashboard reads no task: it stays kept');
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

// A write names the orgs its records belong to (db_touch_org): it ends the
// kept answers of those orgs' subtrees and of every org on their path to the
// root, and leaves the others.  Accounts in the same place share answers.
describe('read cache by subtree', () => {
  let A, B, parentA, a1, a2, b1, p, srv2, memberA;
  const members = '/members?size=5';
  const user = (name, role, code) => {
    const r = cli(['user', 'add', '--db', db.url, '--key', db.key, '--username', name, '--role', role, '--org', code,
      '--password-file', db.pw]);
    assert.equal(r.code, 0, r.err + r.out);
  };
  const hitAfter = async (c, path) => { await c.get(path); return c.get(path); };

  before(async () => {
    // Two branches with members whose parents differ where the demo allows.
    const all = (await admin.get('/orgs?size=200')).body.items;
    const branches = all.filter((o) => o.kind === 'branch');
    const counts = await Promise.all(branches.map(async (o) => (await admin.get(`/members?size=1&org=${o.id}`)).body.total));
    const full = branches.filter((o, i) => counts[i] >= 3);
    assert.ok(full.length >= 2, 'the demo has two branches with members');
    A = full[0];
    B = full.find((o) => o.parent_id !== A.parent_id) || full[1];
    parentA = all.find((o) => o.id === A.parent_id);
    assert.ok(parentA, 'the branch has a parent');
    user('cache_a1', 'branch_admin', A.code);
    user('cache_a2', 'branch_admin', A.code);
    user('cache_b1', 'branch_admin', B.code);
    user('cache_p', 'org_admin', parentA.code);
    [a1, a2, b1, p] = await Promise.all(['cache_a1', 'cache_a2', 'cache_b1', 'cache_p'].map((u) => loginAs(srv.base, u)));
    memberA = (await admin.get(`/members?size=1&org=${A.id}`)).body.items[0];
  });
  after(async () => { if (srv2) await srv2.stop(); });

  it('shares one answer among the accounts of one place, and never another place\'s', async () => {
    const first = await a1.get(members);
    const other = await a2.get(members);
    assert.equal(other.status, 200);
    assert.ok(cached(other), 'a second secretary of the same branch gets the answer the first computed');
    assert.deepEqual(other.body, first.body);
    const b = await b1.get(members);
    assert.ok(!cached(b), 'another branch never meets it');
    assert.ok(b.body.items.every((m) => !first.body.items.some((x) => x.id === m.id)), 'and sees its own members');
  });

  it('ends the answers of the branch written and of every org above it, and keeps another branch\'s', async () => {
    for (const c of [a1, b1, p, admin]) assert.ok(cached(await hitAfter(c, members)));
    const ed = await admin.patch(`/members/${memberA.id}`, { position: '子树缓存测试' });
    assert.equal(ed.status, 200, JSON.stringify(ed.body));
    assert.ok(cached(await b1.get(members)), 'a write in branch A leaves branch B\'s kept answer');
    for (const [c, who] of [[a1, 'the branch'], [p, 'its parent'], [admin, 'the root']]) {
      const r = await c.get(members);
      assert.ok(!cached(r), `${who} computes again`);
    }
    const r = await a1.get(`/members/${memberA.id}`);
    assert.equal(r.body.position, '子树缓存测试');
  });

  it('keeps another branch\'s calendar through an attendance write, and ends the branch\'s own', async () => {
    const acts = (await admin.get(`/activities?org=${A.id}&status=held&size=20`)).body.items;
    let act, row;
    for (const x of acts) {
      row = ((await admin.get(`/activities/${x.id}`)).body.attendance || []).find((m) => m.member_id);
      if (row) { act = x; break; }
    }
    assert.ok(act, 'branch A held an activity with a roll');
    const calA = `/activities?org=${A.id}&size=20`, calB = `/activities?org=${B.id}&size=20`;
    assert.ok(cached(await hitAfter(a1, calA)));
    assert.ok(cached(await hitAfter(b1, calB)));
    const r = await admin.put(`/activities/${act.id}/attendance`,
      { attendance: [{ member_id: row.member_id, status: row.status === 'present' ? 'absent' : 'present', reason: '缓存测试' }] });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.ok(cached(await b1.get(calB)), 'branch B\'s calendar is kept');
    assert.ok(!cached(await a1.get(calA)), 'branch A\'s is computed again');
  });

  it('moves both branches on a transfer between them', async () => {
    const before = [(await hitAfter(a1, members)).body.total, (await hitAfter(b1, members)).body.total];
    const m = (await admin.get(`/members?size=5&org=${A.id}`)).body.items.find((x) => x.id !== memberA.id);
    const r = await admin.post(`/members/${m.id}/transfer`, { to_org_id: B.id, on_date: today(), reason: '缓存测试' });
    assert.ok(r.status === 200 || r.status === 201, JSON.stringify(r.body));
    const ra = await a1.get(members), rb = await b1.get(members);
    assert.ok(!cached(ra) && !cached(rb));
    assert.equal(ra.body.total, before[0] - 1);
    assert.equal(rb.body.total, before[1] + 1);
  });

  it('sees a write by the command line and by a second server on the next read', async () => {
    const kept = await hitAfter(a1, `/members/${memberA.id}`);
    assert.ok(cached(kept));
    const old = kept.body.position;
    srv2 = await startServer(db);
    const admin2 = await loginAs(srv2.base, 'admin');
    const ed = await admin2.patch(`/members/${memberA.id}`, { position: '第二台服务器' });
    assert.equal(ed.status, 200, JSON.stringify(ed.body));
    const now = await a1.get(`/members/${memberA.id}`);
    assert.notEqual(now.body.position, old);
    assert.equal(now.body.position, '第二台服务器', 'the other server\'s write is read at once');
    const total = (await hitAfter(a1, members)).body.total;
    const csv = `姓名,性别,身份证号,入党日期,转正日期,党员类别,所在党组织编码\n子树导入,男,${idCard('19870707', 777)},2010-07-01,2011-07-01,正式党员,${A.code}\n`;
    const file = `${db.dir}/cache-subtree.csv`;
    (await import('node:fs')).writeFileSync(file, csv);
    const r = cli(['import', 'members', '--db', db.url, '--key', db.key, '--org', A.code, file]);
    assert.equal(r.code, 0, r.err + r.out);
    const after = await a1.get(members);
    assert.ok(!cached(after));
    assert.equal(after.body.total, total + 1, 'the command line\'s import is read at once');
  });

  it('registers each module\'s tables: an account write (the user module) keeps the member lists', async () => {
    assert.ok(cached(await hitAfter(b1, members)));
    const r = cli(['user', 'disable', '--db', db.url, '--key', db.key, '--username', 'cache_a2']);
    assert.equal(r.code, 0, r.err);
    assert.ok(cached(await b1.get(members)));
  });
});
