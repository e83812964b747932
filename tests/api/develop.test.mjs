// develop.test.mjs — 发展党员: the 25 steps in order with their facts, every
// time limit at its edge (the day before, of and after), the member record
// made at step 15 and converted at step 24 with the figures following, and
// bad input refused with nothing stored.  The server's day is pinned: the
// dates below are the test's own.  SQLite by default, PostgreSQL with DJ_PG_URL.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { freshDb, generate, startServer, loginAs, idCard } from '../lib/server.mjs';

const TODAY = '2027-03-15';
const env = { DANGJIAN_TODAY: TODAY };
let db, srv, admin, zhibu, jiguan, branch, full, probationary, temp, other;
let seq = 100;

// YYYY-MM-DD shifted by months and days (month ends clamped, as the server does).
function shift(d, months = 0, days = 0) {
  let [y, m, dd] = d.split('-').map(Number);
  m += months;
  y += Math.floor((m - 1) / 12);
  m = ((m - 1) % 12 + 12) % 12 + 1;
  const dim = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const t = Date.UTC(y, m - 1, Math.min(dd, dim)) + days * 86400e3;
  return new Date(t).toISOString().slice(0, 10);
}

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

// A 身份证号 with a wrong check character.
function badCard() {
  const good = idCard('19900101', 1);
  return good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
}

async function person(applied, extra = {}) {
  const name = `发展测试${++seq}`;
  return ok(await admin.post('/develop/people', { org_id: branch, name, id_card: idCard('19950310', seq),
    applied_on: applied, ...extra }), 201);
}
const VOTE = { entitled: 10, present: 8, in_favour: 7 };
// The facts each step needs, for walking a person along.
function facts(n) {
  if (n === 5) return { mentors: [full[0].id] };
  if (n === 9) return { sponsors: [full[0].id, full[1].id] };
  if (n === 11) return { days: 3, hours: 24 };
  if (n === 15 || n === 23) return VOTE;
  return {};
}
async function stepAt(id, n, on, extra = {}) {
  return admin.post(`/develop/people/${id}/steps`, { step: n, on_date: on, by: '支部书记', ...facts(n), ...extra });
}
// Walk through steps `from`..`to`, each on the given date (or the previous one).
async function walk(id, from, to, dates) {
  let last;
  for (let n = from; n <= to; n++) {
    last = dates[n] ?? last;
    await ok(await stepAt(id, n, last), 201);
  }
}
async function get(id) { return ok(await admin.get(`/develop/people/${id}`)); }
async function count() { return (await ok(await admin.get(`/develop/people?org=${branch}&size=1`))).total; }
async function figure(id, q) { return (await ok(await admin.get(`/figures/${id}?org=${branch}&${q}`))); }
async function records(id, q) { return (await ok(await admin.get(`/figures/${id}/records?org=${branch}&${q}&size=200`))).items; }

before(async () => {
  db = freshDb('develop');
  generate(db, 'demo', { env });
  srv = await startServer(db, { env });
  admin = await loginAs(srv.base, 'admin');
  zhibu = await loginAs(srv.base, 'zhibu');
  jiguan = await loginAs(srv.base, 'jiguan');
  branch = (await zhibu.get('/session')).body.user.org_id;
  full = (await ok(await admin.get(`/members?org=${branch}&status=full&size=5`))).items;
  probationary = (await ok(await admin.post('/members', { org_id: branch, name: '预备测试', gender: 'male',
    birth_date: '1990-01-01', join_date: '2026-09-01', status: 'probationary' }), 201));
  const orgs = (await ok(await admin.get('/orgs?size=200'))).items;
  temp = orgs.find((o) => o.kind === 'temporary_branch');
  other = orgs.find((o) => o.code === 'JT-HY0101');
  assert.ok(full.length >= 2 && temp && other);
});
after(async () => { await srv.stop(); });

