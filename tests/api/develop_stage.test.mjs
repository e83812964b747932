// develop_stage.test.mjs — develop.stage.count: the pipeline board's people
// by stage as a figure (each stage count of the board clicks through to it,
// keyed by the stage's label).  Today it equals the board's counts and
// lists the board's people, at a branch and at the root; on a past day it
// places a person in the stage of the last step done by then.  The day is
// pinned.  SQLite by default, PostgreSQL with DJ_PG_URL.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { freshDb, generate, startServer, loginAs, idCard } from '../lib/server.mjs';

const TODAY = '2027-03-15';
const env = { DANGJIAN_TODAY: TODAY };
let db, srv, admin, zhibu, branch, root;

async function ok(r, status = 200) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  return r.body;
}
// The figure's value, breakdown and records (of one key, or all), which must agree.
async function stage(orgId, q = '', key = '') {
  const f = await ok(await admin.get(`/figures/develop.stage.count?org=${orgId}${q}`));
  const ids = [];
  const k = key ? '&key=' + encodeURIComponent(key) : '';
  for (let page = 1; ; page++) {
    const r = await ok(await admin.get(`/figures/develop.stage.count/records?org=${orgId}${q}${k}&size=200&page=${page}`));
    for (const x of r.items) ids.push(x.rid);
    if (r.items.length < 200) break;
  }
  assert.equal(ids.length, key ? (f.by[key] ?? 0) : f.value, `records and value agree ${orgId} ${q} ${key}`);
  return { value: f.value, by: f.by || {}, ids };
}

before(async () => {
  db = freshDb('develop_stage');
  generate(db, 'demo', { env });
  srv = await startServer(db, { env });
  admin = await loginAs(srv.base, 'admin');
  zhibu = await loginAs(srv.base, 'zhibu');
  branch = (await zhibu.get('/session')).body.user.org_id;
  root = (await ok(await admin.get('/develop/board?size=1'))).org;
});
after(async () => { await srv.stop(); });

describe('develop.stage.count', () => {
  it('equals the board by stage today, at the branch and the root, and lists its people', async () => {
    for (const o of [branch, root]) {
      const board = await ok(await admin.get(`/develop/board?org=${o}&size=500`));
      const all = await stage(o);
      let total = 0;
      for (const s of board.stages) {
        assert.equal(all.by[s.label] ?? 0, s.count, `${o} stage ${s.stage} ${s.label}`);
        total += s.count;
        if (s.stage >= 3 && s.count <= 500) {
          const f = await stage(o, '', s.label);
          assert.deepEqual(f.ids.sort(), s.items.map((i) => i.id).sort(), `${o} ${s.label} records are the board's people`);
        }
      }
      assert.equal(all.value, total);
    }
    assert.ok((await stage(root)).by['发展对象'] > 0, 'the demo has candidates');
  });

  it('on a past day: the stage of the last step done by then', async () => {
    const full = (await ok(await admin.get(`/members?org=${branch}&status=full&size=5`))).items;
    const p = await ok(await admin.post('/develop/people', { org_id: branch, name: '阶段测试', id_card: idCard('19930101', 901),
      applied_on: '2025-01-10' }), 201);
    const steps = { 2: '2025-01-20', 3: '2025-02-01', 4: '2025-02-05', 5: '2025-02-10', 6: '2025-08-01', 7: '2026-02-10' };
    for (const [n, on] of Object.entries(steps)) {
      const extra = Number(n) === 5 ? { mentors: [full[0].id] } : {};
      await ok(await admin.post(`/develop/people/${p.id}/steps`, { step: Number(n), on_date: on, ...extra }), 201);
    }
    const where = async (on) => {
      for (const label of ['入党申请人', '入党积极分子', '发展对象']) if ((await stage(branch, `&on=${on}`, label)).ids.includes(p.id)) return label;
      return null;
    };
    assert.equal(await where('2025-01-09'), null, 'not yet applied');
    assert.equal(await where('2025-01-31'), '入党申请人');
    assert.equal(await where('2025-02-01'), '入党积极分子');
    assert.equal(await where('2026-02-09'), '入党积极分子');
    assert.equal(await where('2026-02-10'), '发展对象');
    assert.equal(await where(TODAY), '发展对象');
  });
});
