// member_asof.test.mjs — the roster figures asked for a past day place each
// member at the org they were in that day: a member transferred from A to B
// on day D counts in A up to the day before D and in B from D (their common
// ancestor counts them throughout), and a member who left counts until the
// day they left.  Values (read from the kept counters) and records (the
// definition) agree, and `figures --check` says so for the days around D.
// SQLite by default, PostgreSQL with DJ_PG_URL; the day is pinned.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { freshDb, generate, startServer, loginAs, cli } from '../lib/server.mjs';

const TODAY = '2026-06-15';
const D = '2026-05-20', BEFORE = '2026-05-19', AFTER = '2026-05-21';
const DAYS = [BEFORE, D, AFTER];
const env = { DANGJIAN_TODAY: TODAY };
let db, srv, admin, zhibu, A, B, C;

async function ok(r, status = 200) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  return r.body;
}
async function org(code) {
  const r = await admin.get('/orgs?q=' + encodeURIComponent(code) + '&size=50');
  return r.body.items.find((o) => o.code === code);
}
// {value, by, ids: the member ids of the records, orgOf: member id → org_id of the record}
async function fig(id, orgId, on) {
  const f = await ok(await admin.get(`/figures/${id}?org=${orgId}&on=${on}`));
  const ids = [], orgOf = {};
  for (let page = 1; ; page++) {
    const r = await ok(await admin.get(`/figures/${id}/records?org=${orgId}&on=${on}&size=200&page=${page}`));
    for (const x of r.items) { ids.push(x.rid); orgOf[x.rid] = x.org_id; }
    if (r.items.length < 200) break;
  }
  assert.equal(ids.length, f.value, `${id} at ${orgId} on ${on}: value and records agree`);
  return { value: f.value, by: f.by, ids, orgOf };
}
async function snapshot(id) {
  const out = {};
  for (const [name, o] of [['A', A], ['B', B], ['C', C]]) for (const on of DAYS) out[`${name} ${on}`] = await fig(id, o, on);
  return out;
}
// The roster's figures (the member module's) are what a move changes.
function check(orgId) {
  const r = cli(['figures', '--db', db.url, '--key', db.key, '--org', String(orgId), '--module', 'member', '--check',
    '--from', BEFORE, '--to', AFTER]);
  assert.equal(r.code, 0, r.out + r.err);
}

before(async () => {
  db = freshDb('member_asof');
  generate(db, 'demo', { env });
  srv = await startServer(db, { env });
  admin = await loginAs(srv.base, 'admin');
  zhibu = await loginAs(srv.base, 'zhibu');
  A = (await zhibu.get('/session')).body.user.org_id;
  B = (await org('JT-HY0101')).id;
  C = (await org('JT-JG')).parent_id;
  assert.equal((await org('JT-HY01')).parent_id, C, 'C is the common ancestor of A and B');
});
after(async () => { await srv.stop(); });