describe('entering the pipeline', () => {
  it('refuses a 临时党支部, an applicant under 18, a bad 身份证号, a date after today; stores nothing', async () => {
    const before = await count();
    await refused(await admin.post('/develop/people', { org_id: temp.id, name: '临时', gender: 'male', birth_date: '1990-01-01',
      applied_on: '2026-01-01' }), 'org_id');
    // 18 on the day of the application: the day before is refused, the day of and the day after are not.
    await refused(await admin.post('/develop/people', { org_id: branch, name: '未满', gender: 'female', birth_date: '2008-03-16',
      applied_on: '2026-03-15' }), 'birth_date');
    await refused(await admin.post('/develop/people', { org_id: branch, name: '坏号', id_card: badCard(),
      applied_on: '2026-03-15' }), 'id_card');
    await refused(await admin.post('/develop/people', { org_id: branch, name: '未来', gender: 'male', birth_date: '1990-01-01',
      applied_on: shift(TODAY, 0, 1) }), 'applied_on');
    await refused(await admin.post('/develop/people', { org_id: branch, gender: 'male', birth_date: '1990-01-01',
      applied_on: '2026-01-01' }), 'name');
    assert.equal(await count(), before, 'nothing stored');
    await ok(await admin.post('/develop/people', { org_id: branch, name: '刚满', gender: 'female', birth_date: '2008-03-15',
      applied_on: '2026-03-15' }), 201);
    await ok(await admin.post('/develop/people', { org_id: branch, name: '已满', gender: 'female', birth_date: '2008-03-14',
      applied_on: '2026-03-15' }), 201);
    // The same 身份证号 twice, or one of a member: a conflict.
    const p = await person('2026-01-05');
    const again = await admin.post('/develop/people', { org_id: branch, name: '重复', id_card: idCard('19950310', seq),
      applied_on: '2026-01-05' });
    await refused(again, 'id_card', 409);
    assert.equal(p.status, 'applicant');
    assert.equal(p.steps.length, 1);
    assert.match(p.id_card, /^\*+\d{3}[\dX]$/, 'masked');
  });
});

