// life_counters.test.mjs — the counts kept in the transaction of every write
// (life_tally: held activities per org, month, kind and lecture speaker, kept
// by triggers on activity_org; task_tally and task_plan_org: a plan's
// assignments per task and status and per assignee org, kept by triggers on
// assignment) are a cache of records: after writes of every kind (create,
// edit, cancel activities, attendance, sign-in, study, task reports and
// reviews; study_tally through items done, undone and removed, and a member
// who studied transferred) they equal a recount, and what compliance and the matrix say from
// them equals what the records say.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { freshDb, generate, startServer, loginAs, cli, today as todayOf, day } from '../lib/server.mjs';

let db, srv, admin, zhibu, dangyuan, hangye, branch, me;
const today = todayOf();
const month = today.slice(0, 7);

function sql(statement) {
  const r = process.env.DJ_PG_URL
    ? spawnSync('psql', [db.url, '-qAtF|', '-c', statement], { encoding: 'utf8' })
    : spawnSync('sqlite3', [db.url, statement], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${statement}: ${r.stderr}`);
  return r.stdout.trim();
}
const SPEAKER = "CASE WHEN kind = 'lecture' THEN coalesce(speaker_id, 0) ELSE 0 END";
const MONTHS = Array.from({ length: 12 }, (_, i) => String(i + 1).padStart(2, '0'));
// life_tally's month columns as rows "org|YYYY-MM|kind|speaker|n", n > 0.
// (One statement for all twelve: each psql call costs a process.)
const lifeKept = () => sql(MONTHS.map((mm) => `SELECT org_id || '|' || year || '-${mm}|' || kind || '|' || speaker`
  + ` || '|' || m${mm} FROM life_tally WHERE m${mm} > 0`).join(' UNION ALL ')).split('\n').filter(Boolean).sort().join('\n');
const lifeRecount = () => sql(`SELECT org_id || '|' || substr(on_date, 1, 7) || '|' || kind || '|' || ${SPEAKER}`
  + ` || '|' || count(*) FROM activity_org WHERE held = 1 GROUP BY org_id, substr(on_date, 1, 7), kind, ${SPEAKER}`)
  .split('\n').filter(Boolean).sort().join('\n');
// The speaker copied onto activity_org is the lecture's own.
const speakersAstray = () => sql("SELECT count(*) FROM activity_org x JOIN activity v ON v.id = x.activity_id"
  + " WHERE x.kind = 'lecture' AND coalesce(x.speaker_id, 0) <> coalesce(v.speaker_member_id, 0)");
// att_tally: attendance at held activities of an org that holds them, per
// attendee org, year and kind, present (p) and all (n); att_foreign: the rest.
const OWN = 'EXISTS (SELECT 1 FROM activity_org x WHERE x.activity_id = t.activity_id AND x.org_id = t.org_id)';
const attKept = () => sql(MONTHS.map((mm) => `SELECT org_id || '|' || year || '-${mm}|' || kind || '|' || p${mm}`
  + ` || '|' || n${mm} FROM att_tally WHERE n${mm} <> 0 OR p${mm} <> 0`).join(' UNION ALL ')).split('\n').filter(Boolean)
  .sort().join('\n') + '\n' + sql('SELECT activity_id, member_id FROM att_foreign ORDER BY 1, 2');
const attRecount = () => sql("SELECT t.org_id || '|' || substr(a.on_date, 1, 7) || '|' || a.kind || '|'"
  + " || sum(CASE WHEN t.status = 'present' THEN 1 ELSE 0 END) || '|' || count(*) FROM attendance t"
  + ` JOIN activity a ON a.id = t.activity_id WHERE a.status = 'held' AND ${OWN}`
  + ' GROUP BY t.org_id, substr(a.on_date, 1, 7), a.kind').split('\n').filter(Boolean).sort().join('\n')
  + '\n' + sql(`SELECT t.activity_id, t.member_id FROM attendance t WHERE NOT ${OWN} ORDER BY 1, 2`);
const taskKept = () => sql('SELECT plan_id, task_id, status, n FROM task_tally WHERE n > 0 ORDER BY 1, 2, 3')
  + '\n' + sql('SELECT plan_id, org_id, n FROM task_plan_org WHERE n > 0 ORDER BY 1, 2');
const taskRecount = () => sql('SELECT plan_id, task_id, status, count(*) FROM assignment GROUP BY 1, 2, 3 ORDER BY 1, 2, 3')
  + '\n' + sql('SELECT plan_id, org_id, count(*) FROM assignment GROUP BY 1, 2 ORDER BY 1, 2');

// study_tally: study items done per member's org and plan month.
const studyKept = () => sql(MONTHS.map((mm) => `SELECT org_id || '|' || year || '-${mm}|' || m${mm}`
  + ` FROM study_tally WHERE m${mm} <> 0`).join(' UNION ALL ')).split('\n').filter(Boolean).sort().join('\n');
const studyRecount = () => sql("SELECT m.org_id || '|' || p.month || '|' || count(*) FROM study_done d"
  + ' JOIN study_item i ON i.id = d.item_id JOIN study_plan p ON p.id = i.plan_id JOIN member m ON m.id = d.member_id'
  + ' GROUP BY m.org_id, p.month').split('\n').filter(Boolean).sort().join('\n');

function assertKept(what) {
  assert.equal(studyKept(), studyRecount(), `study_tally after ${what}`);
  assert.equal(lifeKept(), lifeRecount(), `life_tally after ${what}`);
  assert.equal(speakersAstray(), '0', `lecture speakers after ${what}`);
  assert.equal(attKept(), attRecount(), `att_tally after ${what}`);
  assert.equal(taskKept(), taskRecount(), `task counts after ${what}`);
}

// The figures read from the counters (.kept) equal their records: for the
// year and for a period that cuts months, at the root, a committee and a branch.
function assertFigures(what) {
  const root = sql('SELECT code FROM org WHERE parent_id IS NULL');
  for (const period of [[`${today.slice(0, 4)}-01-01`, today], [day(-75), day(-12)]]) {
    const r = cli(['figures', '--db', db.url, '--key', db.key, '--org', root, '--check', '--from', period[0], '--to', period[1]],
      { env: { DANGJIAN_TODAY: today } });
    assert.equal(r.code, 0, `figures --check after ${what}: ${r.out}${r.err}`);
  }
}

// Every org-level rule of a compliance cell counts what the cell lists as held.
async function assertCell(org, m) {
  const r = await admin.get(`/life/compliance/cell?org=${org}&month=${m}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  for (const rule of r.body.rules.filter((x) => x.who === 'org'))
    assert.equal(rule.count, rule.held.length, `${rule.kind} ${m}`);
  return r.body;
}

before(async () => {
  db = freshDb('counters');
  generate(db);
  srv = await startServer(db);
  admin = await loginAs(srv.base, 'admin');
  zhibu = await loginAs(srv.base, 'zhibu');
  dangyuan = await loginAs(srv.base, 'dangyuan');
  hangye = await loginAs(srv.base, 'hangye');
  branch = (await zhibu.get('/session')).body.user.org_id;
  me = (await dangyuan.get('/session')).body.user.member_id;
});
after(async () => { await srv.stop(); });

describe('kept life and task counts', () => {
  it('equal a recount after generate', () => {
    assert.ok(lifeKept().length > 0);
    assert.ok(taskKept().length > 1);
    assertKept('generate');
  });

  it('follow activities created, edited, cancelled, attended and signed in to; compliance counts what it lists', async () => {
    const roster = (await zhibu.get(`/members?org=${branch}&direct=1&size=200`)).body.items;
    const secretary = roster[0].id;
    const base = { org_id: branch, status: 'held', on_date: today, place: '党员活动室' };
    const lecture = await zhibu.post('/activities', { ...base, kind: 'lecture', topic: '计数党课', speaker: roster[0].name,
      speaker_member_id: secretary });
    assert.equal(lecture.status, 201, JSON.stringify(lecture.body));
    const theme = await zhibu.post('/activities', { ...base, kind: 'theme_day', topic: '计数主题党日' });
    assert.equal(theme.status, 201, JSON.stringify(theme.body));
    const planned = await zhibu.post('/activities', { ...base, kind: 'general_meeting', status: 'planned', on_date: day(3),
      topic: '计数党员大会' });
    assert.equal(planned.status, 201, JSON.stringify(planned.body));
    assertKept('creates');
    await assertCell(branch, month);

    // Edits: another speaker, another kind, another month, planned to held.
    let r = await zhibu.patch(`/activities/${lecture.body.id}`, { speaker_member_id: roster[1]?.id ?? null, speaker: '另一人' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    r = await zhibu.patch(`/activities/${theme.body.id}`, { kind: 'committee_meeting', on_date: day(-40) });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    r = await zhibu.patch(`/activities/${planned.body.id}`, { status: 'held', on_date: today });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assertKept('edits');
    await assertCell(branch, month);
    await assertCell(branch, day(-40).slice(0, 7));

    // Attendance and sign-in.
    r = await zhibu.put(`/activities/${planned.body.id}/attendance`, { attendance: [{ member_id: me, status: 'present' }] });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const signin = await zhibu.post('/activities', { ...base, kind: 'group_meeting', status: 'planned', topic: '计数签到' });
    const open = await zhibu.post(`/activities/${signin.body.id}/signin/open`, { minutes: 30 });
    assert.equal(open.status, 200, JSON.stringify(open.body));
    assert.equal((await dangyuan.post(`/signin/${signin.body.id}`, { token: open.body.token })).status, 200);
    // A guest from another org (dual organizational life), then the host
    // org's activity moved to the guest's org and back.
    const all = (await admin.get('/members?size=200')).body.items;
    const guest = all.find((m) => m.org_id !== branch);
    const dual = await admin.post('/activities', { ...base, kind: 'theme_day', topic: '计数双重组织生活',
      attendance: [{ member_id: guest.id, status: 'present', dual: true }] });
    assert.equal(dual.status, 201, JSON.stringify(dual.body));
    assert.ok(Number(sql('SELECT count(*) FROM att_foreign')) > 0);
    assertKept('a dual guest');
    r = await admin.patch(`/activities/${dual.body.id}`, { org_ids: [guest.org_id] });
    assertKept(`a second org (${r.status})`);
    r = await admin.patch(`/activities/${dual.body.id}`, { org_ids: [] });
    assertKept(`the second org gone (${r.status})`);
    assertKept('attendance and sign-in');

    // Cancels.
    assert.equal((await zhibu.del(`/activities/${lecture.body.id}`)).status, 200);
    assert.equal((await zhibu.del(`/activities/${theme.body.id}`)).status, 200);
    assertKept('cancels');
    await assertCell(branch, month);
    await assertCell(branch, day(-40).slice(0, 7));

    // The root's grid agrees with the cells it summarizes.
    const grid = (await admin.get(`/life/compliance?from=${month}&to=${month}`)).body;
    const row = grid.rows.find((x) => x.org_id === branch);
    const cell = await assertCell(branch, month);
    assert.equal(row.cells[0].state, cell.state);
  });

  it('stay equal through study plans, task reports and reviews', async () => {
    const plan = await zhibu.post('/study-plans', { org_id: branch, month: day(40).slice(0, 7), title: '计数学习计划',
      items: [{ week: 1, title: '计数学习', kind: 'article' }, { week: 2, title: '计数学习二', kind: 'article' }] });
    assert.equal(plan.status, 201, JSON.stringify(plan.body));
    assert.equal((await dangyuan.post(`/study-items/${plan.body.items[0].id}/done`, {})).status, 200);
    assert.equal((await dangyuan.post(`/study-items/${plan.body.items[1].id}/done`, {})).status, 200);
    assertKept('study items done');
    assert.equal((await dangyuan.del(`/study-items/${plan.body.items[1].id}/done`)).status, 200);
    assertKept('a study item undone');
    // An item done, removed from its plan, takes its done rows with it.
    assert.equal((await dangyuan.post(`/study-items/${plan.body.items[1].id}/done`, {})).status, 200);
    let r = await zhibu.patch(`/study-plans/${plan.body.id}`, { items: [{ week: 1, title: '计数学习', kind: 'article' }] });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assertKept('a study item removed');
    // A member who did study items moves to another org: the counts move with them.
    const mover = sql('SELECT d.member_id FROM study_done d JOIN member m ON m.id = d.member_id'
      + ' WHERE m.active = 1 AND m.org_id <> ' + branch + ' ORDER BY d.member_id LIMIT 1');
    r = await admin.post(`/members/${mover}/transfer`, { to_org_id: branch, on_date: today, reason: '工作调动' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(sql(`SELECT org_id FROM member WHERE id = ${mover}`), String(branch));
    assertKept('a transfer of a member who studied');
    const mine = (await hangye.get('/assignments?mine=1&size=50')).body.items || [];
    const open = mine.find((a) => ['not_started', 'in_progress', 'returned', 'overdue'].includes(a.status));
    if (open) {
      const r = await hangye.post(`/assignments/${open.id}/submissions`, { kind: 'final', body: '计数：已完成' });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const rev = await admin.post(`/assignments/${open.id}/review`, { decision: 'return', comment: '计数退回' });
      assert.equal(rev.status, 200, JSON.stringify(rev.body));
    }
    assertKept('study and task writes');
    // The matrix's totals are the plan's assignments by state.
    const plans = (await admin.get('/plans?size=20')).body.items.filter((p) => p.status !== 'draft');
    for (const p of plans.slice(0, 2)) {
      const m = (await admin.get(`/plans/${p.id}/matrix?size=50`)).body;
      const n = Number(sql(`SELECT count(*) FROM assignment WHERE plan_id = ${p.id}`));
      assert.equal(Object.values(m.totals).reduce((a, b) => a + b, 0), n, `plan ${p.id}`);
      assert.equal(m.total_orgs, Number(sql(`SELECT count(DISTINCT org_id) FROM assignment WHERE plan_id = ${p.id}`)));
    }
  });

  // Last: the command line's check holds no HTTP connection open meanwhile.
  it('figures read from the counters equal their records after all these writes', () => {
    assertFigures('all the writes');
  });
});