describe('a member transferred from A to B on D', () => {
  it('counts in A before D, in B from D, and in C throughout', async () => {
    const m = await ok(await admin.post('/members', { org_id: A, name: '历史转接测试', gender: 'male', birth_date: '1985-03-01',
      join_date: '2010-07-01', full_date: '2011-07-01', status: 'full' }), 201);
    const ids = ['member.member.count', 'member.full.count', 'member.org_kind.count', 'member.education.count'];
    const before = {};
    for (const id of ids) before[id] = await snapshot(id);
    const t = await ok(await zhibu.post('/transfers', { member_id: m.id, to_org_id: B, on_date: '2026-05-15', reason: '工作调动' }), 201);
    await ok(await admin.post(`/transfers/${t.id}/accept`, { on_date: D }));
    const expect = { A: [0, -1, -1], B: [0, 1, 1], C: [0, 0, 0] };
    for (const id of ids) {
      const now = await snapshot(id);
      for (const name of ['A', 'B', 'C']) {
        DAYS.forEach((on, i) => {
          const k = `${name} ${on}`;
          assert.equal(now[k].value, before[id][k].value + expect[name][i], `${id} ${k}`);
        });
      }
    }
    // The records say where: A the day before, B on D and after; C lists them at that org.
    const c = await snapshot('member.member.count');
    assert.ok(c[`A ${BEFORE}`].ids.includes(m.id) && !c[`A ${D}`].ids.includes(m.id) && !c[`A ${AFTER}`].ids.includes(m.id));
    assert.ok(!c[`B ${BEFORE}`].ids.includes(m.id) && c[`B ${D}`].ids.includes(m.id) && c[`B ${AFTER}`].ids.includes(m.id));
    assert.equal(c[`C ${BEFORE}`].orgOf[m.id], A);
    assert.equal(c[`C ${D}`].orgOf[m.id], B);
    assert.equal(c[`C ${AFTER}`].orgOf[m.id], B);
    // The breakdown by org kind moves with them (both are branches here, so the totals match per key).
    const k = await fig('member.org_kind.count', C, BEFORE);
    assert.equal(Object.values(k.by).reduce((a, b) => a + b, 0), k.value);
    for (const o of [A, B, C]) check(o);
  });

  it('a second move after D is undone too: on D they are in B, before it in A, now in A again', async () => {
    const m = await ok(await admin.post('/members', { org_id: A, name: '往返转接测试', gender: 'female', birth_date: '1988-04-02',
      join_date: '2012-07-01', full_date: '2013-07-01', status: 'full' }), 201);
    await ok(await admin.post(`/members/${m.id}/transfer`, { to_org_id: B, on_date: D, reason: '借调' }));
    await ok(await admin.post(`/members/${m.id}/transfer`, { to_org_id: A, on_date: '2026-06-01', reason: '借调结束' }));
    const at = async (o, on) => (await fig('member.member.count', o, on)).ids.includes(m.id);
    assert.deepEqual([await at(A, BEFORE), await at(B, BEFORE)], [true, false]);
    assert.deepEqual([await at(A, D), await at(B, D)], [false, true]);
    assert.deepEqual([await at(A, '2026-06-01'), await at(B, '2026-06-01')], [true, false]);
    assert.equal((await fig('member.member.count', C, D)).orgOf[m.id], B);
    for (const o of [A, B]) check(o);
  });
});

describe('a member who left', () => {
  it('counts until the day they left, at their org and above', async () => {
    const m = await ok(await admin.post('/members', { org_id: B, name: '减少测试', gender: 'male', birth_date: '1950-01-01',
      join_date: '1975-07-01', full_date: '1976-07-01', status: 'full' }), 201);
    await ok(await admin.post(`/members/${m.id}/end`, { reason: 'death', on_date: D, note: '病故' }), 201);
    for (const o of [B, C]) {
      const on = async (day) => (await fig('member.member.count', o, day)).ids.includes(m.id);
      assert.deepEqual([await on(BEFORE), await on(D), await on(AFTER)], [true, false, false]);
    }
    check(B);
  });
});

// The status of a past day: a 预备党员 converted on D (full_date) counts as
// 预备党员 the day before and as 正式党员 from D, wherever they were that day
// and whether or not they are still on the roster; an ended member keeps
// the status they had.  At the branch, its ancestors and the root.
describe('the status of a past day', () => {
  const LATER = '2026-06-01', GONE = '2026-06-10';
  async function rootOf(o) {
    for (;;) {
      const r = await ok(await admin.get(`/orgs/${o}`));
      if (!r.parent_id) return o;
      o = r.parent_id;
    }
  }
  it('counts a member converted after a day as 预备党员 on it, through a move and an end', async () => {
    const root = await rootOf(C);
    const m = await ok(await admin.post('/members', { org_id: A, name: '转正历史测试', gender: 'female', birth_date: '1995-03-01',
      join_date: '2025-05-20', status: 'probationary' }), 201);
    const is = async (id, o, on) => (await fig(id, o, on)).ids.includes(m.id);
    const statusOn = async (o, on) => [await is('member.full.count', o, on), await is('member.probationary.count', o, on)];
    const before = {};
    for (const o of [A, root]) for (const on of DAYS) before[`${o} ${on}`] = await fig('member.member.count', o, on);
    await ok(await admin.post(`/members/${m.id}/convert`, { full_date: D }));
    for (const o of [A, C, root]) {
      assert.deepEqual(await statusOn(o, BEFORE), [false, true], `probationary the day before, at ${o}`);
      assert.deepEqual(await statusOn(o, D), [true, false], `full the day of, at ${o}`);
      assert.deepEqual(await statusOn(o, AFTER), [true, false], `full the day after, at ${o}`);
    }
    // The breakdown by status: one more 正式党员 (one fewer 预备党员) from D only.
    for (const o of [A, root]) {
      for (const on of DAYS) {
        const now = await fig('member.member.count', o, on), was = before[`${o} ${on}`];
        assert.equal(now.value, was.value, `${o} ${on} total`);
        assert.equal(now.by.full ?? 0, (was.by.full ?? 0) + (on >= D ? 1 : 0), `${o} ${on} full`);
      }
    }
    // Moved to B after D, then ended: the day before D they were a 预备党员 at A, on D a 正式党员 at A.
    await ok(await admin.post(`/members/${m.id}/transfer`, { to_org_id: B, on_date: LATER, reason: '工作调动' }));
    await ok(await admin.post(`/members/${m.id}/end`, { reason: 'death', on_date: GONE, note: '病故' }), 201);
    assert.deepEqual(await statusOn(A, BEFORE), [false, true]);
    assert.deepEqual(await statusOn(A, D), [true, false]);
    assert.deepEqual(await statusOn(B, D), [false, false]);
    assert.deepEqual(await statusOn(B, LATER), [true, false]);
    assert.deepEqual(await statusOn(root, BEFORE), [false, true]);
    assert.deepEqual(await statusOn(root, '2026-06-09'), [true, false]);
    for (const on of [GONE, '2026-06-11']) {
      assert.deepEqual(await statusOn(B, on), [false, false], on);
      assert.deepEqual(await statusOn(root, on), [false, false], on);
    }
    for (const o of [A, B, C]) check(o);
  });
});