describe('time limits at their edges', () => {
  it('talk within a month: due the day before today is overdue (finding, 待办), the day of and after are not', async () => {
    const ps = [];
    for (const d of [-1, 0, 1]) ps.push(await person(shift(shift(TODAY, 0, d), -1)));
    const [late, due, early] = await Promise.all(ps.map((p) => get(p.id)));
    assert.deepEqual([late.due_on, due.due_on, early.due_on], [shift(TODAY, 0, -1), TODAY, shift(TODAY, 0, 1)]);
    assert.deepEqual([late.overdue, due.overdue, early.overdue], [true, false, false]);
    assert.equal(late.due_step, 2);
    const findings = (await ok(await admin.get(`/findings?org=${branch}`))).items
      .filter((f) => f.rule === 'develop.overdue').map((f) => f.message).join('\n');
    assert.ok(findings.includes(late.name) && !findings.includes(due.name) && !findings.includes(early.name), findings);
    const todos = (await ok(await zhibu.get('/todos'))).items.filter((t) => t.module === 'develop');
    for (const p of [late, due, early]) assert.ok(todos.some((t) => t.title.includes(p.name)), p.name);
    assert.equal(todos.find((t) => t.title.includes(late.name)).overdue, true);
    assert.equal(todos.find((t) => t.title.includes(due.name)).overdue, false);
    const overdue = (await records('develop.overdue.count', `on=${TODAY}`)).map((r) => r.title);
    assert.ok(overdue.includes(late.name) && !overdue.includes(due.name));
    // A talk held a day after the limit is recorded as late; on the day, not.
    const a = await person('2026-01-10'), b = await person('2026-01-10'), c = await person('2026-01-10');
    await ok(await stepAt(a.id, 2, '2026-02-09'), 201);
    await ok(await stepAt(b.id, 2, '2026-02-10'), 201);
    await ok(await stepAt(c.id, 2, '2026-02-11'), 201);
    const lateOf = async (p) => (await get(p.id)).steps.find((s) => s.step === 2).late;
    assert.deepEqual([await lateOf(a), await lateOf(b), await lateOf(c)], [0, 0, 1]);
  });

  it('an activist is assessed every 6 months: overdue the day after the limit', async () => {
    const ps = [];
    for (const d of [-1, 0, 1]) {
      const p = await person('2025-01-05');
      await walk(p.id, 2, 3, { 2: '2025-01-20', 3: shift(shift(TODAY, 0, d), -6) });
      ps.push(await get(p.id));
    }
    assert.deepEqual(ps.map((p) => [p.due_step, p.overdue]), [[6, true], [6, false], [6, false]]);
    assert.equal(ps[0].status, 'activist');
  });

  it('a candidate after a year as an activist, with 1–2 mentors, 2 full sponsors and 3 days or 24 hours of training', async () => {
    const p = await person('2025-01-05');
    await walk(p.id, 2, 4, { 2: '2025-01-20', 3: '2025-03-01' });
    // Out of order: step 7 before 5 and 6; step 1 again.
    await refused(await stepAt(p.id, 7, '2026-03-01'), 'step', 409);
    await refused(await stepAt(p.id, 1, '2026-03-01'), 'step', 409);
    // Mentors: none, three, a probationary member, one of another subtree.
    await refused(await stepAt(p.id, 5, '2025-03-10', { mentors: [] }), 'mentors');
    await refused(await stepAt(p.id, 5, '2025-03-10', { mentors: [full[0].id, full[1].id, full[2].id] }), 'mentors');
    await refused(await stepAt(p.id, 5, '2025-03-10', { mentors: [probationary.id] }), 'mentors');
    await refused(await zhibu.post(`/develop/people/${p.id}/steps`, { step: 5, on_date: '2025-03-10', mentors: [999999999] }),
      'mentors', 404);
    // A date before the previous step's.
    await refused(await stepAt(p.id, 5, '2025-02-28'), 'on_date');
    await ok(await stepAt(p.id, 5, '2025-03-10'), 201);
    await ok(await stepAt(p.id, 6, '2025-09-01'), 201);
    await ok(await stepAt(p.id, 6, '2026-02-20'), 201);	// assessed again (repeats)
    // A year after 2025-03-01: the day before is refused, the day of is not.
    await refused(await stepAt(p.id, 7, '2026-02-28'), 'on_date');
    await ok(await stepAt(p.id, 7, '2026-03-01'), 201);
    await ok(await stepAt(p.id, 8, '2026-03-05'), 201);
    await refused(await stepAt(p.id, 9, '2026-03-06', { sponsors: [full[0].id] }), 'sponsors');
    await refused(await stepAt(p.id, 9, '2026-03-06', { sponsors: [full[0].id, probationary.id] }), 'sponsors');
    await refused(await stepAt(p.id, 9, '2026-03-06', { sponsors: [full[0].id, full[0].id] }), 'sponsors');
    await ok(await stepAt(p.id, 9, '2026-03-06'), 201);
    await ok(await stepAt(p.id, 10, '2026-03-20'), 201);
    await refused(await stepAt(p.id, 11, '2026-04-01', { days: 2, hours: 23 }), 'hours');
    await ok(await stepAt(p.id, 11, '2026-04-01', { days: 2, hours: 24 }), 201);
    const got = await get(p.id);
    assert.equal(got.status, 'candidate');
    assert.equal(got.candidate_on, '2026-03-01');
    assert.equal(got.steps.filter((s) => s.step === 6).length, 2);
    assert.deepEqual(got.steps.find((s) => s.step === 9).facts.sponsors.map((s) => s.id), [full[0].id, full[1].id]);
  });
});

