// scope.test.mjs — nobody reaches outside their subtree, on any route.
// Subtree A is the 机关党委 (JT-JG) with its org admin `jiguan`, the branch
// secretary `zhibu` (JT-JG01) and the member `dangyuan`; subtree B is its
// sibling, the 东湖区 industry committee (JT-HY01).  The administrator builds
// one object of every kind in B through the API; then every route the server
// lists (`dangjian routes`) is tried by each role of A with B's ids, and must
// answer 404 (or 403 where the code says forbidden) without B's member names
// or B's records in the body.  SQLite by default, PostgreSQL with DJ_PG_URL.
// Dates are fixed here: nothing depends on the day the suite runs.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { freshDb, generate, startServer, loginAs, cli, PASSWORD } from '../lib/server.mjs';

let db, srv, admin, roles;
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 7)]);
const HELD = '2025-03-10';	// a past date for held activities
// The test's own today, so the rosters on HELD are the same whatever day the
// suite runs on (members join relative to the day the demo is generated).
const env = { DANGJIAN_TODAY: '2025-06-16' };
const MONTH = '2025-03';
// Unique texts of B's records: none may appear in an answer to A.
const MARK = { activity: '乙方专题党课SCOPE', plan: '乙方工作方案SCOPE', task: '乙方任务SCOPE', study: '乙方学习计划SCOPE',
  reason: '乙方请假事由SCOPE', place: '乙方活动室SCOPE', develop: '乙方申请人SCOPE', probationary: '乙方预备党员SCOPE' };

const A = {}, B = {};
let bNames = [];

async function ok(r, status = 200) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  return r.body;
}
async function org(code) {
  const r = await admin.get('/orgs?q=' + encodeURIComponent(code) + '&size=50');
  return r.body.items.find((o) => o.code === code);
}
async function allMembers(query) {
  const out = [];
  for (let page = 1; ; page++) {
    const r = await ok(await admin.get(`/members?${query}&size=200&page=${page}`));
    out.push(...r.items);
    if (out.length >= r.total || !r.items.length) return out;
  }
}

