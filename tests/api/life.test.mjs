// life.test.mjs — organizational life over real HTTP against a real database
// (SQLite by default, PostgreSQL when DJ_PG_URL is set): activities and
// attendance, QR sign-in, attachments, the compliance rules, study plans.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { freshDb, generate, startServer, loginAs, cli, today as todayOf, day } from '../lib/server.mjs';

let db, srv, admin, zhibu, dangyuan, branch, me, other;

const today = todayOf();
const month = today.slice(0, 7);
const future = day(10);
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 7)]);

before(async () => {
  db = freshDb('life');
  generate(db);
  srv = await startServer(db);
  admin = await loginAs(srv.base, 'admin');
  zhibu = await loginAs(srv.base, 'zhibu');
  dangyuan = await loginAs(srv.base, 'dangyuan');
  branch = (await zhibu.get('/session')).body.user.org_id;
  me = (await dangyuan.get('/session')).body.user.member_id;
  // A member of another branch, for the out-of-org cases.
  const all = (await admin.get('/members?size=200')).body.items;
  other = all.find((m) => m.org_id !== branch);
});
after(async () => { await srv.stop(); });

async function countActivities() {
  return (await admin.get(`/activities?org=${branch}&size=1`)).body.total;
}

function meeting(extra = {}) {
  return { org_id: branch, kind: 'theme_day', status: 'held', on_date: today, topic: '测试主题党日', place: '党员活动室', ...extra };
}

describe('activities and attendance', () => {
  it('computes the expected attendees from the roster on the date, and derives the counts', async () => {
    const roster = (await zhibu.get(`/members?org=${branch}&direct=1&size=200`)).body.items;
    const r = await zhibu.post('/activities', meeting());
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.counts.expected, roster.length);
    assert.equal(r.body.counts.present, 0);
    const att = roster.map((m, i) => ({ member_id: m.id, status: i === 0 ? 'leave' : 'present', reason: i === 0 ? '出差' : undefined }));
    const u = await zhibu.put(`/activities/${r.body.id}/attendance`, { attendance: att, guests: [{ name: '王指导员', note: '上级党组织' }] });
    assert.equal(u.status, 200, JSON.stringify(u.body));
    assert.equal(u.body.counts.present, roster.length - 1);
    assert.equal(u.body.counts.leave, 1);
    assert.equal(u.body.counts.guests, 1);
    assert.ok(Math.abs(u.body.counts.rate - (roster.length - 1) / roster.length) < 1e-9);
    const audit = (await admin.get(`/audit?entity=activity&entity_id=${r.body.id}`)).body.items;
    assert.ok(audit.some((a) => a.action === 'life.attendance' && a.before_json && a.after_json), 'the correction is audited');
  });

  it('refuses a held activity dated in the future and stores nothing', async () => {
    const n = await countActivities();
    const r = await zhibu.post('/activities', meeting({ on_date: future }));
    assert.equal(r.status, 400);
    assert.equal(r.body.field, 'on_date');
    assert.equal(await countActivities(), n);
    const planned = await zhibu.post('/activities', meeting({ on_date: future, status: 'planned' }));
    assert.equal(planned.status, 201);
  });

  it('refuses attendance for someone who was not a member of the org, unless it is dual organizational life', async () => {
    const n = await countActivities();
    const bad = await admin.post('/activities', meeting({ attendance: [{ member_id: other.id, status: 'present' }] }));
    assert.equal(bad.status, 400);
    assert.equal(bad.body.field, 'attendance');
    assert.match(bad.body.error, /双重组织生活/);
    assert.equal(await countActivities(), n, 'nothing stored half');
    const dual = await admin.post('/activities', meeting({ attendance: [{ member_id: other.id, status: 'present', dual: true }] }));
    assert.equal(dual.status, 201, JSON.stringify(dual.body));
    const row = dual.body.attendance.find((t) => t.member_id === other.id);
    assert.equal(row.dual, 1);
    assert.equal(dual.body.counts.present, 1);
  });

  it('needs a reason for leave, a known kind, and minutes of reasonable size', async () => {
    const roster = (await zhibu.get(`/members?org=${branch}&direct=1&size=5`)).body.items;
    let r = await zhibu.post('/activities', meeting({ attendance: [{ member_id: roster[0].id, status: 'leave' }] }));
    assert.equal(r.status, 400);
    assert.match(r.body.error, /事由/);
    r = await zhibu.post('/activities', meeting({ kind: 'no_such_kind' }));
    assert.equal(r.status, 400);
    assert.equal(r.body.field, 'kind');
    r = await zhibu.post('/activities', meeting({ minutes: '记'.repeat(60000) }));
    assert.equal(r.status, 400);
    assert.equal(r.body.field, 'minutes');
    r = await zhibu.post('/activities', meeting({ minutes: 'x'.repeat(2 * 1024 * 1024) }));
    assert.equal(r.status, 413);
  });

  it('records a 党组会议 with its agenda marked 第一议题 and 党建议题, and a 党课 with its speaker', async () => {
    const r = await admin.post('/activities', meeting({
      kind: 'party_group_meeting', topic: '党组会议', agenda: [
        { title: '传达学习习近平总书记重要讲话精神', first_topic: true },
        { title: '研究党建工作要点', party_topic: true }] }));
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.agenda.length, 2);
    assert.equal(r.body.agenda[0].first_topic, 1);
    assert.equal(r.body.agenda[1].party_topic, 1);
    const l = await zhibu.post('/activities', meeting({ kind: 'lecture', topic: '党课：坚定理想信念', speaker: '张书记' }));
    assert.equal(l.status, 201);
    assert.equal(l.body.speaker, '张书记');
  });

  it('keeps activities of other orgs out of reach of a branch secretary and members', async () => {
    const a = await admin.post('/activities', { ...meeting(), org_id: other.org_id });
    assert.equal(a.status, 201);
    assert.equal((await zhibu.get(`/activities/${a.body.id}`)).status, 404);
    assert.equal((await zhibu.patch(`/activities/${a.body.id}`, { topic: 'x' })).status, 404);
    assert.equal((await zhibu.post('/activities', { ...meeting(), org_id: other.org_id })).status, 404);
    assert.equal((await dangyuan.post('/activities', meeting())).status, 403);
  });
});

