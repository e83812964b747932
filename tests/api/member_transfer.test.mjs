// member_transfer.test.mjs — 组织关系转接 over real HTTP against a real database
// (SQLite by default, PostgreSQL when DJ_PG_URL is set): inside the platform
// (the sending org initiates, the receiving org of another subtree accepts or
// returns; the org changes only on acceptance), out of it (a 介绍信 with its
// number and validity, the 回执 overdue the day after the validity ends, not
// on it), and into it (a letter received creates or re-activates the member).
// The day is pinned: nothing depends on the day the suite runs.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { freshDb, generate, startServer, loginAs, cli, idCard } from '../lib/server.mjs';

const TODAY = '2026-06-15';
const env = { DANGJIAN_TODAY: TODAY };
let db, srv, admin, jiguan, hangye, zhibu, JG01, HY0101, HY01, JG, pool;

async function ok(r, status = 200) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  return r.body;
}
async function org(code) {
  const r = await admin.get('/orgs?q=' + encodeURIComponent(code) + '&size=50');
  return r.body.items.find((o) => o.code === code);
}
function findings(code, today, rule) {
  const r = cli(['check', '--db', db.url, '--key', db.key, '--org', code, '--rule', rule, '--json'], { env: { DANGJIAN_TODAY: today } });
  assert.equal(r.code, 0, r.err);
  const d = JSON.parse(r.out);
  return Array.isArray(d) ? d : d.items || d.findings;
}
const next = () => pool.shift();

before(async () => {
  db = freshDb('transfer');
  generate(db, 'demo', { env });
  srv = await startServer(db, { env });
  admin = await loginAs(srv.base, 'admin');
  jiguan = await loginAs(srv.base, 'jiguan');
  hangye = await loginAs(srv.base, 'hangye');
  zhibu = await loginAs(srv.base, 'zhibu');
  JG = await org('JT-JG');
  HY01 = await org('JT-HY01');
  JG01 = (await zhibu.get('/session')).body.user.org_id;
  HY0101 = (await org('JT-HY0101')).id;
  const me = (await (await loginAs(srv.base, 'dangyuan')).get('/session')).body.user.member_id;
  pool = (await ok(await zhibu.get(`/members?org=${JG01}&direct=1&size=200`))).items.filter((m) => m.id !== me && !m.position);
  assert.ok(pool.length >= 5, 'enough members to move');
});
after(async () => { await srv.stop(); });