before(async () => {
  db = freshDb('scope');
  generate(db, 'demo', { env });
  srv = await startServer(db, { env });
  admin = await loginAs(srv.base, 'admin');
  roles = { jiguan: await loginAs(srv.base, 'jiguan'), zhibu: await loginAs(srv.base, 'zhibu'),
    dangyuan: await loginAs(srv.base, 'dangyuan') };

  A.root = await org('JT-JG');
  A.branch = (await roles.zhibu.get('/session')).body.user.org_id;
  A.me = (await roles.dangyuan.get('/session')).body.user.member_id;
  A.members = await allMembers(`org=${A.root.id}`);
  A.member = A.members.find((m) => m.org_id === A.branch && m.id !== A.me);
  B.root = await org('JT-HY01');
  B.branch = await org('JT-HY0101');
  B.members = await allMembers(`org=${B.root.id}`);
  B.member = B.members.find((m) => m.org_id === B.branch.id);
  B.member2 = B.members.find((m) => m.org_id === B.branch.id && m.id !== B.member.id);
  // B's names that no one outside B bears (a list of A may rightly show a namesake).
  const elsewhere = new Set((await allMembers('')).filter((m) => !B.members.some((b) => b.id === m.id)).map((m) => m.name));
  // …nor anyone in the development pipeline outside B (their names show in A's lists, 待办 and findings).
  const inB = new Set((await allMembers(`org=${B.root.id}`)).map((m) => m.org_id));
  for (let page = 1; ; page++) {
    const r = await ok(await admin.get(`/develop/people?size=200&page=${page}`));
    r.items.filter((p) => !inB.has(p.org_id)).forEach((p) => elsewhere.add(p.name));
    if (page * 200 >= r.total) break;
  }
  // (Nor a part of one: 尹宁 is in 尹宁明, and the check below looks for substrings.)
  const others = [...elsewhere];
  bNames = [...new Set(B.members.map((m) => m.name))].filter((n) => !others.some((e) => e.includes(n)));
  assert.ok(bNames.includes(B.member.name), 'the probed member has a name of their own');

  // One object of every kind in B.
  B.activity = await ok(await admin.post('/activities', { org_id: B.branch.id, kind: 'lecture', status: 'held', on_date: HELD,
    topic: MARK.activity, place: MARK.place,
    attendance: [{ member_id: B.member.id, status: 'leave', reason: MARK.reason }] }), 201);
  B.attachment = (await ok(await admin.req('POST', `/activities/${B.activity.id}/attachments?filename=b.png`, new Uint8Array(PNG)), 201)).id;
  await ok(await admin.post(`/activities/${B.activity.id}/signin/open`, { minutes: 600 }));
  A.activity = await ok(await admin.post('/activities', { org_id: A.branch, kind: 'theme_day', status: 'held', on_date: HELD,
    topic: '甲方主题党日' }), 201);
  B.plan = await ok(await admin.post('/plans', { org_id: B.root.id, title: MARK.plan, starts_on: '2025-01-01', ends_on: '2099-12-31' }), 201);
  B.task = await ok(await admin.post(`/plans/${B.plan.id}/tasks`, { scope: 'specific', title: MARK.task, starts_on: '2025-01-01',
    ends_on: '2099-06-30', due_on: '2099-06-30', targets: [B.branch.id] }), 201);
  await ok(await admin.post(`/plans/${B.plan.id}/publish`, {}));
  B.assignment = (await ok(await admin.get(`/assignments?plan=${B.plan.id}&org=${B.branch.id}`))).items[0];
  const sub = await ok(await admin.post(`/assignments/${B.assignment.id}/submissions`, { kind: 'progress', body: MARK.task + '进展' }), 201);
  B.submission = sub.event_id;
  B.subAttachment = (await ok(await admin.req('POST', `/submissions/${B.submission}/attachments?filename=s.png`, new Uint8Array(PNG)), 201)).id;
  B.study = await ok(await admin.post('/study-plans', { org_id: B.branch.id, month: MONTH, title: MARK.study,
    items: [{ week: 1, title: MARK.study + '第一周', kind: 'article' }] }), 201);
  B.studyItem = B.study.items[0].id;
  B.user = (await ok(await admin.get('/users?q=hangye'))).items[0];
  // The roster's movements inside B: a transfer waiting, a hosting, an ended membership with its document.
  const bOther = await org('JT-HY0102');
  B.transfer = await ok(await admin.post('/transfers', { member_id: B.member2.id, to_org_id: bOther.id, on_date: env.DANGJIAN_TODAY }), 201);
  B.hosting = await ok(await admin.post('/mobile-members', { member_id: B.member2.id, host_org_id: (await org('JT-HY01LD1')).id,
    place: MARK.place, since: '2025-01-01' }), 201);
  const bEnded = B.members.find((x) => x.org_id === B.branch.id && x.id !== B.member.id && x.id !== B.member2.id && !x.position);
  await ok(await admin.post(`/members/${bEnded.id}/end`, { reason: 'death', on_date: env.DANGJIAN_TODAY, note: MARK.reason }), 201);
  B.end = (await ok(await admin.get(`/member-ends?member=${bEnded.id}`))).items[0];
  // A 预备党员 of B who came without the pipeline (取消预备党员资格 through the roster's end).
  B.probationary = await ok(await admin.post('/members', { org_id: B.branch.id, name: MARK.probationary, gender: 'female',
    birth_date: '1996-01-01', join_date: '2024-09-01', status: 'probationary' }), 201);
  B.endAttachment = (await ok(await admin.req('POST', `/member-ends/${B.end.id}/attachments?filename=e.png`, new Uint8Array(PNG)), 201)).id;
  // 发展党员: a person of B with a document, and one of A at step 4 (mentors come next).
  B.person = await ok(await admin.post('/develop/people', { org_id: B.branch.id, name: MARK.develop, gender: 'male',
    birth_date: '1995-01-01', applied_on: '2025-01-05' }), 201);
  B.personStep = B.person.steps[0].id;
  B.devAttachment = (await ok(await admin.req('POST', `/develop/steps/${B.personStep}/attachments?filename=d.png`, new Uint8Array(PNG)), 201)).id;
  A.person = await ok(await admin.post('/develop/people', { org_id: A.branch, name: '甲方申请人', gender: 'male',
    birth_date: '1995-01-01', applied_on: '2025-01-05' }), 201);
  for (const [step, on_date] of [[2, '2025-01-20'], [3, '2025-03-01'], [4, '2025-03-05']]) {
    await ok(await admin.post(`/develop/people/${A.person.id}/steps`, { step, on_date }), 201);
  }
  B.figures = (await ok(await admin.get('/figures'))).items.map((f) => f.id);
  assert.ok(B.figures.length > 0);
  // The demo's own plan (deployed by the bureau to every unit, A's and B's alike).
  B.rootPlan = (await ok(await admin.get('/plans'))).items.find((p) => p.id !== B.plan.id);
  // An account of A (made by the admin) that A's org admin may manage.
  A.user = await ok(await admin.post('/users', { username: 'scope-a', password: PASSWORD, role: 'branch_admin', org_id: A.branch }), 201);
  // 党费: a base and a payment of B's member.
  await ok(await admin.put(`/dues/bases/${B.member.id}`, { year: 2025, category: 'employed', base: '5000' }));
  B.payment = (await ok(await admin.post('/dues/payments', { member_id: B.member.id, month: '2025-06', amount: '50', method: 'cash' }), 201)).payment_id;
});
after(async () => { await srv.stop(); });

// What an answer to A must never hold.
function leaks(r) {
  const text = r.raw.toString('utf8');
  return [...bNames, ...Object.values(MARK)].filter((s) => text.includes(s));
}