describe('QR sign-in', () => {
  let act, token;
  before(async () => {
    act = (await zhibu.post('/activities', meeting({ kind: 'general_meeting', status: 'planned', topic: '支部党员大会' }))).body;
    const o = await zhibu.post(`/activities/${act.id}/signin/open`, { minutes: 30 });
    assert.equal(o.status, 200, JSON.stringify(o.body));
    token = o.body.token;
    assert.match(o.body.path, new RegExp(`/#/signin/${act.id}\\?t=`));
  });

  it('shows a QR code of the link', async () => {
    const r = await zhibu.get(`/activities/${act.id}/signin/qr`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /image\/svg\+xml/);
    assert.match(r.raw.toString(), /^<svg[^>]*viewBox/);
  });

  it('signs a member in once, refuses a replay, a wrong token and a member of another org', async () => {
    assert.equal((await dangyuan.post(`/signin/${act.id}`, { token: 'f'.repeat(32) })).status, 409);
    const ok = await dangyuan.post(`/signin/${act.id}`, { token });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.me.status, 'present');
    const again = await dangyuan.post(`/signin/${act.id}`, { token });
    assert.equal(again.status, 409);
    assert.match(again.body.error, /重复签到/);
    const foreign = await admin.post('/activities', { ...meeting({ status: 'planned' }), org_id: other.org_id });
    const t2 = (await admin.post(`/activities/${foreign.body.id}/signin/open`, {})).body.token;
    const refused = await dangyuan.post(`/signin/${foreign.body.id}`, { token: t2 });
    assert.equal(refused.status, 403);
    assert.match(refused.body.error, /不是该活动所属党组织的党员/);
  });

  it('refuses a sign-in after the window is closed, and the secretary corrects it with an audit record', async () => {
    await zhibu.post(`/activities/${act.id}/signin/close`, {});
    const late = await dangyuan.post(`/signin/${act.id}`, { token });
    assert.equal(late.status, 409);
    const fix = await zhibu.put(`/activities/${act.id}/attendance`, { attendance: [{ member_id: me, status: 'absent' }] });
    assert.equal(fix.status, 200);
    assert.equal(fix.body.attendance.find((t) => t.member_id === me).status, 'absent');
  });
});