describe('the pipeline end to end', () => {
  it('through the general meeting to 预备党员, approval, an extension, conversion to 正式党员, with the figures', async () => {
    const p = await person('2024-01-10');
    await walk(p.id, 2, 14, { 2: '2024-01-25', 3: '2024-03-01', 6: '2024-08-20', 7: '2025-03-01', 11: '2025-04-10',
      12: '2025-05-10' });
    const meeting = '2025-06-01';
    // The vote: more than half of those entitled present, and more than half of them in favour.
    await refused(await stepAt(p.id, 15, meeting, { entitled: 10, present: 5, in_favour: 5 }), 'present');
    await refused(await stepAt(p.id, 15, meeting, { entitled: 10, present: 6, in_favour: 5 }), 'in_favour');
    await refused(await stepAt(p.id, 15, meeting, { entitled: 10, present: 6, in_favour: 4 }), 'in_favour');
    await refused(await stepAt(p.id, 15, meeting, { entitled: 10, present: 6, in_favour: 7 }), 'in_favour');
    await refused(await stepAt(p.id, 15, meeting, { entitled: 10, present: 11, in_favour: 7 }), 'present');
    // Those with a vote are the branch's 正式党员: no more can be entitled than the roster holds.
    const voters = (await ok(await admin.get(`/members?org=${branch}&status=full&size=1`))).total;
    assert.ok(voters >= 10, 'the demo branch has the 10 voters the test counts on');
    const many = voters + 1;
    await refused(await stepAt(p.id, 15, meeting, { entitled: many, present: many, in_favour: many }), 'entitled');
    let got = await get(p.id);
    assert.equal(got.status, 'candidate');
    assert.equal(got.member_id, null, 'no member record yet');
    // A vote that did not pass, recorded as such: the person stays a candidate.
    await ok(await stepAt(p.id, 15, '2025-05-20', { entitled: 10, present: 6, in_favour: 4, result: 'failed' }), 201);
    got = await get(p.id);
    assert.equal(got.status, 'candidate');
    assert.equal(got.step, 14);
    await ok(await stepAt(p.id, 15, meeting, { entitled: 10, present: 6, in_favour: 6 }), 201);
    got = await get(p.id);
    assert.equal(got.status, 'probationary');
    assert.equal(got.probation_end, '2026-06-01');
    assert.ok(got.member_id);
    const m = await ok(await admin.get(`/members/${got.member_id}`));
    assert.equal(m.status, 'probationary');
    assert.equal(m.join_date, meeting);
    assert.equal(m.org_id, branch);
    assert.equal(m.name, p.name);
    assert.ok((await ok(await admin.get(`/members?org=${branch}&status=probationary&size=200`))).items.some((x) => x.id === m.id));
    // Approval within 3 months (late after), at most 6 (refused after).
    await ok(await stepAt(p.id, 16, '2025-06-10'), 201);
    got = await get(p.id);
    assert.deepEqual([got.due_step, got.due_on], [17, '2025-09-01']);
    await refused(await stepAt(p.id, 17, '2025-12-02'), 'on_date');
    await ok(await stepAt(p.id, 17, '2025-12-01'), 201);
    got = await get(p.id);
    assert.equal(got.steps.find((s) => s.step === 17).late, 1);
    await walk(p.id, 18, 22, { 18: '2025-12-10', 21: '2026-03-01', 22: '2026-05-20' });
    assert.deepEqual([(await get(p.id)).due_step, (await get(p.id)).due_on], [23, '2026-06-15']);
    // The conversion meeting: not before the probation ends; an extension of 6–12 months, once.
    await refused(await stepAt(p.id, 23, '2026-05-31'), 'on_date');
    await refused(await stepAt(p.id, 23, '2026-06-01', { decision: 'extend', extend_months: 5 }), 'extend_months');
    await refused(await stepAt(p.id, 23, '2026-06-01', { decision: 'extend', extend_months: 13 }), 'extend_months');
    await refused(await admin.post(`/members/${m.id}/convert`, { full_date: '2026-06-01' }), 'id', 409);
    await ok(await stepAt(p.id, 23, '2026-06-01', { decision: 'extend', extend_months: 6 }), 201);
    got = await get(p.id);
    assert.equal(got.probation_end, '2026-12-01');
    assert.equal(got.extensions, 1);
    assert.equal(got.step, 21, 'education goes on');
    assert.equal((await ok(await admin.get(`/members/${m.id}`))).probation_end, '2026-12-01');
    await ok(await stepAt(p.id, 22, '2026-11-20'), 201);
    await refused(await stepAt(p.id, 23, '2026-12-01', { decision: 'extend', extend_months: 6 }), 'decision', 409);
    await ok(await stepAt(p.id, 23, '2026-12-01'), 201);
    got = await get(p.id);
    assert.deepEqual([got.due_step, got.due_on], [24, '2027-03-01']);
    await ok(await stepAt(p.id, 24, '2027-01-10'), 201);
    await ok(await stepAt(p.id, 25, '2027-01-20'), 201);
    await refused(await stepAt(p.id, 25, '2027-01-21'), 'step', 409);
    await refused(await stepAt(p.id, 26, '2027-01-21'), 'step');
    got = await get(p.id);
    assert.equal(got.status, 'full');
    assert.equal(got.full_on, '2026-12-01');
    const after = await ok(await admin.get(`/members/${m.id}`));
    assert.equal(after.status, 'full');
    assert.equal(after.full_date, '2026-12-01', '党龄 from the end of the probation');
    // Figures follow, and list the records they count.
    const y25 = 'from=2025-01-01&to=2025-12-31', y26 = 'from=2026-01-01&to=2026-12-31';
    assert.ok((await records('develop.admitted.count', y25)).some((r) => r.rid === p.id));
    assert.ok((await records('develop.converted.count', y26)).some((r) => r.rid === p.id));
    assert.ok(!(await records('develop.on_time.count', y26)).some((r) => r.rid === p.id), 'extended: not on time');
    assert.ok((await records('develop.extended.count', y26)).some((r) => r.rid === p.id));
    assert.ok((await records('develop.vote_failed.count', y25)).some((r) => r.rid === p.id));
    assert.ok((await records('member.converted.count', y26)).some((r) => r.rid === m.id));
    assert.ok((await records('develop.probationary.count', 'on=2026-06-30')).some((r) => r.rid === p.id));
    assert.ok(!(await records('develop.probationary.count', `on=${TODAY}`)).some((r) => r.rid === p.id));
    assert.ok((await records('develop.candidate.count', 'on=2025-05-31')).some((r) => r.rid === p.id));
    const v = await figure('develop.admitted.count', y25);
    assert.equal(v.value, (await records('develop.admitted.count', y25)).length);
    // The audit trail holds each step.
    const audit = (await ok(await admin.get(`/audit?entity=develop_person&entity_id=${p.id}&size=100`))).items;
    assert.ok(audit.filter((x) => x.action === 'develop.step').length >= 25);
  });

  it('the board by stage, the month\'s due list, and a step document', async () => {
    const board = await ok(await admin.get(`/develop/board?org=${branch}`));
    assert.equal(board.stages.length, 5);
    assert.ok(board.stages.every((s) => s.count >= s.items.length));
    const due = await ok(await zhibu.get('/develop/due'));
    assert.equal(due.month, TODAY.slice(0, 7));
    assert.ok(due.items.length > 0);
    const p = await person('2026-03-01');
    const sid = (await get(p.id)).steps[0].id;
    const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
    await ok(await admin.req('POST', `/develop/steps/${sid}/attachments?filename=申请书.pdf`, new Uint8Array(PDF)), 201);
    assert.equal((await get(p.id)).steps[0].files[0].filename, '申请书.pdf');
  });

  it('keeps to the actor\'s subtree', async () => {
    const p = await ok(await admin.post('/develop/people', { org_id: (await ok(await admin.get('/orgs?q=JT-HY0101'))).items[0].id,
      name: '乙方申请人', gender: 'male', birth_date: '1995-01-01', applied_on: '2026-01-05' }), 201);
    for (const c of [zhibu, jiguan]) {
      assert.equal((await c.get(`/develop/people/${p.id}`)).status, 404);
      assert.equal((await c.post(`/develop/people/${p.id}/steps`, { step: 2, on_date: '2026-01-20' })).status, 404);
      const list = await ok(await c.get('/develop/people?size=200'));
      assert.ok(!JSON.stringify(list).includes('乙方申请人'));
    }
    assert.equal((await zhibu.post('/develop/people', { org_id: other.id, name: 'x', gender: 'male', birth_date: '1990-01-01',
      applied_on: '2026-01-01' })).status >= 403, true);
  });
});

