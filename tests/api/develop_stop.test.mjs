// develop_stop.test.mjs — 终止发展 and 重新申请, and the audited view of a
// pipeline person's whole 身份证号 or phone.  A stopped person leaves the
// board, the due list, the findings and 待办 from the day of the stop, and
// stays in the figures of the days before; bad input is refused with
// {error, field} and nothing stored.  The server's day is pinned.
// SQLite by default, PostgreSQL with DJ_PG_URL.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { freshDb, generate, startServer, loginAs, idCard } from '../lib/server.mjs';

const TODAY = '2027-03-15';
const env = { DANGJIAN_TODAY: TODAY };
let db, srv, admin, zhibu, dangyuan, branch;
let seq = 300;

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
async function person(applied, extra = {}) {
  const name = `终止测试${++seq}`;
  const card = idCard('19960420', seq);
  const p = await ok(await admin.post('/develop/people', { org_id: branch, name, id_card: card, phone: '13800138' + String(seq).slice(-3),
    applied_on: applied, ...extra }), 201);
  p.card = card;
  return p;
}
const get = async (id) => ok(await admin.get(`/develop/people/${id}`));
const audits = async (id) => (await ok(await admin.get(`/audit?entity=develop_person&entity_id=${id}&size=100`))).items;
const figure = async (id, q) => (await ok(await admin.get(`/figures/${id}?org=${branch}&${q}`))).value;
const recs = async (id, q) => (await ok(await admin.get(`/figures/${id}/records?org=${branch}&${q}&size=200`))).items;

before(async () => {
  db = freshDb('develop_stop');
  generate(db, 'demo', { env });
  srv = await startServer(db, { env });
  admin = await loginAs(srv.base, 'admin');
  zhibu = await loginAs(srv.base, 'zhibu');
  dangyuan = await loginAs(srv.base, 'dangyuan');
  branch = (await zhibu.get('/session')).body.user.org_id;
});
after(async () => { await srv.stop(); });

