// todos.test.mjs — 待办 over real HTTP against a real database (SQLite, or
// PostgreSQL when DJ_PG_URL is set), on a pinned day (Monday 2025-06-16):
// each module's source (report to submit, report to review, contacts to
// name, election due, probation ending, meeting not held this month, this
// week's study items and the weekly push), for each role (admin, org admin,
// branch admin, member), each seeing theirs and nothing outside their scope,
// with due dates and overdue marking.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { freshDb, startServer, loginAs, cli, idCard, PASSWORD } from '../lib/server.mjs';

const TODAY = '2025-06-16';	// a Monday; June 2025 begins on a Sunday
const env = { DANGJIAN_TODAY: TODAY };
const shift = (n, from = TODAY) => new Date(Date.parse(from + 'T00:00:00Z') + n * 86400e3).toISOString().slice(0, 10);

let db, srv, admin, jiguan, hangye, zhibu, dangyuan, xin, xinMember;
let rootOrg, jg01, jg, hy01, xinBranch;

async function orgByCode(code) {
  const r = await admin.get('/orgs?q=' + encodeURIComponent(code) + '&size=50');
  return r.body.items.find((o) => o.code === code);
}
async function todos(c) {
  const r = await c.get('/todos');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.today, TODAY);
  assert.equal(r.body.total, r.body.items.length);
  return r.body.items;
}
const find = (items, kind, link) => items.find((t) => t.kind === kind && t.link === link);

