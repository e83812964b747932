// api.test.mjs — the HTTP API over real HTTP against a real database
// (SQLite by default, PostgreSQL when DJ_PG_URL is set).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { freshDb, generate, startServer, Client, loginAs, idCard, cli, root, PASSWORD, today as todayOf } from '../lib/server.mjs';

let db, srv, admin;

before(async () => {
  db = freshDb('api');
  generate(db);
  srv = await startServer(db);
  admin = await loginAs(srv.base, 'admin');
});
after(async () => { await srv.stop(); });

const today = todayOf();
async function rootOrg() { return (await admin.get('/orgs/tree')).body[0]; }
async function orgByCode(code) { return (await admin.get('/orgs?q=' + encodeURIComponent(code))).body.items.find((o) => o.code === code); }

describe('sessions', () => {
  it('rejects a wrong password with 401 and the same message as an unknown user', async () => {
    const c = new Client(srv.base);
    const a = await c.login('zhibu', 'wrong-password-1');
    const b = await c.login('nobody-here', 'wrong-password-1');
    assert.equal(a.status, 401);
    assert.equal(b.status, 401);
    assert.equal(a.body.error, b.body.error);
  });
  it('locks an account after 5 failed logins, even for the right password', async () => {
    const c = new Client(srv.base);
    for (let i = 0; i < 5; i++) assert.equal((await c.login('hangye', 'bad-password-9')).status, 401);
    const r = await c.login('hangye');
    // Locked answers as a wrong password does (the message names the rule for everyone).
    assert.equal(r.status, 401);
    assert.match(r.body.error, /用户名或密码错误.*锁定/);
  });
  it('needs a session for every non-public route', async () => {
    const c = new Client(srv.base);
    for (const p of ['/orgs', '/members', '/dashboard', '/audit', '/users', '/session', '/orgs/1']) {
      assert.equal((await c.get(p)).status, 401, p);
    }
  });
  it('refuses a write without the CSRF token', async () => {
    const c = await loginAs(srv.base, 'admin');
    c.csrf = '';
    const r = await c.post('/orgs', { code: 'X1', name: 'x', kind: 'branch', parent_id: 1 });
    assert.equal(r.status, 403);
    assert.equal(r.body.field, 'csrf');
  });
  it('sets an HttpOnly SameSite cookie and ends it at logout', async () => {
    const c = new Client(srv.base);
    const r = await c.req('POST', '/session', { username: 'zhibu', password: PASSWORD });
    assert.match(r.headers.get('set-cookie'), /HttpOnly; SameSite=Strict/);
    c.csrf = r.body.csrf;
    const saved = c.cookie;
    assert.equal((await c.del('/session')).status, 200);
    c.cookie = saved;
    assert.equal((await c.get('/session')).status, 401);
  });
});

