// dues_counters.test.mjs — the 党费 counters kept in the writing transaction
// (dues_tally and dues_owing, src/dues/dues_tally.h) are a cache of the
// cards, members, ends and orgs: after generate and after every kind of
// write that can change what is owed or paid (a base set or imported, a
// payment entered, by quarter, imported or deleted, a member's admission
// date edited, a transfer inside the platform, a membership ended and a
// letter that brings the member back, an org made a 临时党支部) they equal
// what this test recounts from those tables by itself; every dues figure
// read from them states what its own records add up to, and
// `dangjian figures --check` agrees.  The day is pinned (DANGJIAN_TODAY).
// Runs on SQLite, or PostgreSQL when DJ_PG_URL is set.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { freshDb, generate, startServer, loginAs, cli } from '../lib/server.mjs';

const TODAY = '2026-11-30';
const env = { DANGJIAN_TODAY: TODAY };
let db, srv, admin, root, branch, other, people;

function sql(statement) {
  const r = process.env.DJ_PG_URL
    ? spawnSync('psql', [db.url, '-qAtF|', '-c', statement], { encoding: 'utf8' })
    : spawnSync('sqlite3', ['-separator', '|', db.url, statement], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${statement}: ${r.stderr}`);
  return r.stdout.trim() ? r.stdout.trim().split('\n').map((l) => l.split('|')) : [];
}

async function ok(r, status = 200) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  return r.body;
}

const MEASURES = ['a', 'd', 'f', 'o', 'p', 'q', 'x', 'r', 's'];
const idx = (d) => Number(d.slice(0, 4)) * 12 + Number(d.slice(5, 7)) - 1;

// The counters as the rules define them, from the tables themselves.
function recount() {
  const members = new Map();
  for (const [id, org, active, mobile, join, kind] of sql('SELECT m.id, m.org_id, m.active, m.is_mobile, m.join_date, o.kind'
    + ' FROM member m JOIN org o ON o.id = m.org_id')) {
    members.set(id, { org, active: active === '1', mobile: mobile === '1', j: idx(join), tmp: kind === 'temporary_branch',
      e: active === '1' ? Infinity : -1 });
  }
  for (const [id, on] of sql('SELECT member_id, on_date FROM member_end WHERE back_on IS NULL')) {
    const m = members.get(id);
    if (!m.active) m.e = Math.max(m.e, idx(on));
  }
  const tally = new Map(), owing = new Map();
  const cols = 'member_id, year, monthly_fen, ' + Array.from({ length: 12 }, (_, i) => `paid_${String(i + 1).padStart(2, '0')}`).join(', ');
  for (const row of sql(`SELECT ${cols} FROM dues_year`)) {
    const [id, year, due] = row, m = members.get(id), y = Number(year), d = due === '' ? null : Number(due);
    const key = `${m.org}|${y}`;
    const t = tally.get(key) || Object.fromEntries(MEASURES.map((x) => [x, new Array(12).fill(0)]));
    tally.set(key, t);
    for (let n = 0; n < 12; n++) {
      const p = Number(row[3 + n]), i = y * 12 + n;
      const roll = !m.tmp && m.j <= i && i <= m.e, act = !m.tmp && m.active && m.j <= i;
      if (roll && d !== null) { t.a[n]++; t.d[n] += d; }
      if (roll && d !== null && p >= d) t.f[n]++;
      if (roll && d !== null && d > p) t.o[n] += d - p;
      if (roll) t.p[n] += p;
      if (roll && p > 0) t.q[n]++;
      t.x[n] += p;
      if (act && d !== null && d > p) {
        t.r[n] += d - p;
        if (m.mobile) t.s[n] += d - p;
        const o = owing.get(id);
        owing.set(id, { org: m.org, first: o ? Math.min(o.first, i) : i, mobile: m.mobile });
      }
    }
  }
  return { tally, owing };
}

// The kept tables equal the recount (rows of zeros left behind are fine).
function assertKept(when) {
  const want = recount();
  const cols = MEASURES.flatMap((x) => Array.from({ length: 12 }, (_, i) => `${x}${String(i + 1).padStart(2, '0')}`));
  const got = new Map();
  for (const row of sql(`SELECT org_id, year, ${cols.join(', ')} FROM dues_tally`)) {
    const v = row.slice(2).map(Number);
    if (v.some((x) => x !== 0)) got.set(`${row[0]}|${row[1]}`, v);
  }
  const flat = (t) => MEASURES.flatMap((x) => t[x]);
  for (const [key, t] of want.tally) {
    const w = flat(t);
    if (w.every((x) => x === 0)) continue;
    const g = got.get(key);
    assert.ok(g, `${when}: dues_tally has no row for org|year ${key}`);
    for (let c = 0; c < cols.length; c++) assert.equal(g[c], w[c], `${when}: dues_tally ${key} ${cols[c]}`);
    got.delete(key);
  }
  assert.deepEqual([...got.keys()], [], `${when}: dues_tally rows nothing owes`);
  const owing = new Map(sql('SELECT member_id, org_id, first_idx, mobile FROM dues_owing')
    .map(([id, org, first, mobile]) => [id, { org, first: Number(first), mobile: mobile === '1' }]));
  assert.deepEqual(owing, want.owing, `${when}: dues_owing`);
}

// Every dues figure read from the counters states what its records add up
// to, at the root and a branch, for a period and a day.
async function figuresAgree(when) {
  const cat = (await ok(await admin.get('/figures'))).items.filter((f) => f.module === 'dues' && f.kept);
  assert.ok(cat.length >= 6, 'the dues figures read kept counters');
  for (const f of cat) {
    for (const org of [root, branch]) {
      const periods = f.time === 'flow' ? ['from=2026-01-01&to=2026-11-30', 'from=2025-03-01&to=2026-02-28']
        : ['on=2026-11-30', 'on=2026-05-31'];
      for (const p of periods) {
        const qs = `${p}&org=${org}`, where = `${when}: ${f.id}?${qs}`;
        const v = await ok(await admin.get(`/figures/${f.id}?${qs}`));
        const parts = f.kind === 'ratio' ? [['num', v.num], ['den', v.den]] : [['num', v.value]];
        for (const [part, stated] of parts) {
          let n = 0, s = 0;
          for (let page = 1; ; page++) {
            const r = await ok(await admin.get(`/figures/${f.id}/records?${qs}&part=${part}&page=${page}&size=200`));
            n += r.items.length;
            for (const x of r.items) s += Number(x[f.sum_col] || 0);
            if (r.items.length < 200) break;
          }
          assert.equal(stated, f.kind === 'sum' ? s : n, `${where} ${part}`);
        }
      }
    }
  }
}

function check(org) {
  const r = cli(['figures', '--db', db.url, '--key', db.key, '--org', String(org), '--from', '2026-01-01', '--to', TODAY,
    '--module', 'dues', '--check'], { env });
  assert.equal(r.code, 0, r.out + r.err);
}

before(async () => {
  db = freshDb('duescount');
  generate(db, 'demo', { env });
  srv = await startServer(db, { env });
  admin = await loginAs(srv.base, 'admin');
  root = (await admin.get('/orgs?q=JT&size=50')).body.items.find((o) => o.code === 'JT').id;
  const mk = async (code, name) => (await ok(await admin.post('/orgs', { code, name, kind: 'branch', parent_id: root,
    founded_on: '2000-01-01' }), 201)).id;
  branch = await mk('DC-T1', '党费计数测试党支部');
  other = await mk('DC-T2', '党费计数转入党支部');
  people = {};
  for (const [k, extra] of [['a', {}], ['b', {}], ['c', { is_mobile: true, mobile_place: '广东省深圳市', mobile_since: '2024-03-01' }],
    ['d', { join_date: '2026-06-15', status: 'probationary', full_date: undefined }], ['e', {}]]) {
    people[k] = (await ok(await admin.post('/members', { org_id: branch, name: `计数${k}`, gender: 'male', birth_date: '1985-01-01',
      join_date: '2010-07-01', status: 'full', full_date: '2011-07-01', ...extra }), 201)).id;
  }
});
after(async () => { await srv?.stop(); });

describe('the dues counters follow every kind of write', () => {
  it('after generate: filled by the migration and kept since', async () => {
    assert.ok(Number(sql('SELECT count(*) FROM dues_year')[0][0]) > 0, 'the demo has cards');
    assertKept('generate');
  });

  it('a base set, changed and set for another year', async () => {
    for (const [k, b] of [['a', '4000'], ['b', '12000'], ['c', '6000'], ['d', '2500'], ['e', '3500']]) {
      await ok(await admin.put(`/dues/bases/${people[k]}`, { year: 2026, category: 'employed', base: b }));
    }
    await ok(await admin.put(`/dues/bases/${people.a}`, { year: 2025, category: 'retired', base: '3000' }));
    await ok(await admin.put(`/dues/bases/${people.b}`, { year: 2026, category: 'employed', base: '9000' }));
    assertKept('bases');
  });

  it('payments: by month, by quarter, voluntary extra, partial, and one deleted', async () => {
    const pay = async (k, body) => (await ok(await admin.post('/dues/payments', { member_id: people[k], method: 'wechat', ...body }), 201));
    await pay('a', { month: '2026-01', amount: '20' });
    await pay('a', { month: '2026-02', amount: '5' });
    await pay('a', { month: '2025-12', amount: '15' });
    await pay('b', { month: '2026-10', amount: '500' });
    await pay('c', { quarter: '2026-Q2', amount: '270' });
    await pay('d', { month: '2026-07', amount: '12.5' });
    const gone = await pay('e', { month: '2026-03', amount: '35' });
    assertKept('payments');
    await ok(await admin.del(`/dues/payments/${gone.payment_id}`));
    assertKept('payment deleted');
  });

  it('imports of bases and of payments', async () => {
    const csv = (rows) => new TextEncoder().encode(rows.map((r) => r.join(',')).join('\r\n') + '\r\n');
    await ok(await admin.req('POST', `/dues/bases/import?org=${branch}&year=2026`,
      csv([['姓名', '缴费类别', '缴纳基数'], ['计数e', '在职', '8000'], ['计数a', '离退休', '4000.5']])));
    await ok(await admin.req('POST', `/dues/payments/import?org=${branch}`,
      csv([['姓名', '缴费月份', '缴纳金额', '缴纳方式', '缴纳日期'], ['计数e', '2026-04', '80', '微信', '2026-11-20'],
        ['计数c', '2026-Q3', '180', '支付宝', '2026-11-28']])));
    assertKept('imports');
  });

  it('a member edited (admission date, mobility) and transferred inside the platform', async () => {
    await ok(await admin.patch(`/members/${people.d}`, { join_date: '2026-03-10' }));
    await ok(await admin.patch(`/members/${people.c}`, { is_mobile: false }));
    assertKept('member edited');
    const t = await ok(await admin.post('/transfers', { member_id: people.b, to_org_id: other, on_date: '2026-11-02', reason: '工作调动' }), 201);
    if (t.status !== 'accepted') await ok(await admin.post(`/transfers/${t.id}/accept`, { on_date: '2026-11-02' }));
    assert.equal((await ok(await admin.get(`/members/${people.b}`))).org_id, other);
    assertKept('transfer');
  });

  it('a membership ended, and a letter that brings the member back', async () => {
    await ok(await admin.post(`/members/${people.a}/end`, { reason: 'lapse', on_date: '2026-05-20', note: '测试' }), 201);
    assertKept('ended');
    await ok(await admin.post('/transfers/in', { to_org_id: branch, place: '中共某省交通运输厅机关委员会', letter_no: '外转字〔2026〕88号',
      on_date: TODAY, member_id: people.a }), 201);
    assertKept('back');
  });

  it('an org made a 临时党支部 and back', async () => {
    await ok(await admin.patch(`/orgs/${other}`, { kind: 'temporary_branch' }));
    assertKept('temporary');
    await ok(await admin.patch(`/orgs/${other}`, { kind: 'branch' }));
    assertKept('branch again');
  });

  it('the dues figures state what their records add up to; figures --check agrees', async () => {
    await figuresAgree('after the writes');
    check(root);
  });

  it('figures --check fails when a counter is wrong', () => {
    sql(`UPDATE dues_tally SET d03 = d03 + 7 WHERE org_id = ${branch} AND year = 2026`);
    const r = cli(['figures', '--db', db.url, '--key', db.key, '--org', String(branch), '--from', '2026-01-01', '--to', TODAY,
      '--id', 'dues.due.amount', '--check'], { env });
    assert.notEqual(r.code, 0);
    assert.match(r.out, /MISMATCH dues\.due\.amount kept/);
    sql(`UPDATE dues_tally SET d03 = d03 - 7 WHERE org_id = ${branch} AND year = 2026`);
  });
});
