// develop_cancel.test.mjs — 取消预备党员资格: a 预备党员's membership ends when
// the 上级党委 does not approve the admission (step 17) or, at the
// conversion, when the general meeting found them not fit (step 23,
// decision cancel) and the 上级党委 approves it.  The member record is
// ended (an end event, never deleted): the member leaves the counts from
// that day and stays in those before; the pipeline person leaves the board,
// 待办 and findings; a figure counts the cancellations.  Only the 上级党委
// decides (a branch gets 403), a sibling subtree gets 404, bad input is
// refused with {error, field} and nothing stored.  The day is pinned.
// SQLite by default, PostgreSQL with DJ_PG_URL.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { freshDb, generate, startServer, loginAs, idCard } from '../lib/server.mjs';

const TODAY = '2027-03-15';
const env = { DANGJIAN_TODAY: TODAY };
let db, srv, admin, zhibu, jiguan, hangye, branch, full;
let seq = 500;

async function ok(r, status = 200) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  return r.body;
}
async function refused(r, field, status = 400) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.body.field, field, JSON.stringify(r.body));
  assert.ok(r.body.error, 'a message');
  return r.body;
}
const VOTE = { entitled: 10, present: 8, in_favour: 7 };
function facts(n) {
  if (n === 5) return { mentors: [full[0].id] };
  if (n === 9) return { sponsors: [full[0].id, full[1].id] };
  if (n === 11) return { days: 3, hours: 24 };
  if (n === 15 || n === 23) return VOTE;
  return {};
}
// A person walked (by the administrator) through steps 2..`to`, each on the date given or the previous one.
async function walked(applied, to, dates) {
  const p = await ok(await admin.post('/develop/people', { org_id: branch, name: `取消测试${++seq}`,
    id_card: idCard('19940512', seq), applied_on: applied }), 201);
  let last = applied;
  for (let n = 2; n <= to; n++) {
    last = dates[n] ?? last;
    await ok(await admin.post(`/develop/people/${p.id}/steps`, { step: n, on_date: last, ...facts(n) }), 201);
  }
  return ok(await admin.get(`/develop/people/${p.id}`));
}
const ADMIT = { 2: '2025-06-20', 3: '2025-07-01', 6: '2025-12-20', 7: '2026-07-10', 11: '2026-08-01', 12: '2026-10-01',
  15: '2026-12-01' };
const get = async (id) => ok(await admin.get(`/develop/people/${id}`));
const audits = async (id) => (await ok(await admin.get(`/audit?entity=develop_person&entity_id=${id}&size=100`))).items;
const member = async (id) => ok(await admin.get(`/members/${id}`));
// A figure's value and its record ids, which must agree.
async function fig(id, q, orgId = branch) {
  const f = await ok(await admin.get(`/figures/${id}?org=${orgId}&${q}`));
  const ids = [];
  for (let page = 1; ; page++) {
    const r = await ok(await admin.get(`/figures/${id}/records?org=${orgId}&${q}&size=200&page=${page}`));
    for (const x of r.items) ids.push(x.rid);
    if (r.items.length < 200) break;
  }
  assert.equal(ids.length, f.value, `${id} ${q}: value and records agree`);
  return { value: f.value, by: f.by || {}, ids };
}

before(async () => {
  db = freshDb('develop_cancel');
  generate(db, 'demo', { env });
  srv = await startServer(db, { env });
  admin = await loginAs(srv.base, 'admin');
  zhibu = await loginAs(srv.base, 'zhibu');
  jiguan = await loginAs(srv.base, 'jiguan');
  hangye = await loginAs(srv.base, 'hangye');
  branch = (await zhibu.get('/session')).body.user.org_id;
  full = (await ok(await admin.get(`/members?org=${branch}&status=full&size=5`))).items;
});
after(async () => { await srv.stop(); });

