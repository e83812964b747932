// member_end.test.mjs — how a membership ends, over real HTTP against a real
// database (SQLite by default, PostgreSQL when DJ_PG_URL is set): an event
// with a date, a reason and a document, never a deletion; the member leaves
// the counts from that date and stays in the figures of the days before;
// bad input refused with nothing stored; and the members' 3- and 6-month
// findings (no organizational life, no assigned work).  The day is pinned.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { freshDb, generate, startServer, loginAs, cli, idCard } from '../lib/server.mjs';

const TODAY = '2026-06-15';
const env = { DANGJIAN_TODAY: TODAY };
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
let db, srv, admin, hangye, zhibu, JG01, pool;

async function ok(r, status = 200) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  return r.body;
}
async function org(code) {
  const r = await admin.get('/orgs?q=' + encodeURIComponent(code) + '&size=50');
  return r.body.items.find((o) => o.code === code);
}
function findings(code, rule) {
  const r = cli(['check', '--db', db.url, '--key', db.key, '--org', code, '--rule', rule, '--json'], { env });
  assert.equal(r.code, 0, r.err);
  const d = JSON.parse(r.out);
  return Array.isArray(d) ? d : d.items || d.findings;
}
const flagged = (fs, id) => fs.some((f) => (f.records || []).some((x) => x.rid === id));
const count = async (on) => (await ok(await admin.get(`/figures/member.member.count?org=${JG01}&on=${on}`))).value;

before(async () => {
  db = freshDb('mend');
  generate(db, 'demo', { env });
  srv = await startServer(db, { env });
  admin = await loginAs(srv.base, 'admin');
  hangye = await loginAs(srv.base, 'hangye');
  zhibu = await loginAs(srv.base, 'zhibu');
  JG01 = (await zhibu.get('/session')).body.user.org_id;
  const me = (await (await loginAs(srv.base, 'dangyuan')).get('/session')).body.user.member_id;
  pool = (await ok(await zhibu.get(`/members?org=${JG01}&direct=1&mobile=0&size=200`))).items.filter((x) => x.id !== me && !x.position);
});
after(async () => { await srv.stop(); });