// Mobility of a past day: a member made mobile on D (a hosting record from
// D) is not counted as 流动党员 the day before and is from D; once the
// hosting ends they are not, though the days it ran keep them.  A member
// flagged mobile by hand from D (no hosting) likewise.  At the branch and
// the common ancestor, values (kept counters) and records agree.
describe('the mobility of a past day', () => {
  const BACK = '2026-06-05';
  it('counts a member made mobile after a day from that day on, and not after the hosting ended', async () => {
    const pool = (await ok(await zhibu.get(`/members?org=${A}&direct=1&mobile=0&size=200`))).items
      .filter((x) => !x.position && x.join_date < '2020-01-01');
    const [m, f] = pool.slice(-2);
    const host = (await org('JT-HY01LD1')).id;
    const is = async (o, on, id = m.id) => (await fig('member.mobile.count', o, on)).ids.includes(id);
    const before = {};
    for (const o of [A, C]) for (const on of DAYS) before[`${o} ${on}`] = (await fig('member.mobile.count', o, on)).value;
    const h = await ok(await admin.post('/mobile-members', { member_id: m.id, host_org_id: host, place: '江苏省苏州市', since: D }), 201);
    await ok(await admin.patch(`/members/${f.id}`, { is_mobile: true, mobile_place: '浙江省杭州市', mobile_since: D }));
    for (const o of [A, C]) {
      for (const [on, inIt] of [[BEFORE, false], [D, true], [AFTER, true], [TODAY, true]]) {
        assert.equal(await is(o, on), inIt, `hosted: ${o} ${on}`);
        assert.equal(await is(o, on, f.id), inIt, `flagged: ${o} ${on}`);
      }
      for (const on of DAYS) {
        assert.equal((await fig('member.mobile.count', o, on)).value, before[`${o} ${on}`] + (on >= D ? 2 : 0), `${o} ${on}`);
      }
    }
    await ok(await admin.post(`/mobile-members/${h.id}/end`, { on_date: BACK }));
    for (const o of [A, C]) {
      for (const [on, inIt] of [[BEFORE, false], [D, true], ['2026-06-04', true], [BACK, false], [TODAY, false]])
        assert.equal(await is(o, on), inIt, `after the end: ${o} ${on}`);
    }
    // The records of a past day show that day's mobility: mobile (1), the place and the date they left,
    // of the hosting that ran that day (m's, ended since) or of the flag (f's).
    const recs = async (on) => {
      const out = {};
      for (let page = 1; ; page++) {
        const r = await ok(await admin.get(`/figures/member.mobile.count/records?org=${A}&on=${on}&size=200&page=${page}`));
        for (const x of r.items) out[x.rid] = x;
        if (r.items.length < 200) return out;
      }
    };
    const day = await recs('2026-06-04');
    assert.deepEqual([day[m.id].is_mobile, day[m.id].place, day[m.id].on_date], [1, '江苏省苏州市', D]);
    assert.deepEqual([day[f.id].is_mobile, day[f.id].place, day[f.id].on_date], [1, '浙江省杭州市', D]);
    assert.ok(Object.values(day).every((x) => x.is_mobile === 1 && x.on_date <= '2026-06-04'), 'each mobile that day');
    for (const o of [A, C]) check(o);
    const r = cli(['figures', '--db', db.url, '--key', db.key, '--org', String(A), '--check', '--from', '2026-06-04', '--to', BACK]);
    assert.equal(r.code, 0, r.out + r.err);
  });
});