describe('终止发展', () => {
  it('refuses bad input with {error, field} and stores nothing', async () => {
    const p = await person('2027-01-10');
    await ok(await admin.post(`/develop/people/${p.id}/steps`, { step: 2, on_date: '2027-02-01' }), 201);
    const url = `/develop/people/${p.id}/stop`;
    const n = (await audits(p.id)).length;
    await refused(await zhibu.post(url, { reason: 'withdrawn' }), 'on_date');
    await refused(await zhibu.post(url, { on_date: '2027-03-01', reason: 'bored' }), 'reason');
    await refused(await zhibu.post(url, { on_date: '2027-03-01' }), 'reason');
    await refused(await zhibu.post(url, { on_date: '2027-03-01', reason: 'other' }), 'note');
    await refused(await zhibu.post(url, { on_date: '2027-03-16', reason: 'withdrawn' }), 'on_date');
    // Not before the last step (2027-02-01): the day before is refused, the day of is not (below).
    await refused(await zhibu.post(url, { on_date: '2027-01-31', reason: 'withdrawn' }), 'on_date');
    await refused(await zhibu.post(url, { on_date: '2027-03-01', reason: 'withdrawn', note: 'x'.repeat(501) }), 'note');
    assert.equal((await dangyuan.post(url, { on_date: '2027-03-01', reason: 'withdrawn' })).status, 403);
    assert.equal((await zhibu.post('/develop/people/999999999/stop', { on_date: '2027-03-01', reason: 'withdrawn' })).status, 404);
    const same = await get(p.id);
    assert.equal(same.status, 'applicant');
    assert.equal(same.stopped_on, null);
    assert.equal((await audits(p.id)).length, n);
    const done = await ok(await zhibu.post(url, { on_date: '2027-02-01', reason: 'withdrawn', note: '本人书面撤回' }), 201);
    assert.equal(done.status, 'stopped');
    assert.equal(done.stopped_on, '2027-02-01');
    assert.equal(done.stop_reason, 'withdrawn');
    assert.equal(done.stop_label, '本人撤回入党申请');
    assert.equal(done.stop_note, '本人书面撤回');
    await refused(await zhibu.post(url, { on_date: '2027-03-01', reason: 'unfit' }), 'status', 409);
    await refused(await admin.post(`/develop/people/${p.id}/steps`, { step: 3, on_date: '2027-03-01' }), 'step', 409);
  });

  it('leaves the board, the due list, the findings and 待办 from its day; stays in the figures before', async () => {
    // Applied 2027-01-02: the talk was due 2027-02-02, so it is overdue today.
    const p = await person('2027-01-02');
    const onBoard = async () => (await ok(await admin.get(`/develop/board?org=${branch}&size=500`))).stages
      .some((s) => s.items.some((i) => i.id === p.id));
    const inDue = async () => (await ok(await admin.get(`/develop/due?org=${branch}`))).items.some((i) => i.id === p.id);
    const inFindings = async () => (await ok(await admin.get(`/findings?org=${branch}&rule=develop.overdue`))).items
      .some((f) => f.message.includes(p.name));
    const inTodos = async () => (await ok(await zhibu.get('/todos'))).items.some((t) => t.title.includes(p.name));
    assert.deepEqual([await onBoard(), await inDue(), await inFindings(), await inTodos()], [true, true, true, true]);
    const applicants = async (on) => (await recs('develop.applicant.count', `on=${on}`)).some((r) => r.rid === p.id);
    const before = await figure('develop.applicant.count', 'on=2027-03-09');
    const stopped0 = await figure('develop.stopped.count', 'from=2027-01-01&to=2027-03-15');

    const audit0 = (await audits(p.id)).length;
    await ok(await zhibu.post(`/develop/people/${p.id}/stop`, { on_date: '2027-03-10', reason: 'unfit', note: '考察不合格' }), 201);
    const trail = await audits(p.id);
    assert.equal(trail.length, audit0 + 1, 'one audit record');
    assert.equal(trail[0].action, 'develop.stop');

    assert.deepEqual([await onBoard(), await inDue(), await inFindings(), await inTodos()], [false, false, false, false]);
    // The day before the stop it is still an applicant; the day of and after it is not.
    assert.equal(await applicants('2027-03-09'), true);
    assert.equal(await applicants('2027-03-10'), false);
    assert.equal(await applicants('2027-03-11'), false);
    assert.equal(await figure('develop.applicant.count', 'on=2027-03-09'), before);
    assert.equal(await figure('develop.applicant.count', 'on=2027-03-10'), before - 1);
    const stopped = await ok(await admin.get(`/figures/develop.stopped.count?org=${branch}&from=2027-01-01&to=2027-03-15`));
    assert.equal(stopped.value, stopped0 + 1);
    assert.ok(stopped.by['培养考察不合格'] >= 1, JSON.stringify(stopped));
    assert.equal(await figure('develop.stopped.count', 'from=2027-01-01&to=2027-03-09'), stopped0);
    // Still in the list (history), under status=stopped.
    const list = await ok(await admin.get(`/develop/people?org=${branch}&status=stopped&size=200`));
    assert.ok(list.items.some((i) => i.id === p.id));
  });

  it('refuses a 预备党员 (on the roster; leaves it as a member does)', async () => {
    const rows = (await ok(await admin.get('/develop/people?status=probationary&size=1'))).items;
    assert.ok(rows.length, 'the demo has a 预备党员 in the pipeline');
    await refused(await admin.post(`/develop/people/${rows[0].id}/stop`, { on_date: TODAY, reason: 'unfit' }), 'status', 409);
    assert.equal((await get(rows[0].id)).status, 'probationary');
  });
});

