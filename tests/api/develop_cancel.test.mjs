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
import { freshDb, generate, startServer, loginAs, idCard, cli, PASSWORD } from '../lib/server.mjs';

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
  const ids = [], keys = [];
  for (let page = 1; ; page++) {
    const r = await ok(await admin.get(`/figures/${id}/records?org=${orgId}&${q}&size=200&page=${page}`));
    for (const x of r.items) { ids.push(x.rid); keys.push(`${x.rkind}:${x.rid}`); }
    if (r.items.length < 200) break;
  }
  assert.equal(ids.length, f.value, `${id} ${q}: value and records agree`);
  return { value: f.value, by: f.by || {}, ids, keys };
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
    // Before the meeting proposes it: the 上级党委 is asked for the general meeting's resolution.
    await refused(await jiguan.post(url, good), 'meeting_on');
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
    assert.ok(c.ids.includes(p.id) && c.by['不具备党员条件'] >= 1, JSON.stringify(c));
    // A re-application is a new record from step 1.
    const fresh = await ok(await zhibu.post(`/develop/people/${p.id}/resume`, { applied_on: '2027-01-05' }), 201);
    assert.equal(fresh.step, 1);
  });

  it('asks a 预备党员 whose probation runs for the general meeting\'s resolution; refuses a person not yet admitted', async () => {
    const p = await walked('2023-12-12', 20, DATES);
    await refused(await jiguan.post(`/develop/people/${p.id}/cancel`, { on_date: TODAY, doc_no: 'x', note: 'y' }), 'meeting_on');
    const q = await walked('2026-01-10', 2, { 2: '2026-01-20' });
    await refused(await jiguan.post(`/develop/people/${q.id}/cancel`, { on_date: TODAY, doc_no: 'x', note: 'y',
      meeting_on: TODAY }), 'status', 409);
  });
});

// 细则 第三十四、三十五条: a 预备党员 who does not fulfil the duties (不具备党员
//条件) has the qualification cancelled by the general meeting's resolution
// and the 上级党委's approval at any point of the probation — from the
// approval of the admission (step 17) until the conversion is approved
// (step 24).  Someone not admitted, or a 正式党员, is refused.
describe('取消预备党员资格 during the probation (steps 17–23)', () => {
  const DATES = { 2: '2023-12-20', 3: '2024-01-05', 6: '2024-06-01', 7: '2025-01-10', 11: '2025-02-01', 12: '2025-03-01',
    15: '2025-04-10', 16: '2025-04-20', 17: '2025-05-10', 18: '2025-05-20', 19: '2025-06-01', 22: '2026-03-20', 23: '2026-04-20',
    24: '2026-05-10' };
  const good = { on_date: '2026-06-10', meeting_on: '2026-06-01', ...VOTE, doc_no: '机党发〔2026〕30号', note: '严重违纪，不具备党员条件' };

  it('is refused before the admission meeting and after the conversion; at step 16 it is the admission refused', async () => {
    const p14 = await walked('2023-12-13', 14, DATES);
    await refused(await jiguan.post(`/develop/people/${p14.id}/cancel`, good), 'status', 409);
    const p24 = await walked('2023-12-14', 24, DATES);
    assert.equal(p24.status, 'full');
    const r = await refused(await jiguan.post(`/develop/people/${p24.id}/cancel`, good), 'status', 409);
    assert.match(r.error, /正式党员/);
    assert.equal((await member(p24.member_id)).active, 1);
    // Step 16 done, 17 not: the 上级党委 refuses the admission (no meeting needed), not a probation cancelled.
    const p16 = await walked('2023-12-15', 16, DATES);
    const d16 = await ok(await jiguan.post(`/develop/people/${p16.id}/cancel`, { ...good, meeting_on: undefined }), 201);
    assert.equal(d16.stop_reason, 'not_admitted');
  });

  it('from step 17 on: the meeting\'s date is checked, the branch gets 403, then the member leaves from that day', async () => {
    const p = await walked('2023-12-16', 17, DATES);
    const url = `/develop/people/${p.id}/cancel`;
    const n = (await audits(p.id)).length;
    await refused(await jiguan.post(url, { ...good, meeting_on: undefined }), 'meeting_on');
    await refused(await jiguan.post(url, { ...good, meeting_on: '2025-05-09' }), 'meeting_on');	// before step 17
    await refused(await jiguan.post(url, { ...good, meeting_on: 'x' }), 'meeting_on');
    await refused(await jiguan.post(url, { ...good, on_date: '2026-05-31' }), 'on_date');	// before the meeting
    await refused(await zhibu.post(url, good), 'step', 403);
    assert.equal((await get(p.id)).status, 'probationary');
    assert.equal((await audits(p.id)).length, n, 'nothing recorded');
    // The meeting on the day of the last step, the decision the same day: the edges pass.
    const done = await ok(await jiguan.post(url, { ...good, meeting_on: '2025-05-10', on_date: '2025-05-10' }), 201);
    assert.equal(done.stop_reason, 'probation_cancelled');
    const s24 = done.steps.find((s) => s.step === 24);
    assert.ok(s24 && !s24.passed && s24.decision === 'probation_cancelled', JSON.stringify(done.steps));
    const mid = p.member_id;
    assert.equal((await member(mid)).active, 0);
    for (const [on, inIt] of [['2025-05-09', true], ['2025-05-10', false]])
      assert.equal((await fig('member.probationary.count', `on=${on}`)).ids.includes(mid), inIt, on);
    const c = await fig('develop.probation_cancelled.count', 'from=2025-05-10&to=2025-05-10');
    assert.ok(c.ids.includes(p.id) && c.by['不具备党员条件'] >= 1, JSON.stringify(c));
  });

  it('in the middle of the probation (step 20) and after a conversion meeting that voted to convert (step 23)', async () => {
    const p = await walked('2023-12-17', 20, DATES);
    const d = await ok(await jiguan.post(`/develop/people/${p.id}/cancel`, { ...good, on_date: '2025-09-01', meeting_on: '2025-08-20' }), 201);
    assert.equal(d.stop_reason, 'probation_cancelled');
    assert.equal(d.steps.find((s) => s.step === 24).facts.meeting_on, '2025-08-20');
    const q = await walked('2023-12-18', 23, DATES);
    assert.equal(q.steps.find((s) => s.step === 23).decision ?? 'convert', 'convert');
    await refused(await jiguan.post(`/develop/people/${q.id}/cancel`, { ...good, meeting_on: '2026-04-19' }), 'meeting_on');
    const e = await ok(await jiguan.post(`/develop/people/${q.id}/cancel`, good), 201);
    assert.equal(e.stop_reason, 'probation_cancelled');
    assert.equal((await member(q.member_id)).active, 0);
  });
});