describe('who records a step', () => {
  it('the 上级党委\'s steps (预审, 审批 …) are refused to the branch and taken from the 党委 above', async () => {
    const p = await person('2024-02-10');
    await walk(p.id, 2, 12, { 2: '2024-02-25', 3: '2024-03-01', 6: '2024-08-20', 7: '2025-03-05', 11: '2025-04-10',
      12: '2025-05-10' });
    const before = await get(p.id);
    const r = await refused(await zhibu.post(`/develop/people/${p.id}/steps`, { step: 13, on_date: '2025-05-20' }), 'step', 403);
    assert.match(r.error, /上级党委/);
    assert.deepEqual(await get(p.id), before, 'nothing stored');
    // The branch's own next steps stay the branch's: a step of the 上级党委 by the org_admin of the 党委 above.
    await ok(await jiguan.post(`/develop/people/${p.id}/steps`, { step: 13, on_date: '2025-05-20' }), 201);
    await ok(await zhibu.post(`/develop/people/${p.id}/steps`, { step: 14, on_date: '2025-05-25' }), 201);
  });

  it('the overdue step of a branch without an account reaches the 党委 above (待办)', async () => {
    // A branch of jiguan's subtree that holds no account of its own.
    const top = (await ok(await jiguan.get('/session'))).user.org_id;
    const children = await ok(await jiguan.get(`/orgs/tree?parent=${top}`));
    const manned = new Set((await ok(await admin.get('/users?size=200'))).items.map((u) => u.org_id));
    const lone = children.find((o) => o.kind === 'branch' && !manned.has(o.id));
    assert.ok(lone, 'a branch without an account: ' + JSON.stringify(children.map((o) => [o.id, o.kind])));
    // Applied two months ago, no talk yet: step 2 is overdue (talk within a month).
    const p = await ok(await admin.post('/develop/people', { org_id: lone.id, name: '无账号支部申请人',
      id_card: idCard('19960410', 77), applied_on: shift(TODAY, -2) }), 201);
    const link = `/develop/people/${p.id}`;
    assert.ok((await ok(await jiguan.get('/todos'))).items.some((t) => t.link === link), 'the 党委 above sees it');
    assert.ok(!(await ok(await zhibu.get('/todos'))).items.some((t) => t.link === link), 'another branch does not');
  });
});