describe('the 上级党委 does not approve the admission (step 17)', () => {
  it('refuses the branch (403), a sibling subtree (404) and bad input, storing nothing', async () => {
    const p = await walked('2025-06-10', 16, { ...ADMIT, 16: '2026-12-10' });
    assert.equal(p.status, 'probationary');
    const url = `/develop/people/${p.id}/cancel`;
    const good = { on_date: '2027-01-10', doc_no: '机党发〔2027〕3号', note: '政治审查发现问题，不予批准' };
    const n = (await audits(p.id)).length;
    const r = await refused(await zhibu.post(url, good), 'step', 403);
    assert.match(r.error, /上级党委/);
    assert.equal((await hangye.post(url, good)).status, 404);
    assert.equal((await jiguan.post('/develop/people/999999999/cancel', good)).status, 404);
    await refused(await jiguan.post(url, { ...good, on_date: undefined }), 'on_date');
    await refused(await jiguan.post(url, { ...good, on_date: '2027-03-16' }), 'on_date');
    await refused(await jiguan.post(url, { ...good, on_date: '2026-12-09' }), 'on_date');
    await refused(await jiguan.post(url, { ...good, doc_no: undefined }), 'doc_no');
    await refused(await jiguan.post(url, { ...good, note: '' }), 'note');
    await refused(await jiguan.post(url, { ...good, note: 'x'.repeat(501) }), 'note');
    const same = await get(p.id);
    assert.equal(same.status, 'probationary');
    assert.equal((await member(p.member_id)).active, 1);
    assert.equal((await audits(p.id)).length, n, 'nothing recorded');
    // The 预备党员 cannot be stopped as an applicant is: the message points here.
    const s = await refused(await zhibu.post(`/develop/people/${p.id}/stop`, { on_date: TODAY, reason: 'unfit' }), 'status', 409);
    assert.match(s.error, /取消预备党员资格/);
    // Nor ended through the roster's own end.
    await refused(await admin.post(`/members/${p.member_id}/end`, { reason: 'probation_cancelled', on_date: '2027-01-10',
      note: 'x' }), 'reason');
  });

  it('ends the membership from that day (counts before keep it), leaves the pipeline, is counted', async () => {
    const p = await walked('2025-06-11', 16, { ...ADMIT, 16: '2026-12-10' });
    const mid = p.member_id;
    const cancelled0 = await fig('develop.probation_cancelled.count', 'from=2027-01-01&to=2027-03-15');
    const prob = async (on) => fig('member.probationary.count', `on=${on}`);
    const before = await prob('2027-01-09');
    assert.ok(before.ids.includes(mid));
    const done = await ok(await jiguan.post(`/develop/people/${p.id}/cancel`, { on_date: '2027-01-10',
      doc_no: '机党发〔2027〕4号', note: '上级党委审批未予批准' }), 201);
    assert.equal(done.status, 'stopped');
    assert.equal(done.stop_reason, 'not_admitted');
    assert.equal(done.stop_label, '上级党委未批准接收为预备党员');
    const s17 = done.steps.find((s) => s.step === 17);
    assert.ok(s17 && !s17.passed && s17.on_date === '2027-01-10', JSON.stringify(done.steps));
    const trail = await audits(p.id);
    assert.equal(trail[0].action, 'develop.cancel');
    // The member record is ended (an event, not a deletion).
    const m = await member(mid);
    assert.equal(m.active, 0);
    const ends = await ok(await admin.get(`/member-ends?member=${mid}`));
    assert.equal(ends.items.length, 1);
    assert.equal(ends.items[0].reason, 'not_admitted');
    assert.equal(ends.items[0].on_date, '2027-01-10');
    assert.equal(ends.items[0].doc_no, '机党发〔2027〕4号');
    // In the counts the day before; not the day of nor after.
    assert.ok((await prob('2027-01-09')).ids.includes(mid));
    const of = await prob('2027-01-10');
    assert.ok(!of.ids.includes(mid));
    assert.ok(!(await prob('2027-01-11')).ids.includes(mid));
    assert.equal((await prob('2027-01-09')).value, before.value);
    const left = await fig('member.ended.count', 'from=2027-01-10&to=2027-01-10');
    assert.ok(left.ids.includes(mid) && left.by['上级党委未批准接收为预备党员'] >= 1, JSON.stringify(left.by));
    const c = await fig('develop.probation_cancelled.count', 'from=2027-01-01&to=2027-03-15');
    assert.equal(c.value, cancelled0.value + 1);
    assert.ok(c.by['上级党委未批准接收'] >= 1);
    assert.equal((await fig('develop.probation_cancelled.count', 'from=2027-01-01&to=2027-01-09')).ids.includes(p.id), false);
    assert.ok(!(await fig('develop.stopped.count', 'from=2027-01-01&to=2027-03-15')).ids.includes(p.id), 'not a 终止发展');
    // The 预备党员 stage figure of the pipeline the day before, not after.
    assert.ok((await fig('develop.probationary.count', 'on=2027-01-09')).ids.includes(p.id));
    assert.ok(!(await fig('develop.probationary.count', 'on=2027-01-10')).ids.includes(p.id));
    // Off the board; again, or a further step, is refused.
    const board = await ok(await admin.get(`/develop/board?org=${branch}&size=500`));
    assert.ok(!board.stages.some((st) => st.items.some((i) => i.id === p.id)));
    await refused(await jiguan.post(`/develop/people/${p.id}/cancel`, { on_date: TODAY, doc_no: 'x', note: 'y' }), 'status', 409);
    await refused(await jiguan.post(`/develop/people/${p.id}/steps`, { step: 17, on_date: TODAY }), 'step', 409);
  });
});