// A 预备党员 who came without the pipeline (imported at go-live): the
// qualification is cancelled through the roster's end, by the 上级党委, with
// its 批复文号; a 正式党员, the pipeline's own 预备党员 and not_admitted are
// refused.  Each cancellation is counted once in develop.probation_cancelled
// and once among member.ended's reasons, wherever it came from.
describe('取消预备党员资格 of a 预备党员 without a pipeline record', () => {
  let seqm = 0;
  const typed = async (status, join = '2026-09-01') => ok(await admin.post('/members', { org_id: branch, name: `导入预备${++seqm}`,
    gender: 'male', birth_date: '1996-02-01', join_date: join, status, ...(status === 'full' ? { full_date: '2020-01-01' } : {}) }), 201);
  const good = { reason: 'probation_cancelled', on_date: '2027-02-01', note: '不履行党员义务，经支部大会讨论、上级党委批准取消预备党员资格',
    doc_no: '机党发〔2027〕8号' };

  it('refuses a 正式党员, the pipeline\'s 预备党员, not_admitted, a missing 批复文号 and the branch, storing nothing', async () => {
    const m = await typed('probationary');
    const f = await typed('full', '2019-01-01');
    const ends0 = (await ok(await admin.get(`/member-ends?org=${branch}`))).total;
    const r = await refused(await jiguan.post(`/members/${f.id}/end`, good), 'reason', 409);
    assert.match(r.error, /正式党员/);
    await refused(await jiguan.post(`/members/${m.id}/end`, { ...good, reason: 'not_admitted' }), 'reason');
    await refused(await jiguan.post(`/members/${m.id}/end`, { ...good, doc_no: undefined }), 'doc_no');
    await refused(await zhibu.post(`/members/${m.id}/end`, good), 'reason', 403);
    await refused(await jiguan.post(`/members/${m.id}/end`, { ...good, on_date: '2026-08-31' }), 'on_date');
    const p = await walked('2025-06-12', 16, { ...ADMIT, 16: '2026-12-10' });
    const piped = await refused(await jiguan.post(`/members/${p.member_id}/end`, good), 'reason');
    assert.match(piped.error, /“发展党员”中该人员的页面/);
    assert.ok(!piped.error.includes('/develop'), `no API path in the message: ${piped.error}`);
    assert.equal((await ok(await admin.get(`/member-ends?org=${branch}`))).total, ends0);
    for (const x of [m, f]) assert.equal((await member(x.id)).active, 1);
  });

  it('ends the membership from that day; counted once in each figure, pipeline or not', async () => {
    const m = await typed('probationary');
    const Q = 'from=2027-02-01&to=2027-02-01';
    const c0 = await fig('develop.probation_cancelled.count', Q);
    await ok(await jiguan.post(`/members/${m.id}/end`, good), 201);
    assert.equal((await member(m.id)).active, 0);
    const ends = (await ok(await admin.get(`/member-ends?member=${m.id}`))).items;
    assert.deepEqual(ends.map((e) => [e.reason, e.on_date, e.doc_no]), [['probation_cancelled', '2027-02-01', '机党发〔2027〕8号']]);
    for (const [on, inIt] of [['2027-01-31', true], ['2027-02-01', false], ['2027-02-02', false]]) {
      assert.equal((await fig('member.probationary.count', `on=${on}`)).ids.includes(m.id), inIt, on);
      assert.equal((await fig('member.member.count', `on=${on}`)).ids.includes(m.id), inIt, on);
    }
    // A pipeline person cancelled the same day: both in the one figure, once each.
    const p = await walked('2023-12-19', 20, { 2: '2023-12-20', 3: '2024-01-05', 6: '2024-06-01', 7: '2025-01-10', 11: '2025-02-01',
      12: '2025-03-01', 15: '2025-04-10', 16: '2025-04-20', 17: '2025-05-10', 18: '2025-05-20', 19: '2025-06-01' });
    await ok(await jiguan.post(`/develop/people/${p.id}/cancel`, { on_date: '2027-02-01', meeting_on: '2027-01-20', ...VOTE,
      doc_no: '机党发〔2027〕9号', note: '不具备党员条件' }), 201);
    const c = await fig('develop.probation_cancelled.count', Q);
    assert.equal(c.value, c0.value + 2);
    assert.deepEqual([c.keys.filter((k) => k === `member:${m.id}`).length, c.keys.filter((k) => k === `develop_person:${p.id}`).length],
      [1, 1]);
    const left = await fig('member.ended.count', Q);
    assert.deepEqual([left.ids.filter((x) => x === m.id).length, left.ids.filter((x) => x === p.member_id).length], [1, 1]);
    assert.equal((left.by['取消预备党员资格'] ?? 0) + (left.by['上级党委未批准接收为预备党员'] ?? 0), c.value,
      'the develop figure is the cancellations among the member ends');
    await refused(await jiguan.post(`/members/${m.id}/end`, good), 'member_id', 409);
  });
});

