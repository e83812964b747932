// counts.test.mjs — the member counts kept per org (table member_count, kept
// by triggers in the transaction of every write to member) are a cache of a
// records query: after writes of every kind they equal a recount, for the
// whole table and for the dashboard at the root and at a branch.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { freshDb, generate, startServer, loginAs, cli, idCard, today } from '../lib/server.mjs';

let db, srv, admin;

function sql(statement) {
  const r = process.env.DJ_PG_URL
    ? spawnSync('psql', [db.url, '-qAtF|', '-c', statement], { encoding: 'utf8' })
    : spawnSync('sqlite3', [db.url, statement], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${statement}: ${r.stderr}`);
  return r.stdout.trim();
}
const kept = () => sql('SELECT org_id, status, is_mobile, n FROM member_count WHERE n > 0 ORDER BY org_id, status, is_mobile');
const recount = () => sql('SELECT org_id, status, is_mobile, count(*) FROM member WHERE active = 1'
  + ' GROUP BY org_id, status, is_mobile ORDER BY org_id, status, is_mobile');

before(async () => {
  db = freshDb('counts');
  generate(db);
  srv = await startServer(db);
  admin = await loginAs(srv.base, 'admin');
});
after(async () => { await srv.stop(); });

describe('kept member counts', () => {
  it('equal a recount after generate', () => {
    assert.ok(kept().length > 0);
    assert.equal(kept(), recount());
  });

  it('equal a recount after a create, an edit to mobile, a transfer, a conversion and an import', async () => {
    const orgs = (await admin.get('/orgs?kind=branch&size=5')).body.items;
    const [a, b] = orgs;
    const made = await admin.post('/members', { name: '计数测试', id_card: idCard('19900101', 777), join_date: '2015-07-01',
      full_date: '2016-07-01', status: 'full', org_id: a.id });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const prob = await admin.post('/members', { name: '计数预备', id_card: idCard('19950505', 778), join_date: day0(),
      status: 'probationary', org_id: a.id });
    assert.equal(prob.status, 201, JSON.stringify(prob.body));
    const mob = await admin.patch(`/members/${made.body.id}`, { is_mobile: 1, mobile_place: '广东省深圳市' });
    assert.equal(mob.status, 200, JSON.stringify(mob.body));
    const tr = await admin.post(`/members/${made.body.id}/transfer`, { to_org_id: b.id, on_date: today(), reason: '工作调动' });
    assert.equal(tr.status, 200, JSON.stringify(tr.body));
    const cv = await admin.post(`/members/${prob.body.id}/convert`, { full_date: today() });
    assert.equal(cv.status, 200, JSON.stringify(cv.body));
    const file = `${db.dir}/counts.csv`;
    (await import('node:fs')).writeFileSync(file, `姓名,性别,身份证号,入党日期,转正日期,党员类别,所在党组织编码\n`
      + `导入计数,男,${idCard('19880808', 779)},2010-07-01,2011-07-01,正式党员,${b.code}\n`);
    const r = cli(['import', 'members', '--db', db.url, '--key', db.key, '--org', b.code, file]);
    assert.equal(r.code, 0, r.err + r.out);
    assert.equal(kept(), recount());
    // The dashboard reads the kept counts: at the root and at a branch it
    // says what the member list counts.
    for (const org of ['', `?org=${b.id}`]) {
      const d = (await admin.get('/dashboard' + org)).body;
      const list = (await admin.get(`/members?size=1${org ? `&org=${b.id}&subtree=1` : ''}`)).body;
      assert.equal(d.members.total, list.total, org || 'root');
    }
  });
});

function day0() {
  const d = new Date(today() + 'T00:00:00Z');
  d.setUTCMonth(d.getUTCMonth() - 2);
  return d.toISOString().slice(0, 10);
}