describe('ending a membership', () => {
  it('refuses bad input and stores nothing', async () => {
    const m = pool[0];
    for (const [body, field] of [[{ reason: 'transfer_out', on_date: '2026-05-01', note: 'x' }, 'reason'],
      [{ reason: 'gone', on_date: '2026-05-01', note: 'x' }, 'reason'], [{ reason: 'death', on_date: '2026-06-16', note: 'x' }, 'on_date'],
      [{ reason: 'death', on_date: '1950-01-01', note: 'x' }, 'on_date'], [{ reason: 'death', on_date: '2026-05-01' }, 'note']]) {
      const r = await zhibu.post(`/members/${m.id}/end`, body);
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.equal(r.body.field, field);
    }
    assert.equal((await ok(await admin.get(`/members/${m.id}`))).active, 1);
    assert.equal((await ok(await admin.get(`/member-ends?member=${m.id}`))).total, 0);
    const out = await hangye.post(`/members/${m.id}/end`, { reason: 'death', on_date: '2026-05-01', note: 'x' });
    assert.equal(out.status, 404, 'outside the subtree');
  });

  it('records the event; the member leaves the counts from its date and stays in the days before', async () => {
    const m = pool[0];
    const total = (await ok(await zhibu.get(`/members?org=${JG01}&size=1`))).total;
    const onBefore = await count('2026-04-30'), onDay = await count('2026-05-01');
    const r = await ok(await zhibu.post(`/members/${m.id}/end`, { reason: 'lapse', on_date: '2026-05-01',
      note: '连续六个月不参加党的组织生活', doc_no: '机关党委〔2026〕5号' }), 201);
    assert.equal(r.active, 0);
    assert.equal((await ok(await zhibu.get(`/members?org=${JG01}&size=1`))).total, total - 1, 'the kept counts follow');
    assert.ok(!(await ok(await zhibu.get(`/members?org=${JG01}&size=200`))).items.some((x) => x.id === m.id));
    assert.equal(await count('2026-04-30'), onBefore, 'the figures of the days before keep them');
    assert.equal(await count('2026-05-01'), onDay - 1);
    const rec = await ok(await admin.get(`/figures/member.member.count/records?org=${JG01}&on=2026-04-30&size=200`));
    assert.ok(rec.items.some((x) => x.rid === m.id));
    // Still readable, never deleted; counted among those who left, by reason.
    assert.equal((await ok(await zhibu.get(`/members/${m.id}`))).name, m.name);
    const left = await ok(await admin.get(`/figures/member.ended.count?org=${JG01}&from=2026-01-01&to=${TODAY}`));
    assert.ok(left.by['自行脱党'] >= 1);
    const earlier = await ok(await admin.get(`/figures/member.ended.count/records?org=${JG01}&from=2026-01-01&to=2026-04-30&size=200`));
    assert.ok(!earlier.items.some((x) => x.rid === m.id));
    const ends = await ok(await zhibu.get(`/member-ends?member=${m.id}`));
    assert.equal(ends.items[0].reason_label, '自行脱党');
    // Ending twice: 409, nothing more stored.
    const again = await zhibu.post(`/members/${m.id}/end`, { reason: 'death', on_date: '2026-06-01', note: 'x' });
    assert.equal(again.status, 409);
    assert.equal((await ok(await zhibu.get(`/member-ends?member=${m.id}`))).total, 1);
    // The document, in the event's scope.
    const att = await ok(await zhibu.req('POST', `/member-ends/${ends.items[0].id}/attachments?filename=decision.pdf`, new Uint8Array(PDF)), 201);
    assert.equal((await zhibu.get(`/attachments/${att.id}`)).status, 200);
    assert.equal((await hangye.get(`/attachments/${att.id}`)).status, 404);
    const audit = await ok(await admin.get(`/audit?entity=member&entity_id=${m.id}`));
    assert.ok(audit.items.some((a) => a.action === 'member.end'));
  });

  it('a 临时党支部 cannot take a membership away (出党), though a death is recorded', async () => {
    const LS = (await org('JT-LS01')).id;
    const ms = (await ok(await admin.get(`/members?org=${LS}&direct=1&size=50`))).items.filter((x) => !x.position);
    if (ms.length < 1) return;
    const r = await admin.post(`/members/${ms[0].id}/end`, { reason: 'expulsion', on_date: '2026-05-01', note: 'x' });
    assert.equal(r.status, 400);
    assert.equal(r.body.field, 'reason');
    await ok(await admin.post(`/members/${ms[0].id}/end`, { reason: 'death', on_date: '2026-05-01', note: '因病去世' }), 201);
  });
});

describe('the 3- and 6-month findings', () => {
  it('flags no organizational life for 6 months (error) and for 3 (warning), and no assigned work', async () => {
    const mk = async (seq) => (await ok(await zhibu.post('/members', { org_id: JG01, name: '测试党员' + seq, id_card: idCard('19800101', seq),
      join_date: '2020-07-01', status: 'full', full_date: '2021-07-01' }), 201)).id;
    const y = await mk(111), z = await mk(113), w = await mk(115);
    await ok(await zhibu.post('/activities', { org_id: JG01, kind: 'theme_day', status: 'held', on_date: '2026-02-01', topic: '二月主题党日',
      attendance: [{ member_id: z, status: 'present' }, { member_id: w, status: 'present' }] }), 201);
    await ok(await zhibu.post('/activities', { org_id: JG01, kind: 'theme_day', status: 'held', on_date: '2026-05-20', topic: '五月主题党日',
      attendance: [{ member_id: y, status: 'absent' }, { member_id: z, status: 'absent' }, { member_id: w, status: 'leave', reason: '出差' }] }), 201);
    const six = findings('JT-JG01', 'member.no_life'), three = findings('JT-JG01', 'member.no_life_warn');
    assert.ok(flagged(six, y), 'no part for 6 months');
    assert.ok(!flagged(three, y), 'reported once, at its level');
    assert.equal(six.find((f) => flagged([f], y)).level, 'error');
    assert.ok(flagged(three, z), 'no part for 3 months');
    assert.ok(!flagged(six, z));
    assert.ok(!flagged(three, w) && !flagged(six, w), 'an excused absence is a good reason');
    // Assigned work: the items of the branch's study plan.
    const month = '2026-05';
    let plan = (await ok(await zhibu.get(`/study-plans?org=${JG01}&month=${month}`))).items?.[0];
    if (!plan) plan = await ok(await zhibu.post('/study-plans', { org_id: JG01, month, title: '五月学习计划', items: [{ week: 1, title: '学习党章', kind: 'article' }] }), 201);
    const work = findings('JT-JG01', 'member.no_work');
    assert.ok(flagged(work, y), 'no assigned work done for 6 months');
  });
});

