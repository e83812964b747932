// member_mobile.test.mjs — 流动党员 over real HTTP against a real database
// (SQLite by default, PostgreSQL when DJ_PG_URL is set): a member of one
// subtree hosted by a 流动党员党支部 of another.  The host sees them only for
// organizational life — attendance and sign-in — and nowhere else (member
// list, detail, search: absent or 404); the yearly 思想汇报 to the home org,
// missing from the day after a year; bad hostings refused with nothing stored.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { freshDb, generate, startServer, loginAs, cli, PASSWORD } from '../lib/server.mjs';

const TODAY = '2026-06-15';
const env = { DANGJIAN_TODAY: TODAY };
let db, srv, admin, hangye, zhibu, JG01, LD1, LS01, m, m2, other, hosting;

async function ok(r, status = 200) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  return r.body;
}
async function org(code) {
  const r = await admin.get('/orgs?q=' + encodeURIComponent(code) + '&size=50');
  return r.body.items.find((o) => o.code === code);
}
function findings(code, today, rule) {
  const r = cli(['check', '--db', db.url, '--key', db.key, '--org', code, '--rule', rule, '--json'], { env: { DANGJIAN_TODAY: today } });
  assert.equal(r.code, 0, r.err);
  const d = JSON.parse(r.out);
  return Array.isArray(d) ? d : d.items || d.findings;
}

before(async () => {
  db = freshDb('mobile');
  generate(db, 'demo', { env });
  srv = await startServer(db, { env });
  admin = await loginAs(srv.base, 'admin');
  hangye = await loginAs(srv.base, 'hangye');
  zhibu = await loginAs(srv.base, 'zhibu');
  JG01 = (await zhibu.get('/session')).body.user.org_id;
  LD1 = (await org('JT-HY01LD1')).id;
  LS01 = (await org('JT-LS01')).id;
  const me = (await (await loginAs(srv.base, 'dangyuan')).get('/session')).body.user.member_id;
  const pool = (await ok(await zhibu.get(`/members?org=${JG01}&direct=1&mobile=0&size=200`))).items
    .filter((x) => x.id !== me && !x.position && x.join_date < '2020-01-01');	// not one just admitted by the pipeline
  [m, m2, other] = pool;
});
after(async () => { await srv.stop(); });

describe('hosting records', () => {
  it('refuses a hosting that breaks the rules, storing nothing', async () => {
    const total = (await ok(await zhibu.get('/mobile-members?all=1'))).total;
    const base = { member_id: m.id, host_org_id: LD1, place: '广东省广州市', since: '2025-05-01' };
    for (const [body, field] of [[{ ...base, host_org_id: LS01 }, 'host_org_id'], [{ ...base, host_org_id: JG01 }, 'host_org_id'],
      [{ ...base, until: '2025-10-31' }, 'until'], [{ ...base, place: undefined }, 'place'], [{ ...base, since: '2026-07-01' }, 'since']]) {
      const r = await zhibu.post('/mobile-members', body);
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.equal(r.body.field, field);
    }
    assert.equal((await ok(await zhibu.get('/mobile-members?all=1'))).total, total);
    assert.equal((await ok(await admin.get(`/members/${m.id}`))).is_mobile, 0);
  });

  it('records a member hosted by a 流动党员党支部 of another subtree', async () => {
    hosting = await ok(await zhibu.post('/mobile-members', { member_id: m.id, host_org_id: LD1, place: '广东省广州市', since: '2025-05-01',
      until: '2026-12-31', card_no: 'LDZ-T01' }), 201);
    assert.equal(hosting.home_org, JG01);
    assert.equal(hosting.host_org, LD1);
    const mem = await ok(await zhibu.get(`/members/${m.id}`));
    assert.equal(mem.is_mobile, 1);
    assert.equal(mem.mobile_place, '广东省广州市');
    const twice = await zhibu.post('/mobile-members', { member_id: m.id, host_org_id: LD1, place: 'x', since: '2025-05-01' });
    assert.equal(twice.status, 409);
    const fig = await ok(await admin.get(`/figures/member.mobile_host.count/records?org=${JG01}&size=200`));
    assert.ok(fig.items.some((x) => x.rid === m.id && x.host_org));
    // The host's side: the members it hosts, counted where they take part in organizational life.
    const hosted = await ok(await hangye.get(`/figures/member.hosted.count?org=${LD1}&on=${TODAY}`));
    const recs = await ok(await hangye.get(`/figures/member.hosted.count/records?org=${LD1}&on=${TODAY}&size=200`));
    assert.ok(recs.items.some((x) => x.rid === m.id && x.org_id === LD1 && x.home_org), JSON.stringify(recs.items));
    // Not a link to the member's page, which the host cannot open.
    assert.ok(recs.items.every((x) => x.rkind === 'hosted_member'));
    assert.equal(hosted.value, recs.total);
    const home = await ok(await zhibu.get(`/figures/member.hosted.count/records?org=${JG01}&on=${TODAY}&size=200`));
    assert.ok(!home.items.some((x) => x.rid === m.id), 'not hosted at home');
  });
});