describe('attachments', () => {
  let act;
  before(async () => { act = (await zhibu.post('/activities', meeting())).body; });
  it('stores a photo by content and serves it back', async () => {
    const r = await zhibu.req('POST', `/activities/${act.id}/attachments?filename=${encodeURIComponent('现场照片.png')}`, PNG);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const g = await dangyuan.get(`/attachments/${r.body.id}`);
    assert.equal(g.status, 200);
    assert.equal(g.headers.get('content-type'), 'image/png');
    assert.deepEqual(g.raw, PNG);
    const detail = (await zhibu.get(`/activities/${act.id}`)).body;
    assert.equal(detail.attachments[0].filename, '现场照片.png');
  });
  it('refuses a forbidden type and a file over the limit', async () => {
    const exe = await zhibu.req('POST', `/activities/${act.id}/attachments?filename=a.exe`, Buffer.from('MZ\x90\x00rest-of-file'));
    assert.equal(exe.status, 400);
    assert.equal(exe.body.field, 'file');
    const html = await zhibu.req('POST', `/activities/${act.id}/attachments?filename=a.png`, Buffer.from('<html><script>1</script>'));
    assert.equal(html.status, 400);
    const big = await zhibu.req('POST', `/activities/${act.id}/attachments?filename=big.png`, Buffer.concat([PNG, Buffer.alloc(11 * 1024 * 1024)]));
    assert.equal(big.status, 413);
    assert.equal((await zhibu.get(`/activities/${act.id}`)).body.attachments.length, 1, 'only the photo');
  });
});