// During the probation the cancellation's own 支部大会 votes as every
// general meeting of the pipeline does (more than half of those with a vote
// present, more than half of them in favour, no more than the branch's 正式
// 党员): a vote that did not pass is no resolution.  The write is one audit
// record (develop.cancel) that carries the member's end.
describe('the general meeting of a cancellation during the probation', () => {
  const DATES = { 2: '2023-12-20', 3: '2024-01-05', 6: '2024-06-01', 7: '2025-01-10', 11: '2025-02-01', 12: '2025-03-01',
    15: '2025-04-10', 16: '2025-04-20', 17: '2025-05-10', 18: '2025-05-20', 19: '2025-06-01' };
  const json = (x) => (typeof x === 'string' ? JSON.parse(x) : x);

  it('needs the vote, refuses one that did not pass or does not add up, and keeps it with the step', async () => {
    const p = await walked('2023-12-07', 20, DATES);
    const url = `/develop/people/${p.id}/cancel`;
    const good = { on_date: '2025-09-01', meeting_on: '2025-08-20', ...VOTE, doc_no: '机党发〔2025〕5号', note: '不具备党员条件' };
    const n = (await audits(p.id)).length;
    for (const k of ['entitled', 'present', 'in_favour']) await refused(await jiguan.post(url, { ...good, [k]: undefined }), k);
    // 5 of 10 present: the meeting cannot vote; 5 of 10 in favour: not passed; 6 and 6 pass (the edges).
    assert.match((await refused(await jiguan.post(url, { ...good, present: 5, in_favour: 5 }), 'present')).error, /半数/);
    assert.match((await refused(await jiguan.post(url, { ...good, present: 8, in_favour: 5 }), 'in_favour')).error, /未通过/);
    await refused(await jiguan.post(url, { ...good, present: 8, in_favour: 9 }), 'in_favour');
    await refused(await jiguan.post(url, { ...good, entitled: 100000, present: 60000, in_favour: 60000 }), 'entitled');
    assert.equal((await get(p.id)).status, 'probationary');
    assert.equal((await member(p.member_id)).active, 1);
    assert.equal((await audits(p.id)).length, n, 'nothing recorded');
    const done = await ok(await jiguan.post(url, { ...good, present: 6, in_favour: 6 }), 201);
    const s24 = done.steps.find((s) => s.step === 24);
    assert.deepEqual([s24.facts.meeting_on, s24.facts.entitled, s24.facts.present, s24.facts.in_favour, s24.passed],
      ['2025-08-20', 10, 6, 6, 0]);
    // One write, one audit record: the end event is in develop.cancel's, the member has none of its own.
    const trail = await audits(p.id);
    assert.equal(trail.length, n + 1);
    assert.equal(trail[0].action, 'develop.cancel');
    const end = json(trail[0].after_json ?? trail[0].after).member_end;
    assert.deepEqual([end.member_id, end.reason, end.on_date, end.doc_no], [p.member_id, 'probation_cancelled', '2025-09-01',
      '机党发〔2025〕5号']);
    const mine = (await ok(await admin.get(`/audit?entity=member&entity_id=${p.member_id}&size=100`))).items;
    assert.ok(!mine.some((a) => a.action === 'member.end'), JSON.stringify(mine.map((a) => a.action)));
  });
});