describe('scope holes (regressions)', () => {
  it('an org admin cannot bind an account to a member of another subtree', async () => {
    const j = roles.jiguan;
    for (const body of [{ username: 'scope-x1', password: PASSWORD, role: 'branch_admin', org_id: A.branch, member_id: B.member.id },
      { username: 'scope-x2', password: PASSWORD, role: 'member', member_id: B.member.id }]) {
      const r = await j.post('/users', body);
      assert.equal(r.status, 404, JSON.stringify(r.body));
      assert.equal(r.body.field, 'member_id');
      assert.deepEqual(leaks(r), []);
    }
    const p = await j.patch(`/users/${A.user.id}`, { member_id: B.member.id });
    assert.equal(p.status, 404, JSON.stringify(p.body));
    assert.deepEqual(leaks(p), []);
    const users = (await admin.get('/users?q=scope-x')).body.items;
    assert.deepEqual(users, [], 'no account was made');
    assert.equal((await admin.get('/users?q=scope-a')).body.items[0].member_id, null, 'the account is unchanged');
    // Binding to a member of the own subtree still works.
    const own = await j.patch(`/users/${A.user.id}`, { member_id: A.member.id });
    assert.equal(own.status, 200, JSON.stringify(own.body));
  });

  it('attendance cannot name or record a member of another subtree, dual or not', async () => {
    for (const dual of [false, true]) {
      const r = await roles.zhibu.put(`/activities/${A.activity.id}/attendance`,
        { attendance: [{ member_id: B.member.id, status: 'present', dual }] });
      assert.equal(r.status, 404, JSON.stringify(r.body));
      assert.equal(r.body.field, 'attendance');
      assert.deepEqual(leaks(r), []);
      const c = await roles.jiguan.post('/activities', { org_id: A.branch, kind: 'theme_day', status: 'held', on_date: HELD,
        topic: 'x', attendance: [{ member_id: B.member.id, status: 'present', dual }] });
      assert.equal(c.status, 404, JSON.stringify(c.body));
      assert.deepEqual(leaks(c), []);
    }
    for (const key of ['host_member_id', 'recorder_member_id', 'speaker_member_id']) {
      const r = await roles.zhibu.patch(`/activities/${A.activity.id}`, { [key]: B.member.id });
      assert.equal(r.status, 404, `${key}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.field, key);
    }
    const rows = (await admin.get(`/activities/${A.activity.id}`)).body.attendance;
    assert.ok(!rows.some((t) => t.member_id === B.member.id), 'nothing was written');
    // 双重组织生活 of a leader inside the actor's scope stays possible.
    const leaders = A.members.filter((m) => m.org_id !== A.branch && m.join_date < '2020-01-01');
    const leader = leaders[0];
    const d = await roles.jiguan.put(`/activities/${A.activity.id}/attendance`,
      { attendance: [{ member_id: leader.id, status: 'present', dual: true }] });
    assert.equal(d.status, 200, JSON.stringify(d.body));
    assert.equal(d.body.attendance.find((t) => t.member_id === leader.id).dual, 1);
    // Without "dual" the in-scope leader gets the explanation, naming them (they are in scope).
    const nd = await roles.jiguan.put(`/activities/${A.activity.id}/attendance`,
      { attendance: [{ member_id: leaders[1].id, status: 'present' }] });
    assert.equal(nd.status, 400);
    assert.match(nd.body.error, /双重组织生活/);
  });

  it('sign-in information is for those expected at the activity and for managers in scope', async () => {
    for (const [who, c] of Object.entries(roles)) {
      const r = await c.get(`/signin/${B.activity.id}`);
      assert.equal(r.status, 404, `${who}: ${JSON.stringify(r.body)}`);
      assert.deepEqual(leaks(r), [], who);
    }
    // The member expected at an activity of their branch sees it; so does their secretary.
    const own = await admin.post('/activities', { org_id: A.branch, kind: 'theme_day', status: 'planned', on_date: '2099-01-05',
      topic: '甲方签到活动', place: '甲方活动室' });
    assert.equal(own.status, 201);
    const mine = await roles.dangyuan.get(`/signin/${own.body.id}`);
    assert.equal(mine.status, 200, JSON.stringify(mine.body));
    assert.equal(mine.body.topic, '甲方签到活动');
    assert.equal(mine.body.expected, true);
    assert.equal((await roles.zhibu.get(`/signin/${own.body.id}`)).status, 200);
    // Out of scope and missing look alike.
    const gone = await roles.dangyuan.get('/signin/999999999');
    assert.equal(gone.status, 404);
    assert.equal(gone.body.error, (await roles.dangyuan.get(`/signin/${B.activity.id}`)).body.error);
  });

  it('a member lists their own activities, with only their own attendance row', async () => {
    const c = roles.dangyuan;
    const act = await ok(await admin.post('/activities', { org_id: A.branch, kind: 'lecture', status: 'held', on_date: HELD,
      topic: '甲方党课', attendance: [{ member_id: A.member.id, status: 'leave', reason: '甲方请假事由' }] }), 201);
    for (const p of [`/activities?from=${HELD}&to=${HELD}`, `/activities?org=${A.branch}&from=${HELD}&to=${HELD}`]) {
      const r = await c.get(p);
      assert.equal(r.status, 200, `${p}: ${JSON.stringify(r.body)}`);
      assert.ok(r.body.items.some((x) => x.id === act.id), p);
      assert.ok(!r.body.items.some((x) => x.id === B.activity.id), p);
    }
    // Only activities they were expected at: one of their branch they had no row in is not listed.
    const other = await ok(await admin.post('/activities', { org_id: A.branch, kind: 'talk', status: 'held', on_date: HELD,
      topic: '甲方谈心谈话', attendance: [{ member_id: A.member.id, status: 'present' }] }), 201);
    const all = (await c.get(`/activities?from=${HELD}&to=${HELD}&size=200`)).body.items;
    assert.ok(!all.some((x) => x.id === other.id));
    assert.equal((await c.get(`/activities/${other.id}`)).status, 404);
    assert.equal((await c.get(`/activities?org=${B.branch.id}`)).status, 404);
    const got = await ok(await c.get(`/activities/${act.id}`));
    assert.deepEqual(got.attendance.map((t) => t.member_id), [A.me]);
    assert.ok(!JSON.stringify(got).includes('甲方请假事由'), 'another member\'s leave reason stays hidden');
    assert.ok(got.counts.expected > 1, 'the counts are still the whole activity\'s');
  });
});

// Routes that take no id of anything another subtree owns, and why.
const NO_ID = {
  'GET /api/v1/health': 'public liveness probe, no data',
  'POST /api/v1/session': 'login: names an account, not a record',
  'GET /api/v1/session': 'the caller\'s own session',
  'DELETE /api/v1/session': 'the caller\'s own session',
  'PUT /api/v1/session/password': 'the caller\'s own password',
  'GET /api/v1/org-kinds': 'a fixed dictionary',
  'GET /api/v1/members/template': 'an empty import template',
  'GET /api/v1/activity-kinds': 'a dictionary shared by all',
  'GET /api/v1/life/mine': 'the caller\'s own member record only',
  'GET /api/v1/life/rules': 'the rules, shared by all',
  'GET /api/v1/plans/template': 'an empty import template',
  'GET /api/v1/quota-units': 'a fixed dictionary',
  'GET /api/v1/figures': 'the catalogue of figures, the same for all',
  'GET /api/v1/develop/steps': 'the catalogue of the 25 steps, the same for all',
  'GET /api/v1/nav': 'the menu of the caller\'s role',
  'GET /api/v1/session/email': 'the caller\'s own address and choice',
  'PUT /api/v1/session/email': 'the caller\'s own address and choice',
  'GET /api/v1/dues/rules': 'the 党费 categories and brackets, shared by all',
  'GET /api/v1/dues/mine': 'the caller\'s own member record only',
};

// Every other route: the requests that carry B's ids.  `list` marks a list
// or a figure that may answer 200 for the actor's own scope: then nothing of
// B may be in it.  `as-missing` marks a request about the actor's own record
// that names one of B's members inside its body: it must get exactly the
// answer that an id nothing has gets (the last element is that body).
const CONTACT = { leader_name: '王分管', leader_phone: '13912345678', clerk_name: '李经办', clerk_phone: '13800000000' };
const NONE = 999999999;	// an id nothing has

function probes() {
  const o = B.root.id, br = B.branch.id, m = B.member.id, act = B.activity.id, pl = B.plan.id, asg = B.assignment.id;
  const today = HELD;
  return {
    'GET /api/v1/users': [['GET', '/users?q=hangye', undefined, 'list']],
    // System administrators only: the outbox names B's accounts and addresses.
    'GET /api/v1/notify/settings': [['GET', '/notify/settings']],
    'PUT /api/v1/notify/settings': [['PUT', '/notify/settings', { smtp_url: 'smtp://127.0.0.1:1', from: 'x@example.org' }]],
    'GET /api/v1/notify/outbox': [['GET', '/notify/outbox']],
    'POST /api/v1/users': [['POST', '/users', { username: 'scope-p1', password: PASSWORD, role: 'branch_admin', org_id: br }],
      ['POST', '/users', { username: 'scope-p2', password: PASSWORD, role: 'branch_admin', org_id: A.branch, member_id: m }],
      ['POST', '/users', { username: 'scope-p3', password: PASSWORD, role: 'member', member_id: m }]],
    'PATCH /api/v1/users/{id}': [['PATCH', `/users/${B.user.id}`, { display_name: 'x' }],
      ['PATCH', `/users/${A.user.id}`, { member_id: m }], ['PATCH', `/users/${A.user.id}`, { org_id: br }]],
    'PUT /api/v1/users/{id}/password': [['PUT', `/users/${B.user.id}/password`, { password: 'Other-pass-2025' }]],
    'GET /api/v1/orgs': [['GET', `/orgs?root=${o}`], ['GET', `/orgs?q=${encodeURIComponent(B.branch.name)}`, undefined, 'list']],
    'POST /api/v1/orgs': [['POST', '/orgs', { code: 'SCOPE-X', name: 'x', kind: 'branch', parent_id: o }]],
    'GET /api/v1/orgs/tree': [['GET', `/orgs/tree?parent=${o}`]],
    'GET /api/v1/orgs/{id}': [['GET', `/orgs/${br}`]],
    'PATCH /api/v1/orgs/{id}': [['PATCH', `/orgs/${br}`, { name: 'x' }]],
    'DELETE /api/v1/orgs/{id}': [['DELETE', `/orgs/${br}`]],
    'POST /api/v1/orgs/{id}/move': [['POST', `/orgs/${br}/move`, { parent_id: A.root.id }],
      ['POST', `/orgs/${A.branch}/move`, { parent_id: o }]],
    'POST /api/v1/orgs/{id}/dissolve': [['POST', `/orgs/${br}/dissolve`, { on_date: today }]],
    'POST /api/v1/orgs/{id}/merge': [['POST', `/orgs/${br}/merge`, { into: A.branch, on_date: today }],
      ['POST', `/orgs/${A.branch}/merge`, { into: br, on_date: today }]],
    'POST /api/v1/orgs/{id}/elections': [['POST', `/orgs/${br}/elections`, { elected_on: today, officers: [] }],
      ['POST', `/orgs/${A.branch}/elections`, { elected_on: today, officers: [{ member_id: m, post: 'secretary' }] }, 'as-missing',
        { elected_on: today, officers: [{ member_id: NONE, post: 'secretary' }] }]],
    'GET /api/v1/orgs/{id}/history': [['GET', `/orgs/${br}/history`]],
    'GET /api/v1/dashboard': [['GET', `/dashboard?org=${o}`]],
    'GET /api/v1/develop/board': [['GET', `/develop/board?org=${o}`], ['GET', '/develop/board', undefined, 'list']],
    'GET /api/v1/develop/due': [['GET', `/develop/due?org=${o}`], ['GET', '/develop/due?month=2025-01', undefined, 'list']],
    'GET /api/v1/develop/export': [['GET', `/develop/export?org=${br}`]],
    'POST /api/v1/develop/import': [['POST', `/develop/import?org=${br}&dry_run=1`, 'x']],
    'GET /api/v1/develop/people': [['GET', `/develop/people?org=${br}`], ['GET', '/develop/people?size=200', undefined, 'list']],
    'POST /api/v1/develop/people': [['POST', '/develop/people', { org_id: br, name: 'x', gender: 'male', birth_date: '1990-01-01',
      applied_on: today }]],
    'GET /api/v1/develop/people/{id}': [['GET', `/develop/people/${B.person.id}`]],
    'POST /api/v1/develop/people/{id}/resume': [['POST', `/develop/people/${B.person.id}/resume`, { applied_on: today }]],
    'POST /api/v1/develop/people/{id}/reveal': [['POST', `/develop/people/${B.person.id}/reveal`, { field: 'id_card' }]],
    'POST /api/v1/develop/people/{id}/cancel': [['POST', `/develop/people/${B.person.id}/cancel`, { on_date: today, doc_no: '组字〔2025〕1号', note: '探测' }]],
    'POST /api/v1/develop/people/{id}/stop': [['POST', `/develop/people/${B.person.id}/stop`, { on_date: today, reason: 'withdrawn' }]],
    'POST /api/v1/develop/people/{id}/steps': [['POST', `/develop/people/${B.person.id}/steps`, { step: 2, on_date: today }],
      ['POST', `/develop/people/${A.person.id}/steps`, { step: 5, on_date: today, mentors: [m] }, 'as-missing',
        { step: 5, on_date: today, mentors: [NONE] }]],
    'POST /api/v1/develop/steps/{id}/attachments': [['POST', `/develop/steps/${B.personStep}/attachments?filename=x.png`,
      new Uint8Array(PNG)]],
    'GET /api/v1/findings': [['GET', `/findings?org=${o}`]],
    'GET /api/v1/members': [['GET', `/members?org=${br}`], ['GET', `/members?q=${encodeURIComponent(B.member.name)}`, undefined, 'list']],
    'POST /api/v1/members': [['POST', '/members', { org_id: br, name: 'x', gender: 'male', birth_date: '1980-01-01',
      join_date: '2000-01-01', status: 'full' }]],
    'GET /api/v1/members/export': [['GET', `/members/export?org=${br}`]],
    'POST /api/v1/members/import': [['POST', `/members/import?org=${br}&dry_run=1`, 'x']],
    'GET /api/v1/members/{id}': [['GET', `/members/${m}`]],
    'PATCH /api/v1/members/{id}': [['PATCH', `/members/${m}`, { name: 'x' }]],
    'POST /api/v1/members/{id}/transfer': [['POST', `/members/${m}/transfer`, { to_org_id: A.branch, on_date: today }],
      ['POST', `/members/${A.member.id}/transfer`, { to_org_id: br, on_date: today }]],
    'POST /api/v1/members/{id}/convert': [['POST', `/members/${m}/convert`, { full_date: today }]],
    'POST /api/v1/members/{id}/reveal': [['POST', `/members/${m}/reveal`, { field: 'phone' }]],
    'POST /api/v1/members/{id}/end': [['POST', `/members/${m}/end`, { reason: 'death', on_date: today, note: 'x' }],
      ['POST', `/members/${B.probationary.id}/end`, { reason: 'probation_cancelled', on_date: today, note: 'x', doc_no: '组字〔2025〕2号' }]],
    'GET /api/v1/member-ends': [['GET', `/member-ends?org=${o}`], ['GET', `/member-ends?member=${B.end.member_id}`, undefined, 'list'],
      ['GET', '/member-ends?size=200', undefined, 'list']],
    'POST /api/v1/member-ends/{id}/attachments': [['POST', `/member-ends/${B.end.id}/attachments?filename=x.png`, new Uint8Array(PNG)]],
    'GET /api/v1/transfers': [['GET', `/transfers?org=${o}`], ['GET', `/transfers?member=${B.member2.id}`, undefined, 'list'],
      ['GET', '/transfers?size=200', undefined, 'list']],
    // A transfer starts from a member of the actor's subtree; B's member is not one (to B's orgs is allowed: the receiver accepts).
    'POST /api/v1/transfers': [['POST', '/transfers', { member_id: m, to_org_id: A.branch, on_date: today }],
      ['POST', '/transfers', { member_id: m, place: 'x', letter_no: 'x', on_date: today }]],
    'POST /api/v1/transfers/in': [['POST', '/transfers/in', { to_org_id: br, place: 'x', letter_no: 'x', on_date: today,
      member: { name: 'x', gender: 'male', birth_date: '1980-01-01', join_date: '2000-01-01', status: 'full' } }],
      ['POST', '/transfers/in', { to_org_id: A.branch, place: 'x', letter_no: 'x', on_date: today, member_id: m }]],
    // The platform's open orgs by name (a destination may be anywhere): names of orgs, no member and no record.
    'GET /api/v1/transfers/orgs': [['GET', `/transfers/orgs?q=${encodeURIComponent(B.branch.name)}`, undefined, 'list']],
    'GET /api/v1/transfers/{id}': [['GET', `/transfers/${B.transfer.id}`]],
    'POST /api/v1/transfers/{id}/accept': [['POST', `/transfers/${B.transfer.id}/accept`, {}]],
    'POST /api/v1/transfers/{id}/return': [['POST', `/transfers/${B.transfer.id}/return`, { reason: 'x' }]],
    'POST /api/v1/transfers/{id}/receipt': [['POST', `/transfers/${B.transfer.id}/receipt`, { on_date: today }]],
    'GET /api/v1/mobile-members': [['GET', `/mobile-members?org=${o}`], ['GET', '/mobile-members?all=1&size=200', undefined, 'list']],
    'POST /api/v1/mobile-members': [['POST', '/mobile-members', { member_id: m, host_org_id: A.branch, place: 'x', since: HELD }]],
    'GET /api/v1/mobile-members/{id}': [['GET', `/mobile-members/${B.hosting.id}`]],
    'POST /api/v1/mobile-members/{id}/end': [['POST', `/mobile-members/${B.hosting.id}/end`, { on_date: today }]],
    'POST /api/v1/mobile-members/{id}/reports': [['POST', `/mobile-members/${B.hosting.id}/reports`, { on_date: today, summary: 'x' }]],
    'GET /api/v1/audit': [['GET', `/audit?entity=member&entity_id=${m}`]],
    'POST /api/v1/activity-kinds': [['POST', '/activity-kinds', { code: 'scope_x', label: 'x', everyone: true }]],
    'GET /api/v1/activities': [['GET', `/activities?org=${br}`], ['GET', `/activities?org=${o}&subtree=1`],
      ['GET', `/activities?from=${HELD}&to=${HELD}&size=200`, undefined, 'list']],
    'POST /api/v1/activities': [['POST', '/activities', { org_id: br, kind: 'theme_day', status: 'held', on_date: HELD, topic: 'x' }],
      ['POST', '/activities', { org_id: A.branch, org_ids: [br], kind: 'theme_day', status: 'held', on_date: HELD, topic: 'x' }],
      ['POST', '/activities', { org_id: A.branch, kind: 'theme_day', status: 'held', on_date: HELD, topic: 'x',
        attendance: [{ member_id: m, status: 'present', dual: true }] }],
      ['POST', '/activities', { org_id: A.branch, kind: 'lecture', status: 'held', on_date: HELD, topic: 'x', speaker_member_id: m }]],
    'GET /api/v1/activities/{id}': [['GET', `/activities/${act}`]],
    'PATCH /api/v1/activities/{id}': [['PATCH', `/activities/${act}`, { topic: 'x' }],
      ['PATCH', `/activities/${A.activity.id}`, { host_member_id: m }]],
    'DELETE /api/v1/activities/{id}': [['DELETE', `/activities/${act}`]],
    'PUT /api/v1/activities/{id}/attendance': [['PUT', `/activities/${act}/attendance`, { attendance: [] }],
      ['PUT', `/activities/${A.activity.id}/attendance`, { attendance: [{ member_id: m, status: 'present' }] }],
      ['PUT', `/activities/${A.activity.id}/attendance`, { attendance: [{ member_id: m, status: 'present', dual: true }] }]],
    'POST /api/v1/activities/{id}/attachments': [['POST', `/activities/${act}/attachments?filename=x.png`, new Uint8Array(PNG)]],
    'POST /api/v1/activities/{id}/signin/open': [['POST', `/activities/${act}/signin/open`, {}]],
    'POST /api/v1/activities/{id}/signin/close': [['POST', `/activities/${act}/signin/close`, {}]],
    'GET /api/v1/activities/{id}/signin/qr': [['GET', `/activities/${act}/signin/qr`]],
    'GET /api/v1/signin/{id}': [['GET', `/signin/${act}`]],
    'POST /api/v1/signin/{id}': [['POST', `/signin/${act}`, { token: 'f'.repeat(32) }]],
    'PUT /api/v1/life/rules': [['PUT', '/life/rules', { org_kind: 'branch', rules: [] }]],
    'GET /api/v1/life/compliance': [['GET', `/life/compliance?org=${o}`]],
    'GET /api/v1/life/compliance/cell': [['GET', `/life/compliance/cell?org=${br}&month=${MONTH}`]],
    'GET /api/v1/life/dues': [['GET', `/life/dues?org=${o}`]],
    'GET /api/v1/life/pending': [['GET', `/life/pending?org=${o}`]],
    'GET /api/v1/life/absentees': [['GET', `/life/absentees?org=${o}`]],
    'GET /api/v1/life/summary': [['GET', `/life/summary?org=${o}`]],
    'GET /api/v1/life/findings': [['GET', `/life/findings?org=${o}&period=${MONTH}`]],
    'GET /api/v1/study-plans': [['GET', `/study-plans?org=${br}`], ['GET', `/study-plans?month=${MONTH}`, undefined, 'list']],
    'POST /api/v1/study-plans': [['POST', '/study-plans', { org_id: br, month: '2025-04', title: 'x', items: [{ week: 1, title: 'a', kind: 'article' }] }]],
    'GET /api/v1/study-plans/{id}': [['GET', `/study-plans/${B.study.id}`]],
    'PATCH /api/v1/study-plans/{id}': [['PATCH', `/study-plans/${B.study.id}`, { title: 'x' }]],
    'GET /api/v1/study-plans/{id}/progress': [['GET', `/study-plans/${B.study.id}/progress`]],
    'POST /api/v1/study-items/{id}/done': [['POST', `/study-items/${B.studyItem}/done`, {}]],
    'DELETE /api/v1/study-items/{id}/done': [['DELETE', `/study-items/${B.studyItem}/done`]],
    'GET /api/v1/plans': [['GET', '/plans?size=200', undefined, 'list']],
    'POST /api/v1/plans': [['POST', '/plans', { org_id: o, title: 'x', starts_on: '2025-01-01', ends_on: '2099-12-31' }]],
    'GET /api/v1/plans/scores': [['GET', '/plans/scores?year=2025', undefined, 'list']],
    'GET /api/v1/plans/{id}': [['GET', `/plans/${pl}`]],
    'PATCH /api/v1/plans/{id}': [['PATCH', `/plans/${pl}`, { title: 'x' }]],
    'POST /api/v1/plans/{id}/campaigns': [['POST', `/plans/${pl}/campaigns`, { name: 'x' }]],
    'POST /api/v1/plans/{id}/tasks': [['POST', `/plans/${pl}/tasks`, { scope: 'specific', title: 'x', starts_on: '2025-01-01',
      ends_on: '2099-06-30', due_on: '2099-06-30', targets: [br] }]],
    'POST /api/v1/plans/{id}/import': [['POST', `/plans/${pl}/import?dry_run=1`, 'x']],
    'POST /api/v1/plans/{id}/publish': [['POST', `/plans/${pl}/publish`, {}]],
    'POST /api/v1/plans/{id}/close': [['POST', `/plans/${pl}/close`, {}]],
    'GET /api/v1/plans/{id}/matrix': [['GET', `/plans/${pl}/matrix`]],
    'GET /api/v1/plans/{id}/contacts': [['GET', `/plans/${pl}/contacts`]],
    'PUT /api/v1/plans/{id}/contacts/{org}': [['PUT', `/plans/${pl}/contacts/${br}`, CONTACT],
      ['PUT', `/plans/${B.rootPlan.id}/contacts/${o}`, CONTACT]],
    'POST /api/v1/plans/{id}/contacts/{org}/reveal': [['POST', `/plans/${pl}/contacts/${br}/reveal`, { field: 'leader_phone' }],
      ['POST', `/plans/${B.rootPlan.id}/contacts/${o}/reveal`, { field: 'leader_phone' }]],
    'GET /api/v1/plans/{id}/scores': [['GET', `/plans/${pl}/scores`]],
    'PATCH /api/v1/tasks/{id}': [['PATCH', `/tasks/${B.task.id}`, { title: 'x' }]],
    'DELETE /api/v1/tasks/{id}': [['DELETE', `/tasks/${B.task.id}`]],
    // (A foreign org here filters to nothing rather than 404: no record of B comes out.)
    'GET /api/v1/assignments': [['GET', `/assignments?org=${br}`, undefined, 'list'], ['GET', `/assignments?plan=${pl}`, undefined, 'list']],
    'GET /api/v1/assignments/{id}': [['GET', `/assignments/${asg}`]],
    'POST /api/v1/assignments/{id}/submissions': [['POST', `/assignments/${asg}/submissions`, { kind: 'progress', body: 'x' }]],
    'POST /api/v1/assignments/{id}/review': [['POST', `/assignments/${asg}/review`, { decision: 'accept' }]],
    'POST /api/v1/assignments/{id}/seen': [['POST', `/assignments/${asg}/seen`, {}]],
    'POST /api/v1/submissions/{id}/attachments': [['POST', `/submissions/${B.submission}/attachments?filename=x.png`, new Uint8Array(PNG)]],
    'GET /api/v1/figures/{id}': B.figures.map((f) => ['GET', `/figures/${f}?org=${o}`]),
    'GET /api/v1/figures/{id}/records': B.figures.map((f) => ['GET', `/figures/${f}/records?org=${o}&size=200`]),
    'GET /api/v1/todos': [['GET', '/todos', undefined, 'list']],
    'PUT /api/v1/dues/rules': [['PUT', '/dues/rules', { categories: [] }]],
    'GET /api/v1/dues/bases': [['GET', `/dues/bases?org=${br}`], ['GET', `/dues/bases?year=2025&size=200`, undefined, 'list']],
    'PUT /api/v1/dues/bases/{id}': [['PUT', `/dues/bases/${m}`, { year: 2025, category: 'employed', base: '6000' }]],
    'POST /api/v1/dues/bases/import': [['POST', `/dues/bases/import?org=${br}&dry_run=1`, 'x']],
    'GET /api/v1/dues/payments': [['GET', `/dues/payments?org=${br}`], ['GET', `/dues/payments?member=${m}`],
      ['GET', '/dues/payments?size=200', undefined, 'list']],
    'POST /api/v1/dues/payments': [['POST', '/dues/payments', { member_id: m, month: '2025-06', amount: '10', method: 'cash' }]],
    'POST /api/v1/dues/payments/import': [['POST', `/dues/payments/import?org=${br}&dry_run=1`, 'x']],
    'DELETE /api/v1/dues/payments/{id}': [['DELETE', `/dues/payments/${B.payment}`]],
    'GET /api/v1/dues/sheet': [['GET', `/dues/sheet?org=${o}&month=2025-06&members=1`], ['GET', `/dues/sheet?org=${br}`]],
    'GET /api/v1/dues/sheet/export': [['GET', `/dues/sheet/export?org=${br}&month=2025-06`]],
    'GET /api/v1/dues/arrears': [['GET', `/dues/arrears?org=${o}`], ['GET', '/dues/arrears?size=200', undefined, 'list']],
    'GET /api/v1/dues/members/{id}': [['GET', `/dues/members/${m}`]],
    'GET /api/v1/attachments/{id}': [['GET', `/attachments/${B.attachment}`], ['GET', `/attachments/${B.subAttachment}`],
      ['GET', `/attachments/${B.endAttachment}`], ['GET', `/attachments/${B.devAttachment}`]],
    'DELETE /api/v1/attachments/{id}': [['DELETE', `/attachments/${B.attachment}`], ['DELETE', `/attachments/${B.subAttachment}`],
      ['DELETE', `/attachments/${B.devAttachment}`]],
  };
}

describe('route × role: ids of a sibling subtree', () => {
  it('covers every route the server has', () => {
    const routes = cli(['routes']).out.trim().split('\n');
    const p = probes();
    const missing = routes.filter((r) => !p[r] && !NO_ID[r]);
    assert.deepEqual(missing, [], 'routes neither probed nor listed in NO_ID with a reason');
    const stale = [...Object.keys(p), ...Object.keys(NO_ID)].filter((r) => !routes.includes(r));
    assert.deepEqual(stale, [], 'probes for routes the server lacks');
  });

  for (const who of ['jiguan', 'zhibu', 'dangyuan']) {
    it(`${who} gets 404 (or 403) for B's ids on every route, and never B's names`, async () => {
      const c = roles[who];
      const bad = [];
      for (const [route, list] of Object.entries(probes())) {
        for (const [method, path, body, kind, missingBody] of list) {
          const r = await c.req(method, path, body);
          const found = leaks(r);
          let refused = r.status === 404 || r.status === 403;
          if (kind === 'as-missing') {
            const m = await c.req(method, path, missingBody);
            refused = r.status >= 400 && r.status < 500 && r.status === m.status && r.body?.error === m.body?.error;
          }
          if (found.length || !(refused || (kind === 'list' && r.status === 200))) {
            bad.push(`${route}: ${method} ${path} → ${r.status} ${found.length ? 'leaks ' + found.join(',') : ''} ${r.raw.toString('utf8').slice(0, 200)}`);
          }
        }
      }
      assert.deepEqual(bad, []);
    });
  }

  it('changed nothing of B', async () => {
    const act = (await admin.get(`/activities/${B.activity.id}`)).body;
    assert.equal(act.topic, MARK.activity);
    assert.equal(act.status, 'held');
    assert.equal((await admin.get(`/orgs/${B.branch.id}`)).body.parent_id, B.root.id);
    assert.equal((await admin.get(`/members/${B.member.id}`)).body.org_id, B.branch.id);
    assert.equal((await admin.get(`/transfers/${B.transfer.id}`)).body.status, 'pending');
    assert.equal((await admin.get(`/mobile-members/${B.hosting.id}`)).body.ended_on, null);
    assert.equal((await admin.get(`/mobile-members/${B.hosting.id}`)).body.reports.length, 0);
    assert.equal((await admin.get(`/member-ends?member=${B.member.id}`)).body.total, 0);
    assert.equal((await admin.get(`/members/${B.probationary.id}`)).body.active, 1);
    assert.equal((await admin.get(`/plans/${B.plan.id}`)).body.title, MARK.plan);
    assert.equal((await admin.get(`/attachments/${B.attachment}`)).status, 200);
    assert.equal((await admin.get(`/attachments/${B.devAttachment}`)).status, 200);
    assert.equal((await admin.get(`/develop/people/${B.person.id}`)).body.step, 1);
    assert.equal((await admin.get(`/develop/people/${B.person.id}`)).body.status, 'applicant');
    assert.equal((await admin.get(`/users?q=scope-p`)).body.items.length, 0);
    const dues = (await admin.get(`/dues/members/${B.member.id}`)).body;
    assert.ok(dues.payments.some((p) => p.id === B.payment && p.amount_fen === 5000), 'B\'s payment is still there');
    assert.equal(dues.cards.find((c) => c.year === 2025).base_fen, 500000, 'B\'s base is as it was');
  });
});