describe('the host sees them only for organizational life', () => {
  it('member list, detail, search and the hosting record stay hidden from the host', async () => {
    assert.equal((await hangye.get(`/members/${m.id}`)).status, 404);
    for (const p of [`/members?org=${LD1}&size=200`, `/members?q=${encodeURIComponent(m.name)}&size=200`, '/members?size=200&mobile=1']) {
      const r = await ok(await hangye.get(p));
      assert.ok(!r.items.some((x) => x.id === m.id), p);
    }
    assert.equal((await hangye.get(`/mobile-members/${hosting.id}`)).status, 404);
    assert.ok(!(await ok(await hangye.get('/mobile-members?size=200'))).items.some((x) => x.id === hosting.id));
    assert.equal((await hangye.post(`/mobile-members/${hosting.id}/reports`, { on_date: TODAY, summary: 'x' })).status, 404);
    assert.equal((await hangye.post(`/members/${m.id}/end`, { reason: 'death', on_date: TODAY, note: 'x' })).status, 404);
  });

  it('the host records their attendance; a member of another subtree who is not hosted stays out', async () => {
    const act = await ok(await hangye.post('/activities', { org_id: LD1, kind: 'theme_day', status: 'held', on_date: '2026-06-10',
      topic: '流动党员主题党日', attendance: [{ member_id: m.id, status: 'present' }] }), 201);
    const row = act.attendance.find((t) => t.member_id === m.id);
    assert.ok(row, 'the hosted member has a row');
    assert.equal(row.status, 'present');
    assert.equal(row.org_id, JG01, 'their row keeps the home org');
    const r = await hangye.put(`/activities/${act.id}/attendance`, { attendance: [{ member_id: m2.id, status: 'present' }] });
    assert.equal(r.status, 404, JSON.stringify(r.body));
    assert.ok(!JSON.stringify(r.body).includes(m2.name));
    // A planned activity of the host expects them; they sign in with the QR code.
    await ok(await admin.post('/users', { username: 'mobile-t1', password: PASSWORD, role: 'member', member_id: m.id }), 201);
    const me = await loginAs(srv.base, 'mobile-t1');
    const plan = await ok(await hangye.post('/activities', { org_id: LD1, kind: 'theme_day', status: 'planned', on_date: TODAY,
      topic: '流动党员签到' }), 201);
    assert.ok(plan.attendance.some((t) => t.member_id === m.id), 'expected at the host');
    const o = await ok(await hangye.post(`/activities/${plan.id}/signin/open`, { minutes: 30 }));
    const s = await me.post(`/signin/${plan.id}`, { token: o.token });
    assert.equal(s.status, 200, JSON.stringify(s.body));
    // The member sees the host's activity among their own; the host still cannot open their record.
    assert.equal((await me.get(`/activities/${plan.id}`)).status, 200);
    assert.equal((await hangye.get(`/members/${m.id}`)).status, 404);
  });
});

describe('the yearly 思想汇报', () => {
  it('is missing from the day after a year without one, not on the day', async () => {
    const h2 = await ok(await zhibu.post('/mobile-members', { member_id: m2.id, host_org_id: LD1, place: '浙江省杭州市', since: '2025-06-15' }), 201);
    const has = (day) => findings('JT-JG01', day, 'member.mobile_report_missing').some((f) => f.records.some((x) => x.rid === m2.id));
    assert.equal(has('2026-06-14'), false);
    assert.equal(has('2026-06-15'), false);
    assert.equal(has('2026-06-16'), true);
    assert.equal(has('2026-06-16') && findings('JT-JG01', '2026-06-16', 'member.mobile_report_missing').length > 0, true);
    const bad = await zhibu.post(`/mobile-members/${h2.id}/reports`, { on_date: TODAY });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.field, 'summary');
    const rep = await ok(await zhibu.post(`/mobile-members/${h2.id}/reports`, { on_date: TODAY, summary: '在杭州参加流动党员党支部组织生活，思想稳定。' }), 201);
    assert.equal(rep.reports.length, 1);
    assert.equal(has('2026-06-16'), false);
  });

  it('ends a hosting: from then on the host can no longer record them', async () => {
    const e = await ok(await zhibu.post(`/mobile-members/${hosting.id}/end`, { on_date: '2026-06-12' }));
    assert.equal(e.ended_on, '2026-06-12');
    assert.equal((await ok(await zhibu.get(`/members/${m.id}`))).is_mobile, 0);
    const r = await hangye.post('/activities', { org_id: LD1, kind: 'theme_day', status: 'held', on_date: '2026-06-13', topic: 'x',
      attendance: [{ member_id: m.id, status: 'present' }] });
    assert.equal(r.status, 404, JSON.stringify(r.body));
    assert.equal((await zhibu.post(`/mobile-members/${hosting.id}/end`, { on_date: TODAY })).status, 409);
  });
});