describe('inside the platform', () => {
  it('the sending org initiates, the receiving org of another subtree accepts; the org changes only then', async () => {
    const m = next();
    const before = (await ok(await admin.get(`/figures/member.transfer_in.count?org=${HY01.id}`))).value;
    const t = await ok(await zhibu.post('/transfers', { member_id: m.id, to_org_id: HY0101, on_date: '2026-06-10', reason: '工作调动' }), 201);
    assert.equal(t.status, 'pending');
    assert.equal(t.kind, 'inside');
    assert.equal((await admin.get(`/members/${m.id}`)).body.org_id, JG01, 'still at the sending org');
    // The receiving org sees the transfer (not the member's record) and has it to do.
    assert.equal((await hangye.get(`/members/${m.id}`)).status, 404);
    const incoming = await ok(await hangye.get('/transfers?dir=in&status=pending'));
    assert.ok(incoming.items.some((x) => x.id === t.id));
    const todos = (await ok(await hangye.get('/todos'))).items ?? (await hangye.get('/todos')).body;
    assert.ok(JSON.stringify(todos).includes(`/transfers?id=${t.id}`), 'a 待办 for the receiving org');
    // A second one for the same member waits for the first.
    const dup = await zhibu.post('/transfers', { member_id: m.id, to_org_id: HY0101, on_date: '2026-06-10' });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.field, 'member_id');
    // Only the receiving side accepts.
    const wrong = await zhibu.post(`/transfers/${t.id}/accept`, {});
    assert.equal(wrong.status, 403, JSON.stringify(wrong.body));
    const early = await hangye.post(`/transfers/${t.id}/accept`, { on_date: '2026-06-09' });
    assert.equal(early.status, 400);
    assert.equal(early.body.field, 'on_date');
    const acc = await ok(await hangye.post(`/transfers/${t.id}/accept`, { on_date: '2026-06-12' }));
    assert.equal(acc.status, 'accepted');
    assert.equal(acc.decided_on, '2026-06-12');
    const now = await ok(await hangye.get(`/members/${m.id}`));
    assert.equal(now.org_id, HY0101);
    assert.ok(now.transfers.some((x) => x.on_date === '2026-06-12' && x.from_org === JG01), 'the org-by-date log has it');
    assert.equal((await zhibu.get(`/members/${m.id}`)).status, 404, 'gone from the sending subtree');
    // Accepting twice: a clear 409, nothing changes.
    const again = await hangye.post(`/transfers/${t.id}/accept`, {});
    assert.equal(again.status, 409);
    assert.equal(again.body.field, 'status');
    // The figures of both sides, and the audit trail.
    const fin = await ok(await admin.get(`/figures/member.transfer_in.count?org=${HY01.id}`));
    assert.equal(fin.value, before + 1);
    const rec = await ok(await admin.get(`/figures/member.transfer_in.count/records?org=${HY01.id}&size=200`));
    assert.ok(rec.items.some((x) => x.rid === t.id));
    const fout = await ok(await admin.get(`/figures/member.transfer_out.count/records?org=${JG.id}&size=200`));
    assert.ok(fout.items.some((x) => x.rid === t.id));
    const audit = await ok(await admin.get(`/audit?entity=transfer&entity_id=${t.id}`));
    assert.deepEqual(audit.items.map((a) => a.action).sort(), ['member.transfer_accept', 'member.transfer_start']);
  });

  it('the receiving org returns a transfer with a reason; the member stays', async () => {
    const m = next();
    const t = await ok(await zhibu.post('/transfers', { member_id: m.id, to_org_id: HY0101, on_date: TODAY }), 201);
    const bad = await hangye.post(`/transfers/${t.id}/return`, {});
    assert.equal(bad.status, 400);
    assert.equal(bad.body.field, 'reason');
    assert.equal((await admin.get(`/transfers/${t.id}`)).body.status, 'pending', 'nothing stored');
    const r = await ok(await hangye.post(`/transfers/${t.id}/return`, { reason: '介绍信抬头有误' }));
    assert.equal(r.status, 'returned');
    assert.equal(r.return_reason, '介绍信抬头有误');
    assert.equal((await admin.get(`/members/${m.id}`)).body.org_id, JG01);
    assert.equal((await hangye.post(`/transfers/${t.id}/accept`, {})).status, 409);
  });

  // A 预备党员 who came through the pipeline: their development record goes
  // with them (the new branch goes on with the steps, the old one no longer
  // sees it), in the transfer's own write and audit record.
  it('a piped 预备党员 accepted by another branch takes the development record along', async () => {
    const board = await ok(await hangye.get(`/develop/board?org=${HY0101}&size=200`));
    const item = board.stages.flatMap((st) => st.items).find((i) => i.status === 'probationary' && i.org_id === HY0101);
    assert.ok(item, 'a piped 预备党员 in JT-HY0101');
    const p = await ok(await hangye.get(`/develop/people/${item.id}`));
    const devAudits = async () => (await ok(await admin.get(`/audit?entity=develop_person&entity_id=${p.id}&size=100`))).total;
    const n = await devAudits();
    // Nowhere to go on with it: a 临时党支部 or a committee; nothing stored.
    for (const code of ['JT-LS01', 'JT-HY01']) {
      const r = await hangye.post('/transfers', { member_id: p.member_id, to_org_id: (await org(code)).id, on_date: TODAY });
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.equal(r.body.field, 'to_org_id');
      assert.match(r.body.error, /发展/);
    }
    assert.equal((await ok(await hangye.get(`/transfers?member=${p.member_id}&status=pending&size=50`))).items.length, 0, "nothing stored");
    const t = await ok(await hangye.post('/transfers', { member_id: p.member_id, to_org_id: JG01, on_date: '2026-06-10' }), 201);
    assert.equal((await zhibu.get(`/develop/people/${p.id}`)).status, 404, 'not the receiving branch\'s before acceptance');
    await ok(await zhibu.post(`/transfers/${t.id}/accept`, { on_date: '2026-06-12' }));
    const d = await ok(await zhibu.get(`/develop/people/${p.id}`));
    assert.deepEqual([d.org_id, d.status, d.step], [JG01, 'probationary', p.step]);
    const mine = await ok(await zhibu.get(`/develop/board?org=${JG01}&size=200`));
    assert.ok(mine.stages.some((st) => st.items.some((i) => i.id === p.id)), 'on the new branch\'s board');
    const gone = await hangye.get(`/develop/people/${p.id}`);
    assert.ok([403, 404].includes(gone.status), `the old side: ${gone.status}`);
    const theirs = await ok(await hangye.get(`/develop/board?org=${HY01.id}&size=200`));
    assert.ok(!theirs.stages.some((st) => st.items.some((i) => i.id === p.id)), 'off the old board');
    // One audit record for the acceptance, which names the record moved.
    const trail = (await ok(await admin.get(`/audit?entity=transfer&entity_id=${t.id}`))).items;
    const accept = trail.find((x) => x.action === 'member.transfer_accept');
    assert.deepEqual(JSON.stringify(accept).includes('develop_moved'), true);
    assert.equal(await devAudits(), n, 'no audit record of its own');
    // The administrator's direct transfer (both sides theirs) moves it too.
    await ok(await admin.post(`/members/${p.member_id}/transfer`, { to_org_id: HY0101, on_date: '2026-06-13' }));
    assert.equal((await ok(await hangye.get(`/develop/people/${p.id}`))).org_id, HY0101);
    assert.equal((await zhibu.get(`/develop/people/${p.id}`)).status, 404);
  });

  it('scope: nobody initiates for a member outside their subtree, or sees a transfer of another subtree', async () => {
    const hyMember = (await ok(await hangye.get(`/members?org=${HY0101}&direct=1&size=5`))).items[0];
    const r = await jiguan.post('/transfers', { member_id: hyMember.id, to_org_id: JG01, on_date: TODAY });
    assert.equal(r.status, 404);
    assert.ok(!JSON.stringify(r.body).includes(hyMember.name));
    const mine = await ok(await hangye.get('/transfers?size=200'));
    const foreign = mine.items.find((x) => x.from_org !== JG01 && x.to_org !== JG01 && x.kind === 'inside');
    if (foreign) assert.equal((await zhibu.get(`/transfers/${foreign.id}`)).status, 404);
    assert.equal((await zhibu.get(`/transfers?org=${HY01.id}`)).status, 404);
  });
});