describe('compliance', () => {
  it('gives a grid of branches × months, with the records or the gap behind each cell', async () => {
    const g = await admin.get(`/life/compliance?from=${month}&to=${month}`);
    assert.equal(g.status, 200, JSON.stringify(g.body));
    assert.deepEqual(g.body.months, [month]);
    assert.ok(g.body.rows.length > 10);
    const row = g.body.rows.find((r) => r.org_id === branch);
    assert.ok(row, 'the branch is in the grid');
    const cell = await admin.get(`/life/compliance/cell?org=${branch}&month=${month}`);
    assert.equal(cell.status, 200);
    const theme = cell.body.rules.find((r) => r.kind === 'theme_day');
    assert.ok(theme.held.length >= 1, 'the theme days held this month are listed');
    assert.equal(theme.state, 'ok');
  });

  it('turns a missing month green once the meeting is recorded', async () => {
    // An org with a committee that missed its committee meeting in some past month.
    const g = (await admin.get(`/life/compliance?from=${Number(month.slice(0, 4)) - 1}-01&to=${Number(month.slice(0, 4)) - 1}-12`)).body;
    let target;
    for (const row of g.rows) {
      const i = row.cells.findIndex((c) => c.state === 'missing');
      if (i >= 0) { target = { org: row.org_id, month: g.months[i] }; break; }
    }
    assert.ok(target, 'the generated history has lapses');
    const detail = (await admin.get(`/life/compliance/cell?org=${target.org}&month=${target.month}`)).body;
    const gaps = detail.rules.filter((r) => r.state === 'missing' && r.who === 'org');
    for (const gap of gaps) {
      const r = await admin.post('/activities', { org_id: target.org, kind: gap.kind, status: 'held', on_date: gap.to, topic: '补录' });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
    const after = (await admin.get(`/life/compliance/cell?org=${target.org}&month=${target.month}`)).body;
    assert.ok(!after.rules.some((r) => r.state === 'missing' && r.who === 'org'), JSON.stringify(after.rules.map((r) => [r.kind, r.state])));
  });

  it('lists this month’s pending activities (本月待开展), the members absent three times in a row, and the dashboard numbers', async () => {
    const dues = await admin.get('/life/pending');
    assert.equal(dues.status, 200);
    const moved = await fetch(srv.base + '/api/v1/life/dues?org=1', { headers: { Cookie: admin.cookie }, redirect: 'manual' });
    assert.equal(moved.status, 308, 'the old name answers 308 to the new one');
    assert.equal(moved.headers.get('location'), '/api/v1/life/pending?org=1');
    assert.equal(dues.body.month, month);
    const abs = await admin.get('/life/absentees');
    assert.equal(abs.status, 200);
    assert.equal(abs.body.in_a_row, 3);
    const s = await admin.get('/life/summary');
    assert.equal(s.status, 200);
    assert.ok(s.body.held > 0 && s.body.expected >= s.body.present);
    assert.equal((await dangyuan.get('/life/summary')).status, 403);
    // The dashboard's 本月待开展 and 上月未落实 are figures now: they say what
    // the compliance grid says, at the root and at a branch, and their
    // records are that many (the pending ones are GET /life/pending's items).
    for (const q of ['', `?org=${branch}`]) {
      const sum = (await admin.get('/life/summary' + q)).body, pend = (await admin.get('/life/pending' + q)).body;
      const f = async (id) => (await admin.get(`/figures/${id}${q}`)).body.value;
      const recs = async (id) => (await admin.get(`/figures/${id}/records${q}${q ? '&' : '?'}size=200`)).body;
      assert.equal(await f('life.pending.count'), sum.pending, 'pending' + q);
      assert.equal(await f('life.pending.count'), pend.total, 'pending items' + q);
      assert.equal(await f('life.behind_last_month.count'), sum.behind_last_month, 'behind' + q);
      const pr = await recs('life.pending.count');
      assert.equal(pr.total, sum.pending);
      assert.deepEqual(pr.items.map((r) => `${r.org_id}:${r.kind}`).sort(), pend.items.map((r) => `${r.org_id}:${r.kind}`).sort());
      assert.equal((await recs('life.behind_last_month.count')).total, sum.behind_last_month);
    }
  });

  it('lets an administrator change the rules of an org kind, and nobody else', async () => {
    const rules = [{ activity_kind: 'theme_day', period: 'month', min_count: 1 }, { activity_kind: 'general_meeting', period: 'quarter' }];
    assert.equal((await zhibu.put('/life/rules', { org_kind: 'cloud_branch', rules })).status, 403);
    const r = await admin.put('/life/rules', { org_kind: 'cloud_branch', rules });
    assert.equal(r.status, 200);
    assert.equal(r.body.items.filter((x) => x.org_kind === 'cloud_branch').length, 2);
    const bad = await admin.put('/life/rules', { org_kind: 'cloud_branch', rules: [{ activity_kind: 'theme_day', period: 'weekly' }] });
    assert.equal(bad.status, 400);
  });

  it('prints the findings from the command line (exit 0), and refuses a bad period (exit 2)', () => {
    const r = cli(['check', '--db', db.url, '--key', db.key, '--org', String(branch), '--period', `${Number(month.slice(0, 4)) - 1}-12`]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /findings/);
    const bad = cli(['check', '--db', db.url, '--key', db.key, '--org', String(branch), '--period', '2025-13']);
    assert.equal(bad.code, 2);
  });
});

describe('my organizational life and study plans', () => {
  it('shows a member their own activities', async () => {
    const r = await dangyuan.get('/life/mine');
    assert.equal(r.status, 200);
    assert.ok(r.body.items.length > 0);
    assert.ok(r.body.total >= r.body.present);
  });

  it('pushes a monthly plan with weekly items; members mark them done; completion per branch', async () => {
    const plan = await zhibu.post('/study-plans', { org_id: branch, month, title: `${month} 学习计划`, items: [
      { week: 1, title: '学习党章第一章', kind: 'article', url: 'https://www.12371.cn/' },
      { week: 2, title: '党课视频', kind: 'video' }] });
    assert.equal(plan.status, 201, JSON.stringify(plan.body));
    const dup = await zhibu.post('/study-plans', { org_id: branch, month, title: 'x', items: [{ week: 1, title: 'a', kind: 'article' }] });
    assert.equal(dup.status, 409);
    const list = await dangyuan.get('/study-plans');
    assert.ok(list.body.items.some((p) => p.id === plan.body.id));
    const item = plan.body.items[0].id;
    assert.equal((await dangyuan.post(`/study-items/${item}/done`, {})).status, 200);
    const mine = (await dangyuan.get(`/study-plans/${plan.body.id}`)).body;
    assert.equal(mine.items.find((i) => i.id === item).done, 1);
    const prog = await zhibu.get(`/study-plans/${plan.body.id}/progress`);
    assert.equal(prog.status, 200);
    const b = prog.body.branches.find((x) => x.org_id === branch);
    assert.equal(b.done, 1);
    const badUrl = await zhibu.patch(`/study-plans/${plan.body.id}`, { items: [{ week: 1, title: 'a', kind: 'article', url: 'javascript:alert(1)' }] });
    assert.equal(badUrl.status, 400);
  });
});