describe('organizations', () => {
  it('creates an org under a parent and records the event and the audit', async () => {
    const parent = await rootOrg();
    const r = await admin.post('/orgs', { code: 'T-NEW1', name: '测试新建党支部', kind: 'branch', parent_id: parent.id, founded_on: '2020-01-01' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.parent_id, parent.id);
    const h = await admin.get(`/orgs/${r.body.id}/history`);
    assert.equal(h.body.events[0].kind, 'create');
    const a = await admin.get(`/audit?entity=org&entity_id=${r.body.id}`);
    assert.equal(a.body.items[0].action, 'org.create');
  });
  it('refuses a duplicate code with 409 and changes nothing', async () => {
    const parent = await rootOrg();
    const before = (await admin.get('/orgs?size=1')).body.total;
    const r = await admin.post('/orgs', { code: 'JT', name: '重复', kind: 'branch', parent_id: parent.id });
    assert.equal(r.status, 409);
    assert.equal(r.body.field, 'code');
    assert.equal((await admin.get('/orgs?size=1')).body.total, before);
  });
  it('refuses to move an org under its own descendant', async () => {
    const jg = await orgByCode('JT-JG');
    const child = await orgByCode('JT-JG01');
    const r = await admin.post(`/orgs/${jg.id}/move`, { parent_id: child.id });
    assert.equal(r.status, 409);
    assert.equal((await admin.get(`/orgs/${jg.id}`)).body.parent_id, (await rootOrg()).id);
  });
  it('moves an org, keeps its members in its subtree, and keeps the history', async () => {
    const a = await orgByCode('JT-JG02');
    const target = await orgByCode('JT-DW01');
    const before = (await admin.get(`/orgs/${target.id}`)).body.members.total;
    const moved = (await admin.get(`/orgs/${a.id}`)).body.members.total;
    const r = await admin.post(`/orgs/${a.id}/move`, { parent_id: target.id, on_date: today });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal((await admin.get(`/orgs/${target.id}`)).body.members.total, before + moved);
    const h = await admin.get(`/orgs/${a.id}/history`);
    assert.ok(h.body.events.some((e) => e.kind === 'move' && e.detail.to === target.id));
  });
  it('refuses to delete or dissolve an org that still has members', async () => {
    const b = await orgByCode('JT-JG03');
    const d = await admin.del(`/orgs/${b.id}`);
    assert.equal(d.status, 409);
    const s = await admin.post(`/orgs/${b.id}/dissolve`, { on_date: today });
    assert.equal(s.status, 409);
    assert.match(s.body.error, /党员/);
    assert.equal((await admin.get(`/orgs/${b.id}`)).body.status, 'active');
  });
  it('renames as an event, never overwriting the old name in the history', async () => {
    const b = await orgByCode('JT-JG04');
    const r = await admin.patch(`/orgs/${b.id}`, { name: b.name + '（更名）' });
    assert.equal(r.status, 200);
    const h = await admin.get(`/orgs/${b.id}/history`);
    const ev = h.body.events.find((e) => e.kind === 'rename');
    assert.equal(ev.detail.from, b.name);
  });
  it('merges an org: members transfer with records, the org is closed as merged', async () => {
    const from = await orgByCode('JT-DW0101');
    const into = await orgByCode('JT-DW0102');
    const n = (await admin.get(`/orgs/${from.id}`)).body.members.direct;
    const r = await admin.post(`/orgs/${from.id}/merge`, { into: into.id, on_date: today });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.status, 'merged');
    assert.equal(r.body.members.total, 0);
    const m = await admin.get(`/members?org=${into.id}&size=200`);
    const moved = m.body.items.filter((x) => x.org_id === into.id);
    assert.ok(moved.length >= n);
  });
  it('records an election, checks the quorum, and the term end follows the kind', async () => {
    const b = await orgByCode('JT-JG05');
    const members = (await admin.get(`/members?org=${b.id}&direct=1&size=10`)).body.items;
    const bad = await admin.post(`/orgs/${b.id}/elections`, { elected_on: today, voters: 20, present: 15,
      officers: [{ post: 'secretary', member_id: members[0].id }] });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.field, 'present');
    const old = await admin.post(`/orgs/${b.id}/elections`, { elected_on: '2001-03-01',
      officers: [{ post: 'secretary', member_id: members[0].id }] });
    assert.equal(old.status, 400, 'an election older than the current term is refused');
    assert.equal(old.body.field, 'elected_on');
    const ok = await admin.post(`/orgs/${b.id}/elections`, { elected_on: today, voters: 20, present: 18,
      officers: [{ post: 'secretary', member_id: members[0].id }, { post: 'organization', member_id: members[1].id }] });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    // Three years on; a term begun on 29 February ends on the 28th (a month end is clamped).
    const y3 = String(Number(today.slice(0, 4)) + 3);
    const leap = (y) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
    const end = today.slice(5) === '02-29' && !leap(Number(y3)) ? `${y3}-02-28` : y3 + today.slice(4);
    assert.equal(ok.body.term.ends_on, end);
  });
  it('computes findings from the records: a branch below 3 full members', async () => {
    const parent = await rootOrg();
    const r = await admin.post('/orgs', { code: 'T-SMALL', name: '小支部', kind: 'branch', parent_id: parent.id });
    const f = await admin.get('/findings?rule=branch_too_few');
    assert.ok(f.body.items.some((x) => x.org_id === r.body.id));
  });
  it('pages the findings, counts them per rule, and shapes every record as a figure record', async () => {
    const all = (await admin.get('/findings')).body;
    assert.ok(all.total > 6 && all.items.length === all.total);
    const counts = (await admin.get('/findings?size=0')).body;
    assert.deepEqual(counts.items, []);
    assert.equal(counts.total, all.total);
    assert.equal(counts.rules.reduce((n, r) => n + r.count, 0), all.total);
    for (const r of counts.rules) assert.equal(r.count, all.items.filter((f) => f.rule === r.rule).length, r.rule);
    const page2 = (await admin.get('/findings?page=2&size=3')).body;
    assert.deepEqual(page2.items, all.items.slice(3, 6));
    assert.equal(page2.total, all.total);
    for (const f of all.items) for (const r of f.records || []) assert.ok(r.rid > 0 && r.rkind && r.title, `${f.rule}: ${JSON.stringify(r)}`);
    const bad = await admin.get('/findings?size=501');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.field, 'size');
  });
  it('lists the probation that ended without a vote, with the member behind it', async () => {
    const f = await admin.get('/findings?rule=probation_overdue');
    assert.ok(f.body.items.length > 0);
    const rec = f.body.items[0].records[0];
    assert.equal(rec.rkind, 'member');
    const m = await admin.get('/members/' + rec.rid);
    assert.equal(m.body.status, 'probationary');
    assert.ok(m.body.probation_end < today);
  });
});