describe('out of the platform and back', () => {
  let out, m;
  it('a letter to an org outside the tree needs its number; nothing is stored without it', async () => {
    m = next();
    const before = (await ok(await admin.get(`/transfers?org=${JG01}&size=1`))).total;
    const r = await zhibu.post('/transfers', { member_id: m.id, place: '中共某省交通运输厅机关委员会', on_date: '2026-03-15' });
    assert.equal(r.status, 400);
    assert.equal(r.body.field, 'letter_no');
    assert.equal((await ok(await admin.get(`/transfers?org=${JG01}&size=1`))).total, before);
    assert.equal((await admin.get(`/members/${m.id}`)).body.active, 1);
  });

  it('the letter ends the membership here, valid for 3 months; its receipt is overdue from the day after', async () => {
    const count = (await ok(await admin.get(`/figures/member.member.count?org=${JG01}`))).value;
    out = await ok(await zhibu.post('/transfers', { member_id: m.id, place: '中共某省交通运输厅机关委员会', letter_no: '组转字〔2026〕T01号',
      on_date: '2026-03-15' }), 201);
    assert.equal(out.kind, 'out');
    assert.equal(out.status, 'issued');
    assert.equal(out.valid_until, '2026-06-15');
    assert.equal(out.receipt_overdue, false, 'not on its last day');
    // Gone from the roster and the counts from that date; still there before it.
    assert.equal((await ok(await admin.get(`/figures/member.member.count?org=${JG01}`))).value, count - 1);
    const before = await ok(await admin.get(`/figures/member.member.count/records?org=${JG01}&on=2026-03-14&size=200`));
    assert.ok(before.items.some((x) => x.rid === m.id));
    const list = await ok(await zhibu.get(`/members?org=${JG01}&direct=1&size=200`));
    assert.ok(!list.items.some((x) => x.id === m.id));
    const ends = await ok(await zhibu.get(`/member-ends?member=${m.id}`));
    assert.equal(ends.items[0].reason, 'transfer_out');
    // One write, one audit record: the transfer's, carrying the end event (no member.end beside it).
    const trail = (await ok(await admin.get(`/audit?entity=transfer&entity_id=${out.id}`))).items;
    assert.deepEqual(trail.map((x) => x.action), ['member.transfer_start']);
    const after = typeof trail[0].after_json === 'string' ? JSON.parse(trail[0].after_json) : trail[0].after_json;
    assert.deepEqual([after.kind, after.letter_no, after.member_end.id, after.member_end.reason, after.member_end.on_date,
      after.member_end.doc_no], ['out', '组转字〔2026〕T01号', ends.items[0].id, 'transfer_out', '2026-03-15', '组转字〔2026〕T01号']);
    assert.equal((await ok(await admin.get(`/audit?entity=member&entity_id=${m.id}&action=member.end`))).total, 0);
    // The validity at its edge: the day before, the day of, the day after.
    const mine = (fs) => fs.filter((f) => f.message.includes('组转字〔2026〕T01号'));
    assert.equal(mine(findings('JT-JG01', '2026-06-14', 'member.receipt_overdue')).length, 0);
    assert.equal(mine(findings('JT-JG01', '2026-06-15', 'member.receipt_overdue')).length, 0);
    assert.equal(mine(findings('JT-JG01', '2026-06-16', 'member.receipt_overdue')).length, 1);
    const f = (on) => admin.get(`/figures/member.receipt_overdue.count/records?org=${JG01}&on=${on}&size=200`);
    assert.ok(!(await ok(await f('2026-06-15'))).items.some((x) => x.rid === out.id));
    assert.ok((await ok(await f('2026-06-16'))).items.some((x) => x.rid === out.id));
    // The sending org has the receipt in its 待办, due on the letter's last day.
    const todos = await ok(await zhibu.get('/todos'));
    const td = (todos.items || todos).find((x) => x.link === `/transfers?id=${out.id}`);
    assert.ok(td, 'a 待办 for the receipt');
    assert.equal(td.due_on, '2026-06-15');
  });

  it('records the receipt once', async () => {
    const r = await ok(await zhibu.post(`/transfers/${out.id}/receipt`, { on_date: '2026-06-01' }));
    assert.equal(r.status, 'received');
    const twice = await zhibu.post(`/transfers/${out.id}/receipt`, { on_date: '2026-06-02' });
    assert.equal(twice.status, 409);
    const mine = findings('JT-JG01', '2026-06-16', 'member.receipt_overdue').filter((f) => f.message.includes('T01号'));
    assert.equal(mine.length, 0);
  });

  it('into the platform: a letter received re-activates a member who left, or creates a new one', async () => {
    const noLetter = await zhibu.post('/transfers/in', { to_org_id: JG01, place: '中共某省交通运输厅机关委员会', on_date: TODAY, member_id: m.id });
    assert.equal(noLetter.status, 400);
    assert.equal(noLetter.body.field, 'letter_no');
    const back = await ok(await zhibu.post('/transfers/in', { to_org_id: JG01, place: '中共某省交通运输厅机关委员会', letter_no: '外转字〔2026〕9号',
      on_date: TODAY, member_id: m.id }), 201);
    assert.equal(back.kind, 'in');
    assert.equal((await ok(await zhibu.get(`/members/${m.id}`))).active, 1);
    const twice = await zhibu.post('/transfers/in', { to_org_id: JG01, place: 'x', letter_no: 'y', on_date: TODAY, member_id: m.id });
    assert.equal(twice.status, 409);
    // Back on the roster today: a letter out (an end) dated before that is refused, nothing stored.
    const early = await zhibu.post('/transfers', { member_id: m.id, place: '中共某省交通运输厅机关委员会', letter_no: '组转字〔2026〕T09号',
      on_date: '2026-06-14' });
    assert.equal(early.status, 400, JSON.stringify(early.body));
    assert.equal(early.body.field, 'on_date');
    assert.match(early.body.error, /回到党员名册/);
    assert.equal((await ok(await zhibu.get(`/members/${m.id}`))).active, 1);
    const person = { name: '转入测试', gender: 'female', id_card: idCard("19900101", 732), join_date: '2015-07-01', status: 'full',
      full_date: '2016-07-01' };
    const bad = await zhibu.post('/transfers/in', { to_org_id: JG01, place: '外省某党支部', letter_no: '外转字〔2026〕10号', on_date: TODAY,
      member: { ...person, join_date: 'x' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.field, 'member.join_date');
    const made = await ok(await zhibu.post('/transfers/in', { to_org_id: JG01, place: '外省某党支部', letter_no: '外转字〔2026〕10号',
      on_date: TODAY, member: person }), 201);
    const got = await ok(await zhibu.get(`/members/${made.member_id}`));
    assert.equal(got.name, '转入测试');
    assert.equal(got.org_id, JG01);
    const fin = await ok(await admin.get(`/figures/member.transfer_in.count/records?org=${JG01}&size=200`));
    assert.ok(fin.items.some((x) => x.rid === made.id));
    // A letter into an org outside the actor's subtree: 404.
    const outside = await zhibu.post('/transfers/in', { to_org_id: HY0101, place: 'x', letter_no: 'z', on_date: TODAY, member: person });
    assert.equal(outside.status, 404);
  });
});