describe('取消预备党员资格 at the conversion (steps 23/24)', () => {
  // Admitted 2025-04-10: probation ends 2026-04-10.
  const DATES = { 2: '2023-12-20', 3: '2024-01-05', 6: '2024-06-01', 7: '2025-01-10', 11: '2025-02-01', 12: '2025-03-01',
    15: '2025-04-10', 16: '2025-04-20', 17: '2025-05-10', 18: '2025-05-20', 19: '2025-06-01', 22: '2026-03-20' };

  it('needs the general meeting first; the 上级党委 decides; the member leaves the roster from that day', async () => {
    const p = await walked('2023-12-10', 22, DATES);
    const url = `/develop/people/${p.id}/cancel`;
    const good = { on_date: '2026-06-01', doc_no: '机党发〔2026〕21号', note: '不具备转正条件' };
    // Before the meeting proposes it: refused (409), by the 上级党委 too.
    await refused(await jiguan.post(url, good), 'status', 409);
    // The meeting decides to cancel (the vote passes): step 24 (conversion) is then refused.
    const v = await ok(await zhibu.post(`/develop/people/${p.id}/steps`, { step: 23, on_date: '2026-04-20', ...VOTE,
      decision: 'cancel' }), 201);
    assert.equal(v.status, 'probationary');
    assert.equal(v.steps.find((s) => s.step === 23).decision, 'cancel');
    await refused(await jiguan.post(`/develop/people/${p.id}/steps`, { step: 24, on_date: '2026-05-01' }), 'step', 409);
    // The branch cannot decide it, a sibling subtree cannot see it.
    await refused(await zhibu.post(url, good), 'step', 403);
    assert.equal((await hangye.post(url, good)).status, 404);
    await refused(await jiguan.post(url, { ...good, on_date: '2026-04-19' }), 'on_date');
    assert.equal((await get(p.id)).status, 'probationary');
    // The 上级党委's approval is due: a 待办 of jiguan's until it is decided.
    const link = `/develop/people/${p.id}`;
    assert.ok((await ok(await jiguan.get('/todos'))).items.some((t) => t.link === link));
    const done = await ok(await jiguan.post(url, good), 201);
    assert.equal(done.stop_reason, 'probation_cancelled');
    assert.equal(done.stop_label, '取消预备党员资格');
    assert.ok(done.steps.some((s) => s.step === 24 && !s.passed && s.decision === 'probation_cancelled'));
    assert.ok(!(await ok(await jiguan.get('/todos'))).items.some((t) => t.link === link), 'no 待办 after');
    assert.ok(!(await ok(await admin.get(`/findings?org=${branch}&rule=develop.overdue`))).items
      .some((f) => f.message.includes(p.name)), 'no finding after');
    const mid = p.member_id;
    assert.equal((await member(mid)).active, 0);
    for (const [on, inIt] of [['2026-05-31', true], ['2026-06-01', false], ['2026-06-02', false]]) {
      assert.equal((await fig('member.member.count', `on=${on}`)).ids.includes(mid), inIt, on);
      assert.equal((await fig('member.probationary.count', `on=${on}`)).ids.includes(mid), inIt, on);
    }
    const c = await fig('develop.probation_cancelled.count', 'from=2026-06-01&to=2026-06-30');
    assert.ok(c.ids.includes(p.id) && c.by['不具备转正条件'] >= 1, JSON.stringify(c));
    // A re-application is a new record from step 1.
    const fresh = await ok(await zhibu.post(`/develop/people/${p.id}/resume`, { applied_on: '2027-01-05' }), 201);
    assert.equal(fresh.step, 1);
  });

  it('refuses a 预备党员 whose probation runs (no meeting yet) and a person not yet admitted', async () => {
    const p = await walked('2023-12-12', 20, DATES);
    await refused(await jiguan.post(`/develop/people/${p.id}/cancel`, { on_date: TODAY, doc_no: 'x', note: 'y' }), 'status', 409);
    const q = await walked('2026-01-10', 2, { 2: '2026-01-20' });
    await refused(await jiguan.post(`/develop/people/${q.id}/cancel`, { on_date: TODAY, doc_no: 'x', note: 'y' }), 'status', 409);
  });
});