before(async () => {
  db = freshDb('todos');
  const g = cli(['generate', '--db', db.url, '--scale', 'demo', '--password-file', db.pw, '--key', db.key], { env });
  assert.equal(g.code, 0, g.err);
  srv = await startServer(db, { env });
  admin = await loginAs(srv.base, 'admin');
  jiguan = await loginAs(srv.base, 'jiguan');	// 机关党委 JT-JG
  hangye = await loginAs(srv.base, 'hangye');	// 东湖区 industry committee JT-HY01
  zhibu = await loginAs(srv.base, 'zhibu');	// branch JT-JG01, under JT-JG
  dangyuan = await loginAs(srv.base, 'dangyuan');
  rootOrg = (await admin.get('/orgs/tree')).body[0];
  [jg01, jg, hy01] = [await orgByCode('JT-JG01'), await orgByCode('JT-JG'), await orgByCode('JT-HY01')];
  // A branch of our own under the industry committee: no activities, no
  // terms, a secretary account and a member account.
  let r = await admin.post('/orgs', { code: 'TD-XIN', name: '待办测试党支部', kind: 'branch', parent_id: hy01.id, founded_on: '2020-01-01' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  xinBranch = r.body.id;
  r = await admin.post('/members', { org_id: xinBranch, name: '测试学员', id_card: idCard('19900101', 501),
    join_date: '2015-07-01', full_date: '2016-07-01', status: 'full', phone: '13912345001' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  xinMember = r.body.id;
  for (const [username, role, member] of [['xin_sj', 'branch_admin', 0], ['xin_dy', 'member', xinMember]]) {
    r = await admin.post('/users', { username, display_name: username, password: PASSWORD, role, org_id: xinBranch,
      ...(member ? { member_id: member } : {}) });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  xin = await loginAs(srv.base, 'xin_sj');
});
after(async () => { await srv.stop(); });

describe('task: reports to submit and review, contacts to name', () => {
  let rootPlan, jgPlan, aZhibu, aHangye, aJg;
  before(async () => {
    let p = await admin.post('/plans', { org_id: rootOrg.id, title: '待办测试方案', starts_on: '2025-01-01', ends_on: '2025-12-31',
      contacts_due: shift(-6) });
    assert.equal(p.status, 201, JSON.stringify(p.body));
    rootPlan = p.body.id;
    let t = await admin.post(`/plans/${rootPlan}/tasks`, { scope: 'specific', title: '待办测试任务', starts_on: '2025-01-01',
      ends_on: shift(4), due_on: shift(4), targets: [jg01.id, hy01.id] });
    assert.equal(t.status, 201, JSON.stringify(t.body));
    assert.equal((await admin.post(`/plans/${rootPlan}/publish`, {})).status, 200);
    p = await jiguan.post('/plans', { org_id: jg.id, title: '机关党委测试方案', starts_on: '2025-01-01', ends_on: '2025-12-31' });
    assert.equal(p.status, 201, JSON.stringify(p.body));
    jgPlan = p.body.id;
    t = await jiguan.post(`/plans/${jgPlan}/tasks`, { scope: 'specific', title: '机关支部任务', starts_on: '2025-01-01',
      ends_on: shift(-2), due_on: shift(-2), targets: [jg01.id] });
    assert.equal(t.status, 201, JSON.stringify(t.body));
    assert.equal((await jiguan.post(`/plans/${jgPlan}/publish`, {})).status, 200);
    const list = async (c, plan) => (await c.get(`/assignments?plan=${plan}&size=50`)).body.items;
    aZhibu = (await list(admin, rootPlan)).find((a) => a.org_id === jg01.id).id;
    aHangye = (await list(admin, rootPlan)).find((a) => a.org_id === hy01.id).id;
    aJg = (await list(jiguan, jgPlan)).find((a) => a.org_id === jg01.id).id;
  });

  it('the assignee sees a report to submit with its deadline; overdue only once past', async () => {
    const z = await todos(zhibu);
    const mine = find(z, 'submit', `/assignments/${aZhibu}`);
    assert.ok(mine, JSON.stringify(z));
    assert.equal(mine.module, 'task');
    assert.equal(mine.due_on, shift(4));
    assert.equal(mine.overdue, false);
    assert.equal(mine.org_id, jg01.id);
    assert.match(mine.title, /上报《待办测试方案》待办测试任务/);
    const late = find(z, 'submit', `/assignments/${aJg}`);
    assert.equal(late.due_on, shift(-2));
    assert.equal(late.overdue, true);
    assert.ok(find(await todos(hangye), 'submit', `/assignments/${aHangye}`));
    // Not the assignee: the committee above, the bureau, another committee, a member.
    assert.ok(!find(await todos(jiguan), 'submit', `/assignments/${aZhibu}`));
    assert.ok(!find(await todos(admin), 'submit', `/assignments/${aZhibu}`));
    assert.ok(!find(await todos(hangye), 'submit', `/assignments/${aZhibu}`));
    assert.equal((await todos(dangyuan)).filter((t) => t.module === 'task').length, 0);
  });

  it('contacts not named: a 待办 for each assignee until named, overdue past contacts_due', async () => {
    const c = find(await todos(zhibu), 'contacts', `/plans/${rootPlan}`);
    assert.ok(c);
    assert.equal(c.due_on, shift(-6));
    assert.equal(c.overdue, true);
    assert.ok(find(await todos(hangye), 'contacts', `/plans/${rootPlan}`));
    assert.ok(!find(await todos(jiguan), 'contacts', `/plans/${rootPlan}`), 'JT-JG is no assignee of it');
    const r = await zhibu.put(`/plans/${rootPlan}/contacts/${jg01.id}`, { leader_name: '王分管', leader_phone: '13800000001',
      clerk_name: '李经办', clerk_phone: '13800000002' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.ok(!find(await todos(zhibu), 'contacts', `/plans/${rootPlan}`));
    assert.ok(find(await todos(hangye), 'contacts', `/plans/${rootPlan}`), 'the other assignee still owes it');
  });

  it('a submitted report goes to its reviewer: the plan\'s org, or the administrators when it holds no account', async () => {
    let r = await zhibu.post(`/assignments/${aZhibu}/submissions`, { kind: 'final', body: '已完成' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.ok(!find(await todos(zhibu), 'submit', `/assignments/${aZhibu}`), 'submitted: nothing left to submit');
    // The bureau's 党组 (the root) holds no account and has no 党委 above it: the system administrators review.
    const rev = find(await todos(admin), 'review', `/assignments/${aZhibu}`);
    assert.ok(rev);
    assert.match(rev.title, /^审核/);
    assert.equal(rev.overdue, false);
    assert.ok(!find(await todos(jiguan), 'review', `/assignments/${aZhibu}`));
    // The 机关党委's own plan: its org_admin reviews, not the administrators.
    r = await zhibu.post(`/assignments/${aJg}/submissions`, { kind: 'final', body: '逾期完成' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.ok(find(await todos(jiguan), 'review', `/assignments/${aJg}`));
    assert.ok(!find(await todos(admin), 'review', `/assignments/${aJg}`));
    assert.ok(!find(await todos(hangye), 'review', `/assignments/${aJg}`));
    // Returned: back to the assignee, to redo.
    r = await jiguan.post(`/assignments/${aJg}/review`, { decision: 'return', comment: '请补充材料' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.ok(!find(await todos(jiguan), 'review', `/assignments/${aJg}`));
    const redo = find(await todos(zhibu), 'submit', `/assignments/${aJg}`);
    assert.match(redo.title, /^退回修改后重新上报/);
    assert.equal(redo.overdue, true);
    r = await admin.post(`/assignments/${aZhibu}/review`, { decision: 'accept' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.ok(!find(await todos(admin), 'review', `/assignments/${aZhibu}`));
    assert.ok(!find(await todos(zhibu), 'submit', `/assignments/${aZhibu}`), 'accepted: done');
  });
});

describe('org: elections falling due', () => {
  it('within the warning window for the org\'s and its parent\'s admins; overdue past the term\'s end', async () => {
    // Our branch's term (3 years) ends in 30 days: its secretary and the industry committee above.
    let r = await admin.post(`/orgs/${xinBranch}/elections`, { elected_on: shift(30, '2022-06-16'), officers: [{ post: 'secretary', name: '测试书记' }] });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.term.ends_on, shift(30));
    for (const c of [xin, hangye]) {
      const e = find(await todos(c), 'election', `/orgs/${xinBranch}`);
      assert.ok(e);
      assert.equal(e.due_on, shift(30));
      assert.equal(e.overdue, false);
    }
    for (const c of [admin, jiguan, zhibu, dangyuan]) assert.ok(!find(await todos(c), 'election', `/orgs/${xinBranch}`));
    // A branch directly under the bureau's 党组 (no account on it or its parent): the administrators; overdue.
    r = await admin.post('/orgs', { code: 'TD-ROOT', name: '待办测试直属党支部', kind: 'branch', parent_id: rootOrg.id, founded_on: '2015-01-01' });
    assert.equal(r.status, 201);
    const direct = r.body.id;
    r = await admin.post(`/orgs/${direct}/elections`, { elected_on: '2022-06-01', officers: [{ post: 'secretary', name: '测试书记' }] });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const e = find(await todos(admin), 'election', `/orgs/${direct}`);
    assert.ok(e);
    assert.equal(e.due_on, '2025-06-01');
    assert.equal(e.overdue, true);
    for (const c of [jiguan, hangye, zhibu]) assert.ok(!find(await todos(c), 'election', `/orgs/${direct}`));
    // Beyond the window (90 days): nothing yet.
    r = await admin.post('/orgs', { code: 'TD-LATER', name: '待办测试远期党支部', kind: 'branch', parent_id: hy01.id, founded_on: '2015-01-01' });
    await admin.post(`/orgs/${r.body.id}/elections`, { elected_on: shift(120, '2022-06-16'), officers: [{ post: 'secretary', name: '测试书记' }] });
    assert.ok(!find(await todos(hangye), 'election', `/orgs/${r.body.id}`));
  });
});

describe('member: probations ending', () => {
  it('within 30 days or past: the branch\'s admin and the nearest 党委\'s org_admin, nobody else', async () => {
    const add = async (name, seq, joined) => {
      const r = await admin.post('/members', { org_id: jg01.id, name, id_card: idCard('19950101', seq), join_date: joined,
        status: 'probationary', phone: '13912345' + String(seq).padStart(3, '0') });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body;
    };
    const soon = await add('预备甲', 611, shift(10, '2024-06-16'));
    const past = await add('预备乙', 612, '2024-06-01');
    const later = await add('预备丙', 613, '2024-09-01');
    assert.equal(soon.probation_end, shift(10));
    for (const c of [zhibu, jiguan]) {
      const items = await todos(c);
      const s = find(items, 'probation', `/members/${soon.id}`);
      assert.ok(s, JSON.stringify(items.filter((t) => t.kind === 'probation')));
      assert.equal(s.due_on, shift(10));
      assert.equal(s.overdue, false);
      assert.equal(find(items, 'probation', `/members/${past.id}`).overdue, true);
      assert.ok(!find(items, 'probation', `/members/${later.id}`), 'ends in more than 30 days');
    }
    // JT-JG has an org_admin: not the administrators; another committee or a member: never.
    for (const c of [admin, hangye, dangyuan, xin]) assert.ok(!find(await todos(c), 'probation', `/members/${soon.id}`));
  });
});

describe('life: meetings not held this month, this week\'s study, the weekly push', () => {
  it('the branch admin sees each meeting its rules want by the month\'s end until one is held', async () => {
    let items = (await todos(xin)).filter((t) => t.kind === 'meeting');
    const kinds = items.map((t) => new URLSearchParams(t.link.split('?')[1]).get('kind')).sort();
    // June ends a quarter: the monthly 主题党日 and the quarterly 支部党员大会 and 党课; no committee (no officers).
    assert.deepEqual(kinds, ['general_meeting', 'lecture', 'theme_day']);
    for (const t of items) {
      assert.equal(t.module, 'life');
      assert.equal(t.due_on, '2025-06-30');
      assert.equal(t.overdue, false);
      assert.equal(t.org_id, xinBranch);
    }
    const r = await xin.post('/activities', { org_id: xinBranch, kind: 'theme_day', status: 'held', on_date: TODAY,
      topic: '六月主题党日', place: '活动室' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    items = (await todos(xin)).filter((t) => t.kind === 'meeting');
    assert.ok(!items.some((t) => t.link.endsWith('kind=theme_day')));
    assert.equal(items.length, 2);
    // Others' meetings are not theirs.
    for (const c of [hangye, admin, jiguan, zhibu]) assert.ok(!(await todos(c)).some((t) => t.kind === 'meeting' && t.org_id === xinBranch));
    assert.equal((await todos(dangyuan)).filter((t) => t.kind === 'meeting').length, 0);
  });

  it('a member sees this month\'s study items pushed so far, each due at its week\'s end, and only their own', async () => {
    const plan = await hangye.post('/study-plans', { org_id: hy01.id, month: '2025-06', title: '六月学习计划', items: [
      { week: 1, title: '第一周文章', kind: 'article' }, { week: 3, title: '第三周视频', kind: 'video' },
      { week: 4, title: '第四周党章', kind: 'article' }, { week: 5, title: '第五周讲话', kind: 'article' }] });
    assert.equal(plan.status, 201, JSON.stringify(plan.body));
    const dy = await loginAs(srv.base, 'xin_dy');
    // Only our plan's items (generate writes the bureau's monthly plans too, which reach this member as well).
    const ours = (items) => items.filter((t) => t.kind === 'study' && t.title.endsWith('（六月学习计划）'));
    let study = ours(await todos(dy));
    const by = (w) => study.find((t) => t.title.startsWith(`学习第${w}周`));
    assert.equal(study.length, 3, JSON.stringify(study));
    assert.equal(by(1).due_on, '2025-06-01');	// week 1 is the 1st alone: June begins on a Sunday
    assert.equal(by(1).overdue, true);
    assert.equal(by(3).due_on, '2025-06-15');
    assert.equal(by(3).overdue, true);
    assert.equal(by(4).due_on, '2025-06-22', 'this week: landed today, Monday');
    assert.equal(by(4).overdue, false);
    assert.equal(by(4).link, '/mylife');
    assert.ok(!by(5), 'next week\'s item is not pushed yet');
    assert.deepEqual((await todos(dy)).map((t) => t.kind).filter((k) => k !== 'study'), [], 'a member sees only their own study');
    // Done: gone from the list.
    const item = plan.body.items.find((i) => i.week === 3).id;
    assert.equal((await dy.post(`/study-items/${item}/done`, {})).status, 200);
    study = ours(await todos(dy));
    assert.equal(study.length, 2);
    // Another member (another subtree) sees none of this plan.
    assert.ok(!(await todos(dangyuan)).some((t) => t.title.includes('六月学习计划')));
  });

  it('the weekly push: week 5\'s items land on its Monday', async () => {
    const env2 = { DANGJIAN_TODAY: '2025-06-23' };
    const s2 = await startServer(db, { env: env2 });
    try {
      const dy = await loginAs(s2.base, 'xin_dy');
      const r = await dy.get('/todos');
      assert.equal(r.body.today, '2025-06-23');
      const w5 = r.body.items.find((t) => t.title.startsWith('学习第5周：第五周讲话'));
      assert.ok(w5, JSON.stringify(r.body.items));
      assert.equal(w5.due_on, '2025-06-29');
      assert.equal(w5.overdue, false);
      assert.equal(r.body.items.find((t) => t.title.startsWith('学习第4周：第四周党章')).overdue, true);
    } finally { await s2.stop(); }
  });
});

describe('scope: every role sees only what lies in its scope', () => {
  it('each item of an org admin or branch admin names an org they may open; a member\'s only their own', async () => {
    for (const c of [jiguan, hangye, zhibu, xin]) {
      const items = await todos(c);
      assert.ok(items.length > 0);
      for (const t of items) {
        assert.ok(t.link.startsWith('/'), t.link);
        if (t.org_id) assert.equal((await c.get(`/orgs/${t.org_id}`)).status, 200, `${t.title} (${t.org_id})`);
      }
      // Soonest first, undated last.
      const dates = items.map((t) => t.due_on ?? '9999');
      assert.deepEqual([...dates].sort(), dates);
    }
    // A member's own: the week's study items, and this month's 党费 while unpaid (their own page).
    for (const t of await todos(dangyuan)) {
      assert.ok(['study', 'dues_month'].includes(t.kind), t.kind);
      if (t.kind === 'dues_month') assert.equal(t.link, '/mydues');
    }
  });

  it('needs a session', async () => {
    const r = await fetch(srv.base + '/api/v1/todos');
    assert.equal(r.status, 401);
  });
});