describe('import and export', () => {
  it('reads the national system\'s headings, refuses the whole file on a row error, then imports every stage', async () => {
    const before = await count();
    const members = (await ok(await admin.get(`/members?org=${branch}&size=1`))).total;
    const rows = (bad) => [
      '发展党员信息表（导出）',
      '姓名,性别,公民身份号码,文化程度,申请入党时间,确定为入党积极分子时间,确定为发展对象时间,入党时间,所在党组织',
      `导入甲,,${idCard('19960101', 501)},大学本科,2025-03-01,,,,`,
      `导入乙,,${idCard('19960101', 502)},大学本科,2024-01-10,2024-03-01,,,`,
      `导入丙,,${idCard('19960101', 503)},大学本科,2023-01-10,2023-03-01,${bad ? '2023-09-01' : '2024-03-01'},,`,
      `导入丁,,${idCard('19960101', 504)},大学本科,2022-01-10,2022-03-01,2023-03-05,2023-09-01,`,
    ].join('\n');
    const r = await admin.req('POST', `/develop/import?org=${branch}`, Buffer.from(rows(true)));
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.deepEqual(r.body.details.map((e) => [e.row, e.column]), [[5, '确定为发展对象日期']]);
    assert.equal(await count(), before, 'nothing stored');
    const dry = await ok(await admin.req('POST', `/develop/import?org=${branch}&dry_run=1`, Buffer.from(rows(false))));
    assert.equal(dry.imported, 4);
    assert.equal(await count(), before, 'a trial run stores nothing');
    await ok(await admin.req('POST', `/develop/import?org=${branch}`, Buffer.from(rows(false))));
    assert.equal(await count(), before + 4);
    const list = (await ok(await admin.get(`/develop/people?org=${branch}&q=导入&size=10`))).items;
    const by = Object.fromEntries(list.map((p) => [p.name, p]));
    assert.deepEqual(['导入甲', '导入乙', '导入丙', '导入丁'].map((n) => by[n].status),
      ['applicant', 'activist', 'candidate', 'probationary']);
    assert.equal(by['导入丙'].next_step, 8);
    assert.ok(by['导入丁'].member_id, 'a 预备党员 comes with the member record');
    assert.equal((await ok(await admin.get(`/members?org=${branch}&size=1`))).total, members + 1);
    // The same file again: every row is a duplicate, and nothing more is stored.
    const again = await admin.req('POST', `/develop/import?org=${branch}`, Buffer.from(rows(false)));
    assert.equal(again.status, 400);
    assert.equal(again.body.details.length, 4);
    assert.equal(await count(), before + 4);
  });

  it('exports the subtree\'s pipeline to XLSX', async () => {
    const r = await admin.get(`/develop/export?org=${branch}`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /spreadsheetml/);
    assert.equal(r.raw.subarray(0, 2).toString(), 'PK');
  });
});
