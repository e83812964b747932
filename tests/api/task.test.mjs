// task.test.mjs — task deployment over real HTTP against a real database
// (SQLite, or PostgreSQL when DJ_PG_URL is set): seed 002's plan imported as
// it is written, publishing, reports with photos, review, late marking,
// versioned edits, contacts, the matrix and points, and the bad inputs.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { freshDb, generate, startServer, loginAs, cli, root as repo, day } from '../lib/server.mjs';

let db, srv, admin, hangye, zhibu, jiguan, rootOrg;
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 7)]);

async function org(code) {
  const r = await admin.get('/orgs?q=' + encodeURIComponent(code) + '&size=50');
  return r.body.items.find((o) => o.code === code);
}
async function count(p) { return (await admin.get(p)).body.total; }

before(async () => {
  db = freshDb('task');
  generate(db);
  srv = await startServer(db);
  admin = await loginAs(srv.base, 'admin');
  hangye = await loginAs(srv.base, 'hangye');   // 东湖区 industry committee (JT-HY01)
  zhibu = await loginAs(srv.base, 'zhibu');     // a 机关 branch (JT-JG01)
  jiguan = await loginAs(srv.base, 'jiguan');   // 机关党委 (JT-JG)
  rootOrg = (await admin.get('/orgs/tree')).body[0];
  // The units seed 002 names that the demo tree does not have.
  for (const [code, name, kind] of [['SEED-XQ03', 'xx区交通运输局党委', 'industry_committee'],
    ['SEED-KF04', 'xx开发区交通运输局党委', 'industry_committee'], ['SEED-KF05', 'xx开发区交通局党委', 'industry_committee'],
    ['SEED-YS', '市运输综合服务中心党支部', 'branch'], ['SEED-JS', 'xx市交通建设工程技术中心党支部', 'branch']]) {
    const r = await admin.post('/orgs', { code, name, kind, parent_id: rootOrg.id, founded_on: '2015-01-01' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
});
after(async () => { await srv.stop(); });

describe('seed 002: the plan as the bureau wrote it', () => {
  let plan;
  it('imports the tasks, assignees, deadlines and quotas exactly as the seed gives them', async () => {
    const p = await admin.post('/plans', { org_id: rootOrg.id, title: 'xx市交通运输局党建引领交通运输工作方案',
      starts_on: '2022-03-01', ends_on: '2022-12-31', contacts_due: '2022-03-08' });
    assert.equal(p.status, 201, JSON.stringify(p.body));
    plan = p.body.id;
    const csv = fs.readFileSync(path.join(repo, 'tests/fixtures/seed002_plan.csv'));
    const r = await admin.req('POST', `/plans/${plan}/import`, new Uint8Array(csv));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.tasks, 17, '3 common + 2 county + 3 公路中心 + 3 执法支队 + 3 运输中心 + 1 技术中心 + 2 机关');
    const got = (await admin.get(`/plans/${plan}`)).body;
    assert.deepEqual(got.campaigns.map((c) => c.name), ['五大攻坚', '八项行动']);
    const t = (title) => got.tasks.find((x) => x.title === title);
    const codes = (x) => x.targets.map((o) => o.code).sort();
    const county = ['JT-HY01', 'JT-HY02', 'SEED-KF04', 'SEED-KF05', 'SEED-XQ03'];
    assert.equal(t('党建引领交通工程在建项目').due_on, '2022-11-20');
    assert.deepEqual(codes(t('党建引领交通工程在建项目')), county);
    assert.deepEqual(t('党建引领交通工程在建项目').quotas.map((q) => [q.item, q.min, q.max, q.unit, q.per]),
      [['党建引领交通在建工程示范点', 1, null, '个', 'assignee']]);
    assert.equal(t('党建引领“四好农村路”项目').due_on, '2022-10-31');
    assert.deepEqual(t('党建引领“四好农村路”项目').quotas.map((q) => [q.min, q.max]), [[1, 2]], '至少再打造1-2个');
    assert.equal(t('党员示范岗公路养护路段项目').due_on, '2022-09-30');
    assert.deepEqual(codes(t('党员示范岗公路养护路段项目')), ['JT-DW01']);
    assert.equal(t('“司机之家”党员为民公路服务区项目').quotas[0].min, 4);
    assert.equal(t('“司机之家”党员为民公路服务区项目').quotas[0].per, 'total');
    assert.equal(t('超限运输检测站党员先锋岗项目').due_on, '2022-04-30');
    assert.equal(t('交通文明规范执法党员示范组项目').due_on, '2022-06-30');
    assert.equal(t('建立党建与运输业务融合平台项目').due_on, '2022-05-31');
    assert.deepEqual(codes(t('建立党建与运输业务融合平台项目')), ['SEED-YS']);
    assert.equal(t('积极指导和督促县（区）建立党建引领“四好农村路”示范点项目').ends_on, '2022-11-30');
    const five = t('“五大攻坚”项目');
    assert.equal(five.campaign, '五大攻坚');
    assert.deepEqual(five.quotas.map((q) => [q.item, q.min, q.unit]), [['交通基础设施项目', 130, '个'], ['完成投资', 178, '亿元'],
      ['新建改造农村公路', 214, '公里'], ['向上争取资金补助', 5, '亿元']]);
    assert.deepEqual(codes(five), ['JT-JG01', 'JT-JG02', 'JT-JG03', 'JT-JG04', 'JT-JG05']);
    assert.equal(t('以政治建设为统领').scope, 'common');
    assert.ok(t('以政治建设为统领').assignee_kinds.length >= 8, 'all units and party organizations');
  });

  it('publishes one assignment per task and assignee, and lists who has not named contacts by 3月8日', async () => {
    const tree = await count('/orgs?size=1');
    const r = await admin.post(`/plans/${plan}/publish`, {});
    assert.equal(r.status, 200, JSON.stringify(r.body));
    // 14 specific assignments + 3 common tasks × every org below the root except 党小组.
    const groups = (await admin.get('/orgs?kind=group&size=200')).body.total;
    assert.equal(r.body.assignments, 5 + 5 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 5 + 5 + 3 * (tree - 1 - groups));
    const m = (await admin.get(`/plans/${plan}/matrix?size=200`)).body;
    assert.equal(m.tasks.length, 17);
    assert.equal(m.totals.accepted, 0);
    assert.ok(m.totals.overdue > 0, 'every 2022 deadline has passed with nothing reported');
    const c = (await admin.get(`/plans/${plan}/contacts`)).body;
    assert.equal(c.contacts_due, '2022-03-08');
    assert.equal(c.past_due, true);
    assert.equal(c.missing, c.items.length);
    assert.ok(c.items.every((x) => x.overdue));
  });

  it('keeps an org an assignment names: deleting it is refused and nothing changes', async () => {
    // On PostgreSQL the assignment's keys are checked per statement by
    // triggers (task module, step 4), on SQLite by the declared keys.
    const ys = await org('SEED-YS');
    const before = await count(`/assignments?plan=${plan}&size=1`);
    const r = await admin.req('DELETE', `/orgs/${ys.id}`);
    assert.equal(r.status, 409, JSON.stringify(r.body));
    assert.ok((await org('SEED-YS')), 'the org is still there');
    assert.equal(await count(`/assignments?plan=${plan}&size=1`), before);
  });

  it('reports the overdue tasks and the missing contacts as findings of `check`', async () => {
    const r = cli(['check', '--db', db.url, '--key', db.key, '--org', 'JT-HY01', '--json']);
    assert.equal(r.code, 0, r.err);
    const f = JSON.parse(r.out);
    const hy01 = await org('JT-HY01');
    // (The generated demo plan of this year has its own findings.)
    const overdue = f.filter((x) => x.rule === 'task.overdue' && x.org_id === hy01.id && x.message.includes('《xx市'));
    assert.equal(overdue.length, 5, '2 specific + 3 common tasks of 东湖区, none reported');
    assert.ok(f.some((x) => x.rule === 'task.overdue' && x.org_id !== hy01.id), 'and those of the branches below it');
    assert.ok(overdue.every((x) => x.level === 'error'));
    assert.match(overdue[0].message, /党建引领“四好农村路”项目，截止 2022-10-31，已逾期\d+天/);
    const contacts = f.filter((x) => x.rule === 'task.contacts');
    assert.ok(contacts.some((x) => /应于2022-03-08前报送/.test(x.message)));
  });

  it('gives the 东湖区 committee exactly its tasks, by deadline', async () => {
    const mine = (await hangye.get(`/assignments?plan=${plan}&mine=1&size=50`)).body;
    assert.deepEqual(mine.items.map((x) => x.title), ['党建引领“四好农村路”项目', '党建引领交通工程在建项目',
      '以政治建设为统领', '发挥党建在实现“开门红”中引领保障作用', '深化xx交通运输党建品牌']);
    assert.deepEqual(mine.items.map((x) => x.due_on), ['2022-10-31', '2022-11-20', '2022-12-31', '2022-12-31', '2022-12-31']);
    const p = (await hangye.get(`/plans/${plan}`)).body;
    assert.equal(p.can_manage, false);
    assert.ok(!p.tasks.some((x) => x.title === '“五大攻坚”项目'), 'a unit sees the tasks that concern it');
  });
});

describe('reporting and review', () => {
  let plan, task, mine;
  before(async () => {
    const hy01 = await org('JT-HY01'), hy02 = await org('JT-HY02');
    const p = await admin.post('/plans', { org_id: rootOrg.id, title: '年度党建任务', starts_on: day(-40), ends_on: day(200),
      contacts_due: day(10), campaigns: ['八项行动'] });
    plan = p.body.id;
    const t = await admin.post(`/plans/${plan}/tasks`, { scope: 'specific', title: '黨员先锋岗', starts_on: day(-40),
      ends_on: day(100), due_on: day(30), targets: [hy01.id, hy02.id], points: 6, missing_points: -3,
      quotas: [{ item: '党员先锋岗', min: 2, unit: '个', per: 'assignee' }],
      milestones: [{ due_on: day(10), label: '上报建设方案' }] });
    assert.equal(t.status, 201, JSON.stringify(t.body));
    task = t.body.id;
    const late = await admin.post(`/plans/${plan}/tasks`, { scope: 'specific', title: '已过期任务', starts_on: day(-40),
      ends_on: day(-5), due_on: day(-5), targets: [hy01.id], points: 4 });
    assert.equal(late.status, 201);
    assert.equal((await admin.post(`/plans/${plan}/publish`, {})).status, 200);
    mine = (await hangye.get(`/assignments?plan=${plan}&mine=1`)).body.items;
  });

  it('takes a progress report with a quantity and a photo, then a final report; returns it; accepts the resubmission', async () => {
    const a = mine.find((x) => x.title === '黨员先锋岗');
    const q = (await hangye.get(`/assignments/${a.id}`)).body.quotas[0];
    let r = await hangye.post(`/assignments/${a.id}/submissions`, { kind: 'progress', body: '已建成1个先锋岗', achieved: [{ quota_id: q.id, value: 1, unit: '个' }] });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.status, 'in_progress');
    const up = await hangye.req('POST', `/submissions/${r.body.event_id}/attachments?filename=${encodeURIComponent('先锋岗.png')}`, new Uint8Array(PNG));
    assert.equal(up.status, 201, JSON.stringify(up.body));
    r = await hangye.post(`/assignments/${a.id}/submissions`, { kind: 'final', body: '已建成2个先锋岗，图文附后', achieved: [{ quota_id: q.id, value: 2 }] });
    assert.equal(r.body.status, 'submitted');
    assert.equal(r.body.late_days, 0);
    const ret = await admin.post(`/assignments/${a.id}/review`, { decision: 'return', comment: '请补充现场照片' });
    assert.equal(ret.status, 200, JSON.stringify(ret.body));
    assert.equal(ret.body.status, 'returned');
    r = await hangye.post(`/assignments/${a.id}/submissions`, { kind: 'final', body: '补充照片', achieved: [{ quota_id: q.id, value: 2 }] });
    assert.equal(r.body.status, 'submitted');
    const acc = await admin.post(`/assignments/${a.id}/review`, { decision: 'accept' });
    assert.equal(acc.body.status, 'accepted');
    assert.deepEqual(acc.body.history.map((e) => e.kind), ['progress', 'final', 'return', 'final', 'accept']);
    assert.equal(acc.body.history[0].attachments[0].mime, 'image/png');
    assert.equal(acc.body.quotas[0].achieved, 2);
    const m = (await admin.get(`/plans/${plan}/matrix`)).body;
    const t = m.tasks.find((x) => x.title === '黨员先锋岗');
    assert.equal(t.states.accepted, 1);
    assert.equal(t.quotas[0].target, 4, '2 per assignee × 2 assignees');
    assert.equal(t.quotas[0].achieved, 2);
    const row = m.orgs.find((o) => o.code === 'JT-HY01');
    const cell = row.cells[m.tasks.indexOf(t)];
    assert.equal(cell.state, 'accepted');
    assert.equal(cell.id, a.id, 'the cell clicks through to the assignment');
    const audit = (await admin.get(`/audit?entity=assignment&entity_id=${a.id}`)).body.items.map((x) => x.action);
    assert.ok(audit.includes('task.submit_final') && audit.includes('task.return') && audit.includes('task.accept'));
  });

  it('lists under each state of the matrix as many assignments as its total says', async () => {
    const m = (await admin.get(`/plans/${plan}/matrix`)).body;
    assert.ok(m.totals.overdue > 0 && m.totals.not_started > 0, JSON.stringify(m.totals));
    for (const [state, n] of Object.entries(m.totals)) {
      const l = (await admin.get(`/assignments?plan=${plan}&state=${state}&size=200`)).body;
      assert.equal(l.total, n, state);
      assert.ok(l.items.every((x) => x.state === state), state);
    }
  });

  it('marks a report after the deadline late, by how many days, and scores it as the plan says', async () => {
    const a = mine.find((x) => x.title === '已过期任务');
    assert.equal(a.state, 'overdue');
    const overdue = (await admin.get(`/assignments?plan=${plan}&state=overdue`)).body.items;
    assert.ok(overdue.some((x) => x.id === a.id));
    const r = await hangye.post(`/assignments/${a.id}/submissions`, { kind: 'final', body: '逾期完成' });
    assert.equal(r.body.late_days, 5);
    await admin.post(`/assignments/${a.id}/review`, { decision: 'accept' });
    const s = (await admin.get(`/plans/${plan}/scores`)).body;
    const hy = s.find((x) => x.org_name.includes('东湖'));
    assert.equal(hy.earned, 6 + 4 * 0.5, 'on time: full points; late: the plan\'s late factor (0.5)');
    assert.equal(hy.possible, 10);
  });

  it('refuses bad input with the field named and stores nothing', async () => {
    const n = (await admin.get(`/plans/${plan}`)).body.tasks.length;
    const hy02 = await org('JT-HY02');
    let r = await admin.post(`/plans/${plan}/tasks`, { scope: 'specific', title: 'x', starts_on: day(0), ends_on: day(9), due_on: day(-1), targets: [hy02.id] });
    assert.equal(r.status, 400);
    assert.equal(r.body.field, 'due_on');
    r = await admin.post(`/plans/${plan}/tasks`, { scope: 'specific', title: 'x', starts_on: day(0), ends_on: day(9), due_on: day(5), targets: [hy02.id],
      quotas: [{ item: '示范点', min: 1, unit: '斤', per: 'assignee' }] });
    assert.equal(r.status, 400);
    assert.equal(r.body.field, 'quotas');
    // A plan of 东湖区 cannot give a task to 西山区.
    const own = await hangye.post('/plans', { org_id: (await org('JT-HY01')).id, title: '区内方案', starts_on: day(0), ends_on: day(60) });
    assert.equal(own.status, 201);
    r = await hangye.post(`/plans/${own.body.id}/tasks`, { scope: 'specific', title: 'x', starts_on: day(0), ends_on: day(9), due_on: day(5), targets: [hy02.id] });
    assert.ok(r.status === 400 || r.status === 404, JSON.stringify(r.body));
    assert.equal((await admin.get(`/plans/${plan}`)).body.tasks.length, n);
    // A unit cannot report on another unit's assignment.
    const theirs = (await admin.get(`/assignments?plan=${plan}&org=${hy02.id}`)).body.items[0];
    r = await hangye.post(`/assignments/${theirs.id}/submissions`, { kind: 'progress', body: 'x' });
    assert.equal(r.status, 404);
    // Achieved in the wrong unit.
    const q = (await admin.get(`/assignments/${theirs.id}`)).body.quotas[0];
    const xs = await loginAs(srv.base, 'admin');
    r = await xs.post(`/assignments/${theirs.id}/submissions`, { kind: 'progress', body: 'x', achieved: [{ quota_id: q.id, value: 1, unit: '公里' }] });
    assert.equal(r.status, 400);
    assert.equal(r.body.field, 'achieved');
    r = await xs.post(`/assignments/${theirs.id}/submissions`, { kind: 'progress', body: 'x', achieved: [{ quota_id: q.id, value: 1.5 }] });
    assert.equal(r.status, 400);
    assert.match(r.body.error, /整数/, 'a 党员先锋岗 is counted, not measured');
    assert.equal((await admin.get(`/assignments/${theirs.id}`)).body.history.length, 0, 'nothing stored');
    // The unit may not review its own report.
    r = await hangye.post(`/assignments/${theirs.id}/review`, { decision: 'accept' });
    assert.equal(r.status, 404);
  });

  it('tells each assignee what changed when a published task is edited', async () => {
    const r = await admin.patch(`/tasks/${task}`, { due_on: day(45), points: 8 });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const hy02 = await org('JT-HY02');
    const theirs = (await admin.get(`/assignments?plan=${plan}&org=${hy02.id}`)).body.items.find((x) => x.task_id === task);
    const c = await admin.get(`/assignments/${theirs.id}`);
    assert.equal(c.body.changed, true);
    const change = c.body.history.find((e) => e.kind === 'change');
    assert.match(change.body, new RegExp(`上报截止日期：${day(30)} → ${day(45)}`));
    assert.match(change.body, /分值/);
    assert.equal(c.body.versions[0].version, 2);
    // Removing an assignee from a published task is refused.
    const bad = await admin.patch(`/tasks/${task}`, { targets: [hy02.id] });
    assert.equal(bad.status, 409);
  });

  it('keeps contacts as personal data: masked in the list, revealed with an audit record', async () => {
    const hy01 = await org('JT-HY01');
    let r = await hangye.put(`/plans/${plan}/contacts/${hy01.id}`, { leader_name: '王分管', leader_phone: '13912345678', clerk_name: '李经办', clerk_phone: '0371-12345678' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    r = await hangye.put(`/plans/${plan}/contacts/${hy01.id}`, { leader_name: '王分管', leader_phone: '12345', clerk_name: '李经办', clerk_phone: '13800000000' });
    assert.equal(r.status, 400);
    assert.equal(r.body.field, 'leader_phone');
    const list = (await admin.get(`/plans/${plan}/contacts`)).body;
    const row = list.items.find((x) => x.org_id === hy01.id);
    assert.equal(row.leader_phone, '139****5678');
    assert.equal(list.missing, list.items.length - 1);
    const rev = await admin.post(`/plans/${plan}/contacts/${hy01.id}/reveal`, { field: 'leader_phone' });
    assert.equal(rev.body.value, '13912345678');
    const audit = (await admin.get(`/audit?action=task.contact_reveal`)).body.items;
    assert.equal(audit.length, 1);
    assert.ok(!JSON.stringify(audit).includes('13912345678'), 'the audit never holds the number');
  });

  it('refuses reports once the plan is closed', async () => {
    const a = (await admin.get(`/assignments?plan=${plan}&state=not_started`)).body.items[0];
    assert.equal((await admin.post(`/plans/${plan}/close`, {})).status, 200);
    const r = await admin.post(`/assignments/${a.id}/submissions`, { kind: 'progress', body: '迟到的上报' });
    assert.equal(r.status, 409);
    assert.match(r.body.error, /已结束/);
  });

  it('imports nothing from a template with bad rows, and says which row and column', async () => {
    const p = await admin.post('/plans', { org_id: rootOrg.id, title: '导入测试', starts_on: day(0), ends_on: day(60) });
    const csv = ['专项行动,任务类型,任务名称,实施内容,承担单位,开始日期,结束日期,上报截止日期,指标内容,指标下限,指标上限,计量单位,计算方式,分值,未完成扣分',
      `,个性任务,甲,,JT-HY01,${day(0)},${day(30)},${day(20)},示范点,1,,个,每个单位,1,0`,
      `,个性任务,乙,,NO-SUCH,${day(0)},${day(30)},${day(20)},,,,,,,`,
      `,个性任务,丙,,JT-HY01,${day(0)},${day(30)},2022-13-01,,,,,,,`,
      `,个性任务,丁,,JT-HY01,${day(5)},${day(30)},${day(1)},,,,,,,`].join('\n');
    const r = await admin.req('POST', `/plans/${p.body.id}/import`, csv);
    assert.equal(r.status, 400);
    assert.deepEqual(r.body.details.map((d) => [d.row, d.column]), [[3, '承担单位'], [4, '上报截止日期'], [5, '上报截止日期']]);
    assert.equal((await admin.get(`/plans/${p.body.id}`)).body.tasks.length, 0);
    const t = await admin.get('/plans/template');
    assert.equal(t.status, 200);
    assert.equal(t.raw.subarray(0, 2).toString(), 'PK');
  });
});

describe('quantities', () => {
  it('keeps a quota and an achieved quantity as written, to a double\'s precision on both engines', async () => {
    // PostgreSQL's REAL is a 4-byte float: 12345.678 came back 12345.678 only
    // by luck of its shortest text, 123456789 as 123456792, and a sum or a
    // comparison in SQL saw 0.699999988 for 0.7.
    const hy02 = await org('JT-HY02');
    const p = await admin.post('/plans', { org_id: rootOrg.id, title: '投资统计', starts_on: day(-10), ends_on: day(60), late_factor: 0.7 });
    assert.equal(p.status, 201, JSON.stringify(p.body));
    const t = await admin.post(`/plans/${p.body.id}/tasks`, { scope: 'specific', title: '完成投资', starts_on: day(-10),
      ends_on: day(30), due_on: day(20), targets: [hy02.id], points: 2.3,
      quotas: [{ item: '完成投资', min: 123456789.25, unit: '亿元', per: 'total' }, { item: '新建改造农村公路', min: 0.7, max: 16777217.5, unit: '公里', per: 'assignee' }] });
    assert.equal(t.status, 201, JSON.stringify(t.body));
    assert.equal((await admin.post(`/plans/${p.body.id}/publish`, {})).status, 200);
    const task = (await admin.get(`/plans/${p.body.id}`)).body.tasks[0];
    assert.deepEqual(task.quotas.map((q) => [q.min, q.max]), [[123456789.25, null], [0.7, 16777217.5]]);
    assert.equal(task.points, 2.3);
    const a = (await admin.get(`/assignments?plan=${p.body.id}`)).body.items[0];
    const qs = (await admin.get(`/assignments/${a.id}`)).body.quotas;
    const r = await admin.post(`/assignments/${a.id}/submissions`, { kind: 'progress', body: '阶段完成',
      achieved: [{ quota_id: qs[0].id, value: 98765432.1 }, { quota_id: qs[1].id, value: 0.7 }] });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.deepEqual((await admin.get(`/assignments/${a.id}`)).body.quotas.map((q) => q.achieved), [98765432.1, 0.7]);
    const m = (await admin.get(`/plans/${p.body.id}/matrix`)).body.tasks[0];
    assert.deepEqual(m.quotas.map((q) => q.achieved), [98765432.1, 0.7], 'summed in SQL');
  });
});