// A 预备党员 (or a 正式党员 before 材料归档) whose membership ends another
// way — 死亡, 出党, 停止党籍, 转出 — leaves the pipeline that day, in the
// end's own write: no step, cancellation, stop or re-application after it,
// and the pipeline's figures count them up to the day before.
describe('a membership that ends another way while in the pipeline', () => {
  const DATES = { 2: '2023-12-20', 3: '2024-01-05', 6: '2024-06-01', 7: '2025-01-10', 11: '2025-02-01', 12: '2025-03-01',
    15: '2025-04-10', 16: '2025-04-20', 17: '2025-05-10', 18: '2025-05-20', 19: '2025-06-01', 22: '2026-03-20', 23: '2026-04-20',
    24: '2026-05-10' };
  const has = async (id, q, pid) => (await fig(id, q)).ids.includes(pid);

  it('stops the 预备党员\'s record with the end (death); nothing is accepted after; figures follow from that day', async () => {
    const p = await walked('2023-12-08', 20, DATES);
    const mid = p.member_id, url = `/members/${mid}/end`;
    const good = { reason: 'death', on_date: '2026-01-15', note: '因病去世' };
    const n = (await audits(p.id)).length;
    // Dated before the pipeline's last step (2025-06-01): refused, nothing stored.
    await refused(await zhibu.post(url, { ...good, on_date: '2025-05-31' }), 'on_date');
    assert.equal((await member(mid)).active, 1);
    assert.equal((await get(p.id)).status, 'probationary');
    await ok(await zhibu.post(url, good), 201);
    const d = await get(p.id);
    assert.deepEqual([d.status, d.stop_reason, d.stop_label, d.stopped_on, d.stop_note, d.due_step ?? null],
      ['stopped', 'death', '死亡', '2026-01-15', '因病去世', null]);
    assert.equal((await audits(p.id)).length, n, 'the member\'s end is the one record of the write');
    await refused(await zhibu.post(`/develop/people/${p.id}/steps`, { step: 21, on_date: TODAY }), 'step', 409);
    await refused(await jiguan.post(`/develop/people/${p.id}/cancel`, { on_date: TODAY, meeting_on: TODAY, ...VOTE, doc_no: 'x',
      note: 'y' }), 'status', 409);
    await refused(await zhibu.post(`/develop/people/${p.id}/stop`, { on_date: TODAY, reason: 'unfit' }), 'status', 409);
    await refused(await zhibu.post(`/develop/people/${p.id}/resume`, { applied_on: TODAY }), 'status', 409);
    for (const [on, inIt] of [['2026-01-14', true], ['2026-01-15', false], [TODAY, false]]) {
      assert.equal(await has('develop.probationary.count', `on=${on}`, p.id), inIt, `probationary ${on}`);
      assert.equal(await has('develop.stage.count', `on=${on}`, p.id), inIt, `stage ${on}`);
    }
    assert.ok(!(await has('develop.stopped.count', `from=2026-01-01&to=${TODAY}`, p.id)), 'not a 终止发展');
    const board = await ok(await admin.get(`/develop/board?org=${branch}&size=500`));
    assert.ok(!board.stages.some((st) => st.items.some((i) => i.id === p.id)));
    const r = cli(['figures', '--db', db.url, '--key', db.key, '--org', String(branch), '--module', 'develop', '--check',
      '--from', '2026-01-01', '--to', TODAY], { env });
    assert.equal(r.code, 0, r.out + r.err);
  });

  it('a 预备党员 transferred out of the platform (a letter) leaves it on the letter\'s day', async () => {
    const p = await walked('2023-12-06', 19, DATES);
    await ok(await zhibu.post('/transfers', { member_id: p.member_id, place: '中共某省交通运输厅机关委员会',
      letter_no: '组转字〔2026〕D01号', on_date: '2026-02-01' }), 201);
    const d = await get(p.id);
    assert.deepEqual([d.status, d.stop_reason, d.stop_label, d.stopped_on], ['stopped', 'transfer_out', '转出', '2026-02-01']);
    await refused(await zhibu.post(`/develop/people/${p.id}/steps`, { step: 20, on_date: TODAY }), 'step', 409);
  });

  // Back on the roster by a letter received back, the 预备党员 is not left
  // stuck (a stopped pipeline, and the roster's conversion refused to a piped
  // member): the 上级党委 goes on with the same record (继续发展); the stop
  // stays on it as history, and the figures leave out the days away.
  it('back by a letter, the 上级党委 continues the same record; the days away stay out of the figures', async () => {
    const p = await walked('2023-12-05', 20, DATES);
    const letter = { place: '中共某省交通运输厅机关委员会', letter_no: '组转字〔2026〕D02号' };
    await ok(await zhibu.post('/transfers', { member_id: p.member_id, ...letter, on_date: '2026-02-01' }), 201);
    const s0 = await get(p.id);
    assert.deepEqual([s0.status, s0.stop_reason, s0.can_continue], ['stopped', 'transfer_out', false]);
    await refused(await jiguan.post(`/develop/people/${p.id}/resume`, {}), 'status', 409);
    await ok(await zhibu.post('/transfers/in', { to_org_id: branch, ...letter, letter_no: '外转字〔2026〕D02号', on_date: '2026-05-10',
      member_id: p.member_id }), 201);
    let d = await get(p.id);
    assert.deepEqual([d.status, d.can_continue, d.member_back_on], ['stopped', true, '2026-05-10']);
    assert.equal((await hangye.get(`/develop/people/${p.id}`)).status, 404, 'back in its own subtree: a sibling sees nothing');
    const todos = await ok(await jiguan.get('/todos'));
    assert.ok((todos.items || todos).some((t) => t.kind === 'develop_continue' && t.link === `/develop/people/${p.id}`), 'the 上级党委\'s 待办');
    assert.match((await refused(await zhibu.post(`/members/${p.member_id}/convert`, { full_date: TODAY }), 'id', 409)).error, /继续发展/);
    await refused(await zhibu.post(`/develop/people/${p.id}/resume`, {}), 'status', 403);
    const n = (await audits(p.id)).length;
    d = await ok(await jiguan.post(`/develop/people/${p.id}/resume`, {}), 201);
    assert.deepEqual([d.id, d.status, d.step, d.stopped_on, d.stop_reason, d.resumed_on, d.can_continue, d.next_id ?? null],
      [p.id, 'probationary', 20, '2026-02-01', 'transfer_out', '2026-05-10', false, null]);
    const trail = await audits(p.id);
    assert.equal(trail.length, n + 1);
    assert.equal(trail[0].action, 'develop.continue');
    await refused(await jiguan.post(`/develop/people/${p.id}/resume`, { applied_on: TODAY }), 'status', 409);
    await ok(await zhibu.post(`/develop/people/${p.id}/steps`, { step: 21, on_date: '2026-05-20' }), 201);
    // A second 转出 and return: the first continuation stays in the
    // record's history (gaps), and the 上级党委 continues it again.
    const gap1 = { stopped_on: '2026-02-01', stop_reason: 'transfer_out', stop_label: '转出', resumed_on: '2026-05-10' };
    const gaps = (x) => x.gaps.map((g) => ({ stopped_on: g.stopped_on, stop_reason: g.stop_reason, stop_label: g.stop_label,
      resumed_on: g.resumed_on }));
    assert.deepEqual(gaps(await get(p.id)), [gap1]);
    await ok(await zhibu.post('/transfers', { member_id: p.member_id, ...letter, letter_no: '组转字〔2026〕D12号', on_date: '2026-07-01' }), 201);
    d = await get(p.id);
    assert.deepEqual([d.status, d.stopped_on, d.resumed_on ?? null, d.can_continue], ['stopped', '2026-07-01', null, false]);
    assert.deepEqual(gaps(d), [gap1], 'the first continuation is still on the record');
    await ok(await zhibu.post('/transfers/in', { to_org_id: branch, ...letter, letter_no: '外转字〔2026〕D12号', on_date: '2026-08-10',
      member_id: p.member_id }), 201);
    assert.equal((await get(p.id)).can_continue, true);
    d = await ok(await jiguan.post(`/develop/people/${p.id}/resume`, {}), 201);
    assert.deepEqual([d.id, d.status, d.step, d.stopped_on, d.resumed_on], [p.id, 'probationary', 21, '2026-07-01', '2026-08-10']);
    assert.deepEqual(gaps(await get(p.id)), [gap1, { ...gap1, stopped_on: '2026-07-01', resumed_on: '2026-08-10' }]);
    for (const [on, inIt] of [['2026-01-31', true], ['2026-02-01', false], ['2026-05-09', false], ['2026-05-10', true],
      ['2026-06-30', true], ['2026-07-01', false], ['2026-08-09', false], ['2026-08-10', true], [TODAY, true]]) {
      assert.equal(await has('develop.probationary.count', `on=${on}`, p.id), inIt, `probationary ${on}`);
      assert.equal(await has('develop.stage.count', `on=${on}`, p.id), inIt, `stage ${on}`);
    }
    const board = await ok(await admin.get(`/develop/board?org=${branch}&size=500`));
    assert.ok(board.stages.some((st) => st.items.some((i) => i.id === p.id)), 'on the board again');
  });

  // Back by a letter into a sibling subtree: the 上级党委 of the member's
  // current org decides (it will approve the conversion there).  It has the
  // 待办, may open the stopped record and continue it; the record then moves
  // there.  Until then the old subtree keeps it as history and may not
  // continue it; a branch never may; nothing changes on a refusal.
  it('back by a letter into another subtree, that subtree\'s 上级党委 continues it; the old one and branches may not', async () => {
    const p = await walked('2023-12-04', 20, DATES);
    const HY0101 = (await ok(await admin.get('/orgs?q=JT-HY0101&size=50'))).items.find((o) => o.code === 'JT-HY0101').id;
    await ok(await admin.post('/users', { username: 'cancel-hy0101', password: PASSWORD, role: 'branch_admin', org_id: HY0101 }), 201);
    const roles = { admin, jiguan, zhibu, hangye, hyzhibu: await loginAs(srv.base, 'cancel-hy0101'),
      dangyuan: await loginAs(srv.base, 'dangyuan') };
    const url = `/develop/people/${p.id}`;
    const letter = { place: '中共某省交通运输厅机关委员会', letter_no: '组转字〔2026〕D03号' };
    await ok(await jiguan.post('/transfers', { member_id: p.member_id, ...letter, on_date: '2026-02-01' }), 201);
    assert.equal((await hangye.get(url)).status, 404, 'away: not the other subtree\'s');
    await ok(await admin.post('/transfers/in', { to_org_id: HY0101, ...letter, letter_no: '外转字〔2026〕D03号', on_date: '2026-05-10',
      member_id: p.member_id }), 201);
    assert.equal((await member(p.member_id)).org_id, HY0101);
    const todo = async (c) => { const t = await ok(await c.get('/todos')); return (t.items || t).find((x) => x.kind === 'develop_continue' && x.link === url); };
    const t = await todo(hangye);
    assert.ok(t, 'the new 上级党委\'s 待办');
    assert.equal(t.org_id, HY0101, 'named by the member\'s current org');
    for (const r of ['jiguan', 'zhibu', 'hyzhibu', 'admin']) assert.equal(await todo(roles[r]), undefined, `no 待办 for ${r}`);
    // Who may open it (the old subtree: history) and who may continue it.
    const seen = {};
    for (const [r, c] of Object.entries(roles)) {
      const g = await c.get(url);
      seen[r] = g.status === 200 ? [g.body.org_id, g.body.status, g.body.can_continue] : g.status;
    }
    assert.deepEqual(seen, { admin: [branch, 'stopped', true], jiguan: [branch, 'stopped', false], zhibu: [branch, 'stopped', false],
      hangye: [branch, 'stopped', true], hyzhibu: [branch, 'stopped', false], dangyuan: 403 });
    assert.equal((await hangye.get(url)).body.member_back_on, '2026-05-10');
    // Refusals: the old 上级党委 and the branches 403, the member 403; the
    // new 上级党委 only opens and continues (its other writes stay 404).
    const n = (await audits(p.id)).length;
    for (const r of ['jiguan', 'zhibu', 'hyzhibu']) await refused(await roles[r].post(`${url}/resume`, {}), 'status', 403);
    assert.equal((await roles.dangyuan.post(`${url}/resume`, {})).status, 403);
    assert.equal((await hangye.post(`${url}/steps`, { step: 21, on_date: TODAY })).status, 404);
    assert.equal((await hangye.post(`${url}/stop`, { on_date: TODAY, reason: 'unfit' })).status, 404);
    assert.equal((await hangye.post(`${url}/cancel`, { on_date: TODAY, meeting_on: TODAY, ...VOTE, doc_no: 'x', note: 'y' })).status, 404);
    assert.equal((await hangye.post(`${url}/reveal`, { field: 'id_card' })).status, 404);
    assert.equal((await audits(p.id)).length, n, 'nothing recorded');
    let d = await get(p.id);
    assert.deepEqual([d.org_id, d.status, d.resumed_on ?? null], [branch, 'stopped', null]);
    d = await ok(await hangye.post(`${url}/resume`, {}), 201);
    assert.deepEqual([d.id, d.org_id, d.status, d.step, d.stopped_on, d.resumed_on, d.can_continue],
      [p.id, HY0101, 'probationary', 20, '2026-02-01', '2026-05-10', false]);
    const trail = await audits(p.id);
    assert.deepEqual([trail.length, trail[0].action], [n + 1, 'develop.continue']);
    // Moved: the new subtree goes on with it, the old one no longer sees it.
    assert.equal(await todo(hangye), undefined);
    for (const r of ['jiguan', 'zhibu']) {
      assert.equal((await roles[r].get(url)).status, 404, r);
      await refused(await roles[r].post(`${url}/resume`, {}), 'id', 404);
    }
    // Not stopped now: the state answers (409) before the missing applied_on.
    await refused(await hangye.post(`${url}/resume`, {}), 'status', 409);
    await ok(await roles.hyzhibu.post(`${url}/steps`, { step: 21, on_date: '2026-05-20' }), 201);
  });

  it('a 正式党员 before 材料归档 who is expelled leaves it too; the conversion before stays counted', async () => {
    const p = await walked('2023-12-09', 24, DATES);
    assert.equal(p.status, 'full');
    await ok(await jiguan.post(`/members/${p.member_id}/end`, { reason: 'expulsion', on_date: '2026-07-01', note: '严重违纪',
      doc_no: '机纪〔2026〕2号' }), 201);
    const d = await get(p.id);
    assert.deepEqual([d.status, d.stop_reason, d.stop_label], ['stopped', 'expulsion', '开除党籍']);
    await refused(await zhibu.post(`/develop/people/${p.id}/steps`, { step: 25, on_date: TODAY }), 'step', 409);
    assert.ok(await has('develop.on_time.count', 'from=2026-04-01&to=2026-04-30', p.id));
    assert.ok(await has('develop.stage.count', 'on=2026-06-30', p.id));
    assert.ok(!(await has('develop.stage.count', 'on=2026-07-01', p.id)));
  });
});