describe('members', () => {
  let branch;
  before(async () => { branch = await orgByCode('JT-JG01'); });
  const good = () => ({ org_id: branch.id, name: '测试党员', id_card: idCard('19850312', 123), join_date: '2010-07-01',
    full_date: '2011-07-01', status: 'full', phone: '13912345678' });

  it('adds a member, derives birth date and sex from the 身份证号, masks personal data', async () => {
    const r = await admin.post('/members', { ...good(), org_id: branch.id });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.birth_date, '1985-03-12');
    assert.equal(r.body.gender, 'male');
    assert.equal(r.body.id_card, '*'.repeat(14) + idCard('19850312', 123).slice(-4));
    assert.equal(r.body.phone, '139****5678');
  });
  it('finds a member by exact 身份证号 and phone through the keyed hash', async () => {
    const a = await admin.get('/members?q=' + idCard('19850312', 123));
    assert.equal(a.body.total, 1);
    const b = await admin.get('/members?q=13912345678');
    assert.equal(b.body.total, 1);
  });
  it('refuses a duplicate 身份证号 with 409', async () => {
    const r = await admin.post('/members', good());
    assert.equal(r.status, 409);
    assert.equal(r.body.field, 'id_card');
  });
  it('gives field errors for a bad check digit, a future date, an unknown org, and a minor', async () => {
    const bad = idCard('19850312', 124).slice(0, 17) + (idCard('19850312', 124).endsWith('0') ? '1' : '0');
    const cases = [
      [{ ...good(), id_card: bad }, 'id_card'],
      [{ ...good(), id_card: undefined, gender: 'male', birth_date: '1990-01-01', join_date: '2099-01-01' }, 'join_date'],
      [{ ...good(), id_card: undefined, gender: 'male', birth_date: '1990-01-01', org_id: 999999 }, 'org_id'],
      [{ ...good(), id_card: undefined, gender: 'male', birth_date: '2000-01-01', join_date: '2015-01-01', full_date: null }, 'join_date'],
      [{ ...good(), id_card: undefined, gender: 'x', birth_date: '1990-01-01' }, 'gender'],
      [{ ...good(), id_card: undefined, gender: 'male', birth_date: '1990-02-30' }, 'birth_date'],
      [{ ...good(), id_card: undefined, gender: 'male', birth_date: '1990-01-01', phone: '12345' }, 'phone'],
      [{ ...good(), id_card: undefined, gender: 'male', birth_date: '1990-01-01', name: 123 }, 'name'],
    ];
    const before = (await admin.get('/members?size=1')).body.total;
    for (const [body, field] of cases) {
      const r = await admin.post('/members', body);
      assert.equal(r.status, field === 'org_id' ? 404 : 400, JSON.stringify([body, r.body]));
      assert.equal(r.body.field, field, JSON.stringify(r.body));
    }
    assert.equal((await admin.get('/members?size=1')).body.total, before);
  });
  it('reveals the whole 身份证号 only on request, and audits the view', async () => {
    const m = (await admin.get('/members?q=' + idCard('19850312', 123))).body.items[0];
    const r = await admin.post(`/members/${m.id}/reveal`, { field: 'id_card' });
    assert.equal(r.body.value, idCard('19850312', 123));
    const a = await admin.get(`/audit?action=member.reveal&entity_id=${m.id}`);
    assert.equal(a.body.total, 1);
    assert.ok(!JSON.stringify(a.body).includes(idCard('19850312', 123)), 'the audit holds no copy of the value');
  });
  it('an edit writes only the columns it changes: personal data is sealed anew only when it changes', async () => {
    // The stored columns, read beside the API (what an edit rewrote).
    const stored = (id) => {
      const q = `SELECT name_key, id_card_enc, id_card_hash, phone_enc, phone_hash, position FROM member WHERE id = ${id}`;
      const r = process.env.DJ_PG_URL ? spawnSync('psql', [db.url, '-qAtF|', '-c', q], { encoding: 'utf8' })
        : spawnSync('sqlite3', [db.url, q], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const [nameKey, idEnc, idHash, phoneEnc, phoneHash, position] = r.stdout.trim().split('|');
      return { nameKey, idEnc, idHash, phoneEnc, phoneHash, position };
    };
    const made = await admin.post('/members', { org_id: branch.id, name: '编辑测试', id_card: idCard('19860101', 321),
      join_date: '2010-07-01', full_date: '2011-07-01', status: 'full', phone: '13800001111' });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const id = made.body.id;
    const s0 = stored(id);
    let r = await admin.patch(`/members/${id}`, { position: '宣传委员' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const s1 = stored(id);
    assert.equal(s1.position, '宣传委员');
    assert.deepEqual({ ...s1, position: s0.position }, s0, 'only the position was written');
    const audit = (await admin.get(`/audit?action=member.update&entity_id=${id}`)).body;
    assert.equal(audit.total, 1);
    const json = (x) => (typeof x === 'string' ? JSON.parse(x) : x);
    assert.equal(json(audit.items[0].after_json).position, '宣传委员', 'the audit lists what changed');
    assert.equal(json(audit.items[0].before_json).position ?? null, null);
    // A new phone: sealed and hashed anew, found by it, not by the old one; the 身份证号 untouched.
    r = await admin.patch(`/members/${id}`, { phone: '13800002222' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.phone, '138****2222');
    const s2 = stored(id);
    assert.notEqual(s2.phoneEnc, s1.phoneEnc);
    assert.notEqual(s2.phoneHash, s1.phoneHash);
    assert.deepEqual([s2.idEnc, s2.idHash, s2.nameKey], [s1.idEnc, s1.idHash, s1.nameKey]);
    assert.equal((await admin.get('/members?q=13800002222')).body.total, 1);
    assert.equal((await admin.get('/members?q=13800001111')).body.total, 0);
    assert.equal((await admin.post(`/members/${id}/reveal`, { field: 'phone' })).body.value, '13800002222');
    // A new 身份证号 and name: their seal, hash and sort key follow; the phone's seal stays.
    r = await admin.patch(`/members/${id}`, { id_card: idCard('19860101', 323), name: '编辑测试改' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.name, '编辑测试改');
    const s3 = stored(id);
    assert.notEqual(s3.idEnc, s2.idEnc);
    assert.notEqual(s3.idHash, s2.idHash);
    assert.notEqual(s3.nameKey, s2.nameKey);
    assert.deepEqual([s3.phoneEnc, s3.phoneHash], [s2.phoneEnc, s2.phoneHash]);
    assert.equal((await admin.get('/members?q=' + idCard('19860101', 323))).body.total, 1);
    assert.equal((await admin.get('/members?q=' + idCard('19860101', 321))).body.total, 0);
    assert.equal((await admin.post(`/members/${id}/reveal`, { field: 'id_card' })).body.value, idCard('19860101', 323));
    // Clearing the phone clears its seal and hash; sending the same values again changes nothing stored.
    r = await admin.patch(`/members/${id}`, { phone: null, position: '宣传委员' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const s4 = stored(id);
    assert.deepEqual([s4.phoneEnc, s4.phoneHash], ['', '']);
    assert.deepEqual({ ...s4, phoneEnc: s3.phoneEnc, phoneHash: s3.phoneHash }, s3);
    assert.equal((await admin.get(`/audit?action=member.update&entity_id=${id}`)).body.total, 4, 'every edit audited');
  });
  it('transfers a member with a record, and converts a probationary member', async () => {
    const m = (await admin.get('/members?q=' + idCard('19850312', 123))).body.items[0];
    const to = await orgByCode('JT-JG05');
    const r = await admin.post(`/members/${m.id}/transfer`, { to_org_id: to.id, on_date: today, reason: '工作调动' });
    assert.equal(r.status, 200);
    assert.equal(r.body.org_id, to.id);
    assert.equal(r.body.transfers[0].from_org, branch.id);
    // A 预备党员 who came without a pipeline (one who came through it converts by its steps).
    const p = (await admin.post('/members', { org_id: branch.id, name: '转正测试', gender: 'male', birth_date: '1990-01-01',
      join_date: '2020-01-01', status: 'probationary' })).body;
    const c = await admin.post(`/members/${p.id}/convert`, { full_date: today });
    assert.equal(c.status, 200, JSON.stringify(c.body));
    assert.equal(c.body.status, 'full');
    assert.equal((await admin.post(`/members/${p.id}/convert`, { full_date: today })).status, 409);
  });
  it('pages and sorts the list; a page size over 200 is refused', async () => {
    const a = await admin.get('/members?size=5&page=2&sort=join_date');
    assert.equal(a.body.items.length, 5);
    assert.ok(a.body.items[0].join_date <= a.body.items[4].join_date);
    assert.equal((await admin.get('/members?size=500')).status, 400);
    assert.equal((await admin.get('/members?page=abc')).body.field, 'page');
  });
});

describe('import and export', () => {
  const header = '姓名,性别,身份证号,入党日期,党员类别,转正日期,联系电话';
  it('imports nothing when one row is bad, and lists row, column and message', async () => {
    const org = await orgByCode('JT-JG01');
    const csv = [header,
      `导入甲,男,${idCard('19800101', 11)},2005-07-01,正式党员,2006-07-01,13800000001`,
      `导入乙,女,${idCard('19810101', 12)},2005-07-01,正式党员,2006-07-01,13800000002`,
      `导入丙,男,410102198001011239,2030-07-01,正式党员,,13800000003`].join('\n');
    const before = (await admin.get(`/members?org=${org.id}&size=1`)).body.total;
    const r = await admin.req('POST', `/members/import?org=${org.id}`, csv);
    assert.equal(r.status, 400);
    assert.equal(r.body.field, 'file');
    assert.ok(r.body.details.length >= 1);
    assert.equal(r.body.details[0].row, 4);
    assert.equal((await admin.get(`/members?org=${org.id}&size=1`)).body.total, before);
  });
  it('lists a 身份证号 already stored, one repeated in the file and a bad date, in row order, and stores nothing', async () => {
    const org = await orgByCode('JT-JG01');
    // Someone of age on the rows' 入党日期, so the duplicate is what the row is refused for.
    const someone = (await admin.get(`/members?org=${org.id}&size=50`)).body.items.find((m) => m.birth_date < '1985-01-01');
    const stored = (await admin.post(`/members/${someone.id}/reveal`, { field: 'id_card' })).body.value;
    const rows = [header];
    // Enough rows that the reading and the writing thread both have work in flight.
    for (let i = 0; i < 3000; i++) rows.push(`批量${i},,${idCard(String(19700101 + (i % 28)), 100 + Math.floor(i / 28))},2005-07-01,正式党员,2006-07-01,`);
    rows[1500] = `重复在库,,${stored},2005-07-01,正式党员,2006-07-01,`;
    rows[2500] = rows[10].replace('批量9', '文件内重复');
    rows[2990] = rows[2990].replace('2005-07-01', '2005-13-01');
    const before = (await admin.get(`/members?org=${org.id}&size=1`)).body.total;
    const r = await admin.req('POST', `/members/import?org=${org.id}`, rows.join('\n'));
    assert.equal(r.status, 400, JSON.stringify(r.body).slice(0, 300));
    assert.deepEqual(r.body.details.map((d) => d.row), [1501, 2501, 2991]);
    assert.match(r.body.details[0].message, /已登记/);
    assert.match(r.body.details[1].message, /与第11行重复/);
    assert.equal((await admin.get(`/members?org=${org.id}&size=1`)).body.total, before);
  });
  it('imports a GB18030 CSV whole, in one transaction with one audit record', async () => {
    const org = await orgByCode('JT-JG01');
    const csv = [header,
      `导入丁,男,${idCard('19800101', 21)},2005-07-01,正式党员,2006-07-01,13800000011`,
      `导入戊,女,${idCard('19810101', 22)},2025-12-01,预备党员,,`].join('\r\n');
    const utf8Length = new TextEncoder().encode(csv).length;
    const { execFileSync } = await import('node:child_process');
    const bytes = execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030'], { input: csv });
    assert.ok(bytes.length < utf8Length, 'the file is really GB18030 (2 bytes per character)');
    const r = await admin.req('POST', `/members/import?org=${org.id}&filename=gb.csv`, new Uint8Array(bytes));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.imported, 2);
    const m = await admin.get('/members?q=' + encodeURIComponent('导入戊'));
    assert.equal(m.body.items[0].status, 'probationary');
    const a = await admin.get('/audit?action=member.import');
    assert.equal(JSON.parse(a.body.items[0].after_json).imported, 2);
  });
  it('exports XLSX that imports back (with --reveal) and serves the template', async () => {
    const t = await admin.get('/members/template');
    assert.equal(t.status, 200);
    assert.equal(t.raw.subarray(0, 2).toString(), 'PK');
    const org = await orgByCode('JT-JG01');
    const x = await admin.get(`/members/export?org=${org.id}`);
    assert.equal(x.status, 200);
    assert.match(x.headers.get('content-disposition'), /filename\*=UTF-8''/);
    // Re-importing the masked export fails row by row: the masks are not valid 身份证号.
    const r = await admin.req('POST', `/members/import?org=${org.id}&dry_run=1`, new Uint8Array(x.raw));
    assert.equal(r.status, 400);
    assert.equal(r.body.details[0].column, '身份证号');
  });
});

describe('scope: nobody sees outside their subtree', () => {
  let outside, outsideMember, jiguan, branchUser, member;
  before(async () => {
    outside = await orgByCode('JT-HY01');
    outsideMember = (await admin.get(`/members?org=${outside.id}&size=1`)).body.items[0];
    jiguan = await loginAs(srv.base, 'jiguan');
    branchUser = await loginAs(srv.base, 'zhibu');
    member = await loginAs(srv.base, 'dangyuan');
  });
  it('every role gets 404/403 for an org and a member outside its scope, on every route', async () => {
    const oid = outside.id, mid = outsideMember.id;
    const probes = [
      ['GET', `/orgs/${oid}`], ['PATCH', `/orgs/${oid}`, { name: 'x' }], ['DELETE', `/orgs/${oid}`],
      ['POST', `/orgs/${oid}/move`, { parent_id: 1 }], ['POST', `/orgs/${oid}/dissolve`, { on_date: today }],
      ['POST', `/orgs/${oid}/merge`, { into: 1, on_date: today }], ['POST', `/orgs/${oid}/elections`, { elected_on: today, officers: [] }],
      ['GET', `/orgs/${oid}/history`], ['GET', `/orgs/tree?parent=${oid}`], ['GET', `/orgs?root=${oid}`],
      ['GET', `/members?org=${oid}`], ['GET', `/members/${mid}`], ['PATCH', `/members/${mid}`, { name: 'x' }],
      ['POST', `/members/${mid}/transfer`, { to_org_id: oid, on_date: today }], ['POST', `/members/${mid}/convert`, { full_date: today }],
      ['POST', `/members/${mid}/reveal`, { field: 'id_card' }], ['GET', `/members/export?org=${oid}`],
      ['POST', `/members/import?org=${oid}`, 'x'], ['GET', `/dashboard?org=${oid}`], ['GET', `/findings?org=${oid}`],
      ['POST', '/members', { org_id: oid, name: 'x', gender: 'male', birth_date: '1980-01-01', join_date: '2000-01-01', status: 'full' }],
      ['POST', '/orgs', { code: 'ZZZ', name: 'x', kind: 'branch', parent_id: oid }],
    ];
    for (const [who, c] of [['jiguan', jiguan], ['zhibu', branchUser], ['dangyuan', member]]) {
      for (const [method, p, body] of probes) {
        const r = await c.req(method, p, body);
        assert.ok([403, 404].includes(r.status), `${who} ${method} ${p} → ${r.status} ${JSON.stringify(r.body)}`);
      }
    }
  });
  it('lists and searches stay inside the scope', async () => {
    const all = (await jiguan.get('/members?size=200')).body;
    const jg = await orgByCode('JT-JG');
    const inScope = (await admin.get(`/members?org=${jg.id}&size=1`)).body.total;
    assert.equal(all.total, inScope);
    assert.equal((await jiguan.get('/members?q=' + encodeURIComponent(outsideMember.name))).body.items
      .filter((m) => m.id === outsideMember.id).length, 0);
    const tree = (await jiguan.get('/orgs/tree')).body;
    assert.equal(tree[0].id, jg.id);
    assert.equal((await jiguan.get('/audit')).status, 403);
  });
  it('a member sees only their own record', async () => {
    const me = (await member.get('/session')).body.user;
    const list = (await member.get('/members')).body;
    assert.equal(list.total, 1);
    assert.equal(list.items[0].id, me.member_id);
    assert.equal((await member.get('/members/' + me.member_id)).status, 200);
    assert.equal((await member.post('/members/' + me.member_id + '/reveal', { field: 'phone' })).status, 200);
    assert.equal((await member.get('/orgs')).status, 403);
  });
});

describe('bad input never crashes the server', () => {
  it('answers malformed JSON, wrong types, big bodies and unknown routes with JSON errors', async () => {
    const bad = await admin.req('POST', '/orgs', '{"code": ', { 'Content-Type': 'application/json' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /JSON/);
    const arr = await admin.req('POST', '/orgs', '[1,2]', { 'Content-Type': 'application/json' });
    assert.equal(arr.status, 400);
    const big = await admin.req('POST', '/orgs', '{"a":"' + 'x'.repeat(1100000) + '"}', { 'Content-Type': 'application/json' });
    assert.equal(big.status, 413);
    const nf = await admin.get('/nothing-here');
    assert.equal(nf.status, 404);
    assert.equal(typeof nf.body.error, 'string');
    assert.equal((await admin.get('/orgs/abc')).status, 404);
    assert.equal((await admin.get('/orgs/99999999999999999999')).status, 404);
    assert.equal((await admin.req('PUT', '/orgs')).status, 405);
    const utf = await admin.req('POST', '/orgs', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]), { 'Content-Type': 'application/json' });
    assert.equal(utf.status, 400);
    const dup = await admin.req('POST', '/orgs', '{"code":"A","code":"B"}', { 'Content-Type': 'application/json' });
    assert.equal(dup.status, 400);
    assert.equal((await admin.get('/health')).status, 200);
  });
  it('serves the web UI with security headers', async () => {
    const r = await fetch(srv.base + '/', { headers: { 'Accept-Encoding': 'gzip' } });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-security-policy'), /default-src 'self'/);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.match(await r.text(), /党建工作管理平台/);
  });
});

describe('the OpenAPI file', () => {
  it('documents exactly the routes the server has', () => {
    const spec = JSON.parse(fs.readFileSync(path.join(root, 'docs/openapi.json'), 'utf8'));
    const documented = new Set();
    for (const [p, ops] of Object.entries(spec.paths)) {
      for (const m of Object.keys(ops)) documented.add(`${m.toUpperCase()} /api/v1${p}`);
    }
    const actual = new Set(cli(['routes']).out.trim().split('\n'));
    assert.deepEqual([...actual].filter((r) => !documented.has(r)), [], 'routes missing from docs/openapi.json');
    assert.deepEqual([...documented].filter((r) => !actual.has(r)), [], 'documented routes the server lacks');
  });
});