describe('重新申请 after a stop', () => {
  it('makes a new record at step 1 linked to the stopped one, which keeps its history', async () => {
    const p = await person('2026-05-01');
    await ok(await admin.post(`/develop/people/${p.id}/steps`, { step: 2, on_date: '2026-05-20' }), 201);
    const active = await person('2027-01-05');
    await refused(await zhibu.post(`/develop/people/${active.id}/resume`, { applied_on: TODAY }), 'status', 409);
    await ok(await zhibu.post(`/develop/people/${p.id}/stop`, { on_date: '2026-06-01', reason: 'withdrawn' }), 201);
    // The same 身份证号 typed anew is pointed at the stopped record.
    const again = await admin.post('/develop/people', { org_id: branch, name: p.name, id_card: p.card, applied_on: TODAY });
    await refused(again, 'id_card', 409);
    const n = (await audits(p.id)).length;
    const url = `/develop/people/${p.id}/resume`;
    await refused(await zhibu.post(url, {}), 'applied_on');
    await refused(await zhibu.post(url, { applied_on: '2026-05-31' }), 'applied_on');
    await refused(await zhibu.post(url, { applied_on: '2027-03-16' }), 'applied_on');
    assert.equal((await dangyuan.post(url, { applied_on: TODAY })).status, 403);
    assert.equal((await audits(p.id)).length, n);
    assert.equal((await get(p.id)).next_id, null);

    const fresh = await ok(await zhibu.post(url, { applied_on: '2027-01-08', note: '再次递交入党申请书' }), 201);
    assert.notEqual(fresh.id, p.id);
    assert.equal(fresh.prev_id, p.id);
    assert.equal(fresh.status, 'applicant');
    assert.equal(fresh.step, 1);
    assert.equal(fresh.applied_on, '2027-01-08');
    assert.equal(fresh.name, p.name);
    assert.equal(fresh.id_card, p.id_card, 'the same masked number');
    assert.equal(fresh.due_step, 2, 'the talk falls due anew');
    const old = await get(p.id);
    assert.equal(old.status, 'stopped');
    assert.equal(old.next_id, fresh.id);
    assert.equal(old.steps.length, 2, 'the old timeline is kept');
    assert.equal((await audits(fresh.id))[0].action, 'develop.resume');
    await refused(await zhibu.post(url, { applied_on: TODAY }), 'status', 409);
    // The whole number opens on both records (sealed anew for the new row).
    const a = await ok(await zhibu.post(`/develop/people/${fresh.id}/reveal`, { field: 'id_card' }));
    const b = await ok(await zhibu.post(`/develop/people/${p.id}/reveal`, { field: 'id_card' }));
    assert.equal(a.value, p.card);
    assert.equal(b.value, p.card);
  });
});

describe('the whole 身份证号 and phone of a pipeline person', () => {
  it('opens for a managing role of the scope, audited without the value; refuses others', async () => {
    const p = await person('2027-02-01');
    assert.ok(!p.id_card.includes(p.card.slice(0, 6)), 'masked in the record');
    const n = (await audits(p.id)).length;
    const r = await ok(await zhibu.post(`/develop/people/${p.id}/reveal`, { field: 'id_card' }));
    assert.deepEqual(r, { field: 'id_card', value: p.card });
    const ph = await ok(await zhibu.post(`/develop/people/${p.id}/reveal`, { field: 'phone' }));
    assert.match(ph.value, /^138/);
    const trail = await audits(p.id);
    assert.equal(trail.length, n + 2);
    assert.equal(trail[0].action, 'develop.reveal');
    assert.ok(!JSON.stringify(trail[0]).includes(p.card), 'the audit keeps no copy of the value');
    await refused(await zhibu.post(`/develop/people/${p.id}/reveal`, { field: 'name' }), 'field');
    await refused(await zhibu.post(`/develop/people/${p.id}/reveal`, {}), 'field');
    assert.equal((await dangyuan.post(`/develop/people/${p.id}/reveal`, { field: 'id_card' })).status, 403);
    assert.equal((await zhibu.post('/develop/people/999999999/reveal', { field: 'id_card' })).status, 404);
    assert.equal((await audits(p.id)).length, n + 2, 'refusals are not recorded as views');
  });
});