describe('a member who came back', () => {
  // Today 2026-06-15: 3 months back is 2026-03-15, 6 months 2025-12-15.  A
  // membership that ended (停止党籍) or a transfer out of the platform, then
  // the member back (转入) on the day before, of, or after each threshold:
  // the months away are not months without organizational life or work.
  it('counts the 3 and 6 months from the day they came back', async () => {
    const days = { s6before: '2025-12-14', s6: '2025-12-15', s6after: '2025-12-16', s3before: '2026-03-14', s3: '2026-03-15',
      s3after: '2026-03-16' };
    const ids = {};
    let seq = 200;
    for (const [k, back] of Object.entries(days)) {
      const id = (await ok(await zhibu.post('/members', { org_id: JG01, name: '回归党员' + seq, id_card: idCard('19810101', seq),
        join_date: '2020-07-01', status: 'full', full_date: '2021-07-01' }), 201)).id;
      seq += 2;
      if (k.startsWith('s6'))	// a membership ended, then back
        await ok(await zhibu.post(`/members/${id}/end`, { reason: 'suspension', on_date: '2025-09-01', note: '停止党籍' }), 201);
      else	// a transfer out of the platform, then back in
        await ok(await zhibu.post('/transfers', { member_id: id, place: '外省某党支部', letter_no: '组转字〔2025〕R' + seq,
          on_date: '2025-09-01' }), 201);
      await ok(await zhibu.post('/transfers/in', { to_org_id: JG01, place: '外省某党支部', letter_no: '外转字〔2026〕R' + seq,
        on_date: back, member_id: id }), 201);
      ids[k] = id;
    }
    // Expected at a meeting in the last 3 months, and absent.
    await ok(await zhibu.post('/activities', { org_id: JG01, kind: 'theme_day', status: 'held', on_date: '2026-05-21', topic: '五月第二次主题党日',
      attendance: Object.values(ids).map((member_id) => ({ member_id, status: 'absent' })) }), 201);
    const six = findings('JT-JG01', 'member.no_life'), three = findings('JT-JG01', 'member.no_life_warn');
    for (const k of ['s6before', 's6']) {
      assert.ok(flagged(six, ids[k]), k + ': back by the 6 months, 6 months without organizational life');
      assert.ok(!flagged(three, ids[k]), k);
    }
    assert.ok(!flagged(six, ids.s6after), 's6after: back for less than 6 months');
    for (const k of ['s6after', 's3before', 's3'])
      assert.ok(flagged(three, ids[k]) && !flagged(six, ids[k]), k + ': back by the 3 months, a warning');
    assert.ok(!flagged(three, ids.s3after) && !flagged(six, ids.s3after), 's3after: back for less than 3 months');
    // Assigned work the same way (the branch's study plan of May, above).
    const work = findings('JT-JG01', 'member.no_work'), workWarn = findings('JT-JG01', 'member.no_work_warn');
    for (const k of ['s6before', 's6'])
      assert.ok(flagged(work, ids[k]), k + ': no work for 6 months');
    for (const k of ['s6after', 's3before', 's3'])
      assert.ok(flagged(workWarn, ids[k]) && !flagged(work, ids[k]), k + ': no work for 3 months');
    assert.ok(!flagged(work, ids.s3after) && !flagged(workWarn, ids.s3after), 's3after');
  });
});
