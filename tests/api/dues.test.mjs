// dues.test.mjs — 党费 over real HTTP against a real database (SQLite by
// default, PostgreSQL when DJ_PG_URL is set): the brackets at their edges,
// half-up rounding, bad input refused with nothing stored, payments by month
// and by quarter, arrears and the 3/6-month findings on pinned days, the
// monthly sheet and its XLSX, imports all or nothing, the member's own view.
// The day is pinned here (DANGJIAN_TODAY): nothing depends on the real date.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { freshDb, generate, startServer, loginAs, PASSWORD } from '../lib/server.mjs';

const TODAY = '2026-11-30';
const env = { DANGJIAN_TODAY: TODAY };
let db, srv, admin, root, branch, other, temp, secretary;
const M = {};

async function ok(r, status = 200) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  return r.body;
}
async function member(name, extra = {}) {
  return (await ok(await admin.post('/members', { org_id: branch, name, gender: 'male', birth_date: '1985-01-01',
    join_date: '2010-07-01', status: 'full', full_date: '2011-07-01', ...extra }), 201)).id;
}
async function base(id, b, category = 'employed', year = 2026) {
  return ok(await admin.put(`/dues/bases/${id}`, { year, category, base: b }));
}
async function pay(id, month, amount, extra = {}) {
  return ok(await admin.post('/dues/payments', { member_id: id, month, amount, method: 'wechat', ...extra }), 201);
}
function card(d, year = 2026) {
  return d.cards.find((c) => c.year === year);
}
function monthOf(d, m) {
  return card(d, Number(m.slice(0, 4))).months.find((x) => x.month === m);
}

before(async () => {
  db = freshDb('dues');
  generate(db, 'demo', { env });
  srv = await startServer(db, { env });
  admin = await loginAs(srv.base, 'admin');
  root = (await admin.get('/orgs?q=JT&size=50')).body.items.find((o) => o.code === 'JT').id;
  branch = (await ok(await admin.post('/orgs', { code: 'DUES-T1', name: '党费测试党支部', kind: 'branch', parent_id: root,
    founded_on: '2000-01-01' }), 201)).id;
  other = (await ok(await admin.post('/orgs', { code: 'DUES-T2', name: '党费边界测试党支部', kind: 'branch', parent_id: root,
    founded_on: '2000-01-01' }), 201)).id;
  temp = (await ok(await admin.post('/orgs', { code: 'DUES-TMP', name: '党费测试临时党支部', kind: 'temporary_branch',
    parent_id: root, founded_on: '2026-01-01' }), 201)).id;
  M.edge = await member('边界测试', { org_id: other });
  M.regular = await member('按月交纳');
  M.six = await member('六月未交');
  M.three = await member('三月未交');
  M.probation = await member('预备党员', { join_date: '2026-09-15', status: 'probationary', full_date: undefined });
  M.mobile = await member('流动党员', { is_mobile: true, mobile_place: '广东省深圳市', mobile_since: '2024-03-01' });
  M.temp = (await ok(await admin.post('/members', { org_id: temp, name: '临时支部党员', gender: 'female', birth_date: '1990-02-02',
    join_date: '2015-07-01', status: 'full', full_date: '2016-07-01' }), 201)).id;
  await ok(await admin.post('/users', { username: 'dues-sec', password: PASSWORD, role: 'branch_admin', org_id: branch }), 201);
  await ok(await admin.post('/users', { username: 'dues-me', password: PASSWORD, role: 'member', member_id: M.six }), 201);
  secretary = await loginAs(srv.base, 'dues-sec');
});
after(async () => { await srv.stop(); });

describe('brackets and rounding', () => {
  // [base in yuan, rate in 1/10000, monthly fen]
  const employed = [['2999.99', 50, 1500], ['3000', 50, 1500], ['3000.01', 100, 3000], ['5000', 100, 5000],
    ['5000.01', 150, 7500], ['10000', 150, 15000], ['10000.01', 200, 20000]];
  for (const [b, rate, fen] of employed) {
    it(`employed, base ${b} yuan: ${rate / 100}% → ${fen} fen`, async () => {
      const d = await base(M.edge, b);
      assert.equal(card(d).rate_bp, rate);
      assert.equal(card(d).monthly_fen, fen);
      assert.equal(card(d).base_fen, Math.round(Number(b) * 100));
    });
  }
  for (const [b, rate, fen] of [['5000', 50, 2500], ['5000.01', 100, 5000]]) {
    it(`retired, base ${b} yuan: ${rate / 100}% → ${fen} fen`, async () => {
      const d = await base(M.edge, b, 'retired');
      assert.deepEqual([card(d).category, card(d).rate_bp, card(d).monthly_fen], ['retired', rate, fen]);
    });
  }
  for (const cat of ['student', 'farmer', 'unemployed', 'relief']) {
    it(`${cat}: the fixed 0.20 yuan whatever the base`, async () => {
      const d = await ok(await admin.put(`/dues/bases/${M.edge}`, { year: 2026, category: cat }));
      assert.equal(card(d).monthly_fen, 20);
      assert.equal(card(d).base_fen, null);
    });
  }
  it('rounds half-up to the fen (1001 × 0.5% = 5.005 → 5.01; 10000.25 × 2% = 200.005 → 200.01)', async () => {
    assert.equal(card(await base(M.edge, '1001')).monthly_fen, 501);
    assert.equal(card(await base(M.edge, '10000.25')).monthly_fen, 20001);
    assert.equal(card(await base(M.edge, 3333.33)).monthly_fen, 3333);
    assert.equal(card(await ok(await admin.put(`/dues/bases/${M.edge}`, { year: 2026, category: '在职', base_fen: 510010 }))).monthly_fen, 7650);
  });
  it('keeps a voluntary amount apart from what is owed', async () => {
    const d = await ok(await admin.put(`/dues/bases/${M.edge}`, { year: 2026, category: 'employed', base: '4000', voluntary: '20' }));
    assert.equal(card(d).monthly_fen, 4000);
    assert.equal(card(d).voluntary_fen, 2000);
  });
  it('takes the brackets from the configuration (a system administrator changes them)', async () => {
    const rules = await ok(await admin.get('/dues/rules'));
    assert.deepEqual(rules.categories.find((c) => c.code === 'employed').brackets.map((b) => [b.upto_fen, b.rate_bp]),
      [[300000, 50], [500000, 100], [1000000, 150], [null, 200]]);
    const changed = structuredClone(rules);
    changed.categories.find((c) => c.code === 'student').fixed_fen = 50;
    assert.equal((await secretary.put('/dues/rules', changed)).status, 403);
    await ok(await admin.put('/dues/rules', changed));
    assert.equal(card(await ok(await admin.put(`/dues/bases/${M.edge}`, { year: 2026, category: 'student' }))).monthly_fen, 50);
    const bad = structuredClone(rules);
    bad.categories[0].brackets = [{ upto_fen: 500000, rate_bp: 50 }, { upto_fen: 300000, rate_bp: 100 }, { rate_bp: 200 }];
    const r = await admin.put('/dues/rules', bad);
    assert.equal(r.status, 400);
    assert.equal(r.body.field, 'brackets');
    await ok(await admin.put('/dues/rules', rules));
    assert.equal((await ok(await admin.get('/dues/rules'))).categories.find((c) => c.code === 'student').fixed_fen, 20);
  });
});

describe('bad input is refused and nothing is stored', () => {
  it('a negative base, a base not in fen, an unknown category, a year before admission', async () => {
    const before = card(await base(M.edge, '4321.09'));
    for (const [body, field] of [[{ base: '-1' }, 'base'], [{ base: -1 }, 'base'], [{ base: '3000.001' }, 'base'],
      [{ base: 3000.005 }, 'base'], [{ base_fen: 12.5 }, 'base_fen'], [{ base_fen: -100 }, 'base_fen'], [{ base: 'abc' }, 'base'],
      [{ base: '3000', category: 'nobody' }, 'category'], [{ base: '3000', year: 2009 }, 'year'], [{ category: 'employed', base: null }, 'base']]) {
      const r = await admin.put(`/dues/bases/${M.edge}`, { year: 2026, category: 'employed', ...body });
      assert.equal(r.status, 400, JSON.stringify([body, r.body]));
      assert.equal(r.body.field, field, JSON.stringify(body));
      assert.ok(r.body.error);
    }
    const after = card(await ok(await admin.get(`/dues/members/${M.edge}`)));
    assert.deepEqual(after, before);
  });
  it('a payment for a month before admission, in a 临时党支部, or by quarter for a member who is not mobile', async () => {
    const count = async () => (await ok(await admin.get(`/dues/payments?org=${root}&size=1`))).total;
    const n = await count();
    let r = await admin.post('/dues/payments', { member_id: M.probation, month: '2026-08', amount: '10', method: 'cash' });
    assert.equal(r.status, 400);
    assert.equal(r.body.field, 'month');
    r = await admin.post('/dues/payments', { member_id: M.temp, month: '2026-10', amount: '10', method: 'cash' });
    assert.equal(r.status, 400);
    assert.equal(r.body.field, 'member_id');
    assert.match(r.body.error, /临时党支部/);
    r = await admin.put(`/dues/bases/${M.temp}`, { year: 2026, category: 'employed', base: '5000' });
    assert.equal(r.status, 400);
    r = await admin.post('/dues/payments', { member_id: M.regular, quarter: '2026-Q3', amount: '30', method: 'cash' });
    assert.equal(r.status, 400);
    assert.equal(r.body.field, 'quarter');
    for (const [body, field] of [[{ amount: '0' }, 'amount'], [{ amount: '-5' }, 'amount'], [{ amount: '1.234' }, 'amount'],
      [{ method: 'barter' }, 'method'], [{ month: '2026-13' }, 'month'], [{ month: '2028-06' }, 'month'], [{ paid_on: '2027-01-01' }, 'paid_on']]) {
      r = await admin.post('/dues/payments', { member_id: M.regular, month: '2026-10', amount: '10', method: 'cash', ...body });
      assert.equal(r.status, 400, JSON.stringify([body, r.body]));
      assert.equal(r.body.field, field, JSON.stringify(body));
    }
    assert.equal(await count(), n, 'no payment was stored');
  });
  it('the 临时党支部 has an empty sheet and says so', async () => {
    const s = await ok(await admin.get(`/dues/sheet?org=${temp}&month=2026-10&members=1`));
    assert.equal(s.no_dues, true);
    assert.equal(s.totals.members, 0);
  });
});

describe('payments, arrears and the 3/6-month findings (today 2026-11-30)', () => {
  before(async () => {
    for (const id of [M.regular, M.six, M.three, M.probation]) await base(id, '5000');
    await base(M.mobile, '6000');
    for (let m = 1; m <= 10; m++) await pay(M.regular, `2026-${String(m).padStart(2, '0')}`, '50');
    for (let m = 1; m <= 4; m++) await pay(M.six, `2026-0${m}`, '50');
    for (let m = 1; m <= 7; m++) await pay(M.three, `2026-0${m}`, '50');
    // Mobile: Q1–Q3 by quarter (90 yuan each), split over the months.
    for (const q of ['2026-Q1', '2026-Q2', '2026-Q3']) await ok(await admin.post('/dues/payments', { member_id: M.mobile, quarter: q, amount: '270', method: 'alipay' }), 201);
    // The probationary member pays part of October.
    await pay(M.probation, '2026-10', '20');
  });

  it('splits a quarter over its months and records the method', async () => {
    const d = await ok(await admin.get(`/dues/members/${M.mobile}`));
    assert.deepEqual(card(d).months.slice(6, 9).map((x) => [x.paid_fen, x.state]), [[9000, 'paid'], [9000, 'paid'], [9000, 'paid']]);
    assert.ok(d.payments.every((p) => p.method === 'alipay' && p.period === 'quarter'));
    assert.equal(d.arrears.months, 0, 'the current quarter is not in arrears yet');
  });

  it('lists arrears by member and month', async () => {
    const a = await ok(await admin.get(`/dues/arrears?org=${branch}`));
    const by = Object.fromEntries(a.items.map((x) => [x.member_id, x]));
    assert.deepEqual(Object.keys(by).map(Number).sort(), [M.six, M.three, M.probation].sort());
    assert.deepEqual([by[M.six].months, by[M.six].amount_fen, by[M.six].first_month, by[M.six].last_month], [6, 30000, '2026-05', '2026-10']);
    assert.deepEqual([by[M.three].months, by[M.three].amount_fen], [3, 15000]);
    // 预备党员 owe from admission (September), and half of October is still owed.
    assert.deepEqual([by[M.probation].months, by[M.probation].amount_fen, by[M.probation].first_month], [2, 8000, '2026-09']);
    assert.equal(a.total, 3);
    const d = await ok(await admin.get(`/dues/members/${M.probation}`));
    assert.deepEqual(['2026-08', '2026-09', '2026-10', '2026-11'].map((m) => monthOf(d, m).state), ['before', 'owed', 'owed', 'open']);
  });

  it('finds those who paid nothing for 6 and for 3 months, each once', async () => {
    const f = (await ok(await admin.get(`/findings?org=${branch}`))).items.filter((x) => x.module === 'dues');
    const six = f.filter((x) => x.rule === 'dues.unpaid_6m'), three = f.filter((x) => x.rule === 'dues.unpaid_3m');
    assert.deepEqual(six.flatMap((x) => x.member_ids), [M.six]);
    assert.deepEqual(three.flatMap((x) => x.member_ids), [M.three]);
    assert.equal(six[0].level, 'error');
    // The probationary member joined in September: not 3 months owed yet.
    const fig = async (id, on) => (await ok(await admin.get(`/figures/${id}?org=${branch}&on=${on}`))).value;
    assert.equal(await fig('dues.unpaid.three_months', TODAY), 2);
    assert.equal(await fig('dues.unpaid.six_months', TODAY), 1);
    // A month earlier (window July–September) the one who stopped after July had paid in July.
    assert.equal(await fig('dues.unpaid.three_months', '2026-10-31'), 1);
    // On 2026-12-01 the window is September–November: nobody new.
    assert.equal(await fig('dues.unpaid.three_months', '2026-12-01'), 2);
    assert.equal(await fig('dues.arrears.members', TODAY), 3);
    assert.equal(await fig('dues.arrears.amount', TODAY), 30000 + 15000 + 8000);
  });

  it('does not count a member whose base was never assessed (未核定) as unpaid', async () => {
    const fig = async (id) => (await ok(await admin.get(`/figures/${id}?org=${other}&on=${TODAY}`))).value;
    const before = [await fig('dues.unpaid.three_months'), await fig('dues.unpaid.six_months')];
    const unassessed = await member('未核定基数', { org_id: other });
    assert.deepEqual([await fig('dues.unpaid.three_months'), await fig('dues.unpaid.six_months')], before);
    assert.equal(await fig('dues.base.unassessed') >= 1, true, 'counted as 未核定 instead');
    const f = (await ok(await admin.get(`/findings?org=${root}`))).items.filter((x) => x.module === 'dues');
    assert.ok(!f.some((x) => (x.member_ids ?? []).includes(unassessed)), 'no unpaid finding for them');
  });

  it('puts the collection on the branch secretary\'s 待办', async () => {
    const t = (await ok(await secretary.get('/todos'))).items.filter((x) => x.module === 'dues');
    assert.equal(t.length, 1);
    assert.match(t[0].title, /2名党员连续3个月以上未交纳党费/);
    assert.equal(t[0].due_on, TODAY);
  });

  it('makes the monthly sheet: 应交, 实交, 欠交 by org and member', async () => {
    const s = await ok(await secretary.get(`/dues/sheet?org=${branch}&month=2026-10&members=1`));
    const row = (id) => s.members.find((x) => x.member_id === id);
    assert.deepEqual([row(M.regular).due_fen, row(M.regular).paid_fen, row(M.regular).owed_fen], [5000, 5000, 0]);
    assert.deepEqual([row(M.six).owed_fen, row(M.probation).paid_fen, row(M.probation).owed_fen], [5000, 2000, 3000]);
    const own = s.orgs.find((o) => o.org_id === branch);
    const members = s.members.length;
    assert.equal(own.members, members);
    assert.equal(own.due_fen, s.members.reduce((a, x) => a + (x.due_fen || 0), 0));
    assert.equal(own.paid_fen, s.members.reduce((a, x) => a + x.paid_fen, 0));
    // The month's sheet shows what the month lacks, the mobile member's too
    // (their quarter is still open, so it is not yet in arrears).
    assert.equal(own.owed_fen, 5000 + 5000 + 3000 + 9000);
    assert.equal(row(M.mobile).owed_fen, 9000);
    // Each row reads 应交 − 实交 + 自愿多交 (what was paid beyond what was due) = 欠交.
    for (const x of [...s.members, ...s.orgs, s.totals]) {
      assert.equal((x.due_fen || 0) - x.paid_fen + x.extra_fen, x.owed_fen, `the row adds up: ${JSON.stringify(x)}`);
      assert.ok(x.extra_fen >= 0);
    }
    // The root's sheet holds the branch's row and adds up.
    const all = await ok(await admin.get(`/dues/sheet?org=${root}&month=2026-10`));
    for (const x of [...all.orgs, all.totals]) assert.equal(x.due_fen - x.paid_fen + x.extra_fen, x.owed_fen, JSON.stringify(x));
    assert.deepEqual(all.orgs.find((o) => o.org_id === branch), own);
    assert.equal(all.totals.due_fen, all.orgs.reduce((a, o) => a + o.due_fen, 0));
    assert.ok(!all.orgs.some((o) => o.org_id === temp), 'a 临时党支部 has no row');
    // The figures of October agree with the sheet.
    const v = async (id) => (await ok(await admin.get(`/figures/${id}?org=${branch}&from=2026-10-01&to=2026-10-31`))).value;
    assert.equal(await v('dues.due.amount'), own.due_fen);
    assert.equal(await v('dues.paid.amount'), own.paid_fen);
    assert.equal(await v('dues.owed.amount'), own.owed_fen);
  });

  it('exports the sheet as XLSX', async () => {
    const r = await secretary.get(`/dues/sheet/export?org=${branch}&month=2026-10`);
    assert.equal(r.status, 200);
    assert.equal(r.raw.subarray(0, 2).toString(), 'PK');
    assert.match(r.headers.get('content-disposition') || '', /dues-2026-10\.xlsx/);
  });

  it('shows the member their own dues and arrears, and no one else\'s', async () => {
    const me = await loginAs(srv.base, 'dues-me');
    const d = await ok(await me.get('/dues/mine'));
    assert.equal(d.member.id, M.six);
    assert.deepEqual([d.arrears.months, d.arrears.amount_fen], [6, 30000]);
    assert.equal(monthOf(d, '2026-04').state, 'paid');
    assert.equal(monthOf(d, '2026-05').state, 'owed');
    assert.ok([403, 404].includes((await me.get(`/dues/members/${M.regular}`)).status));
    assert.ok([403, 404].includes((await me.get(`/dues/sheet?org=${branch}`)).status));
    const t = (await ok(await me.get('/todos'))).items.filter((x) => x.module === 'dues');
    assert.deepEqual(t.map((x) => x.kind), ['dues_month']);
  });

  it('corrects a payment by deleting it, audited', async () => {
    const p = await pay(M.regular, '2026-11', '50');
    assert.equal(monthOf(p, '2026-11').paid_fen, 5000);
    await ok(await admin.del(`/dues/payments/${p.payment_id}`));
    const d = await ok(await admin.get(`/dues/members/${M.regular}`));
    assert.equal(monthOf(d, '2026-11').paid_fen, 0);
    const audit = (await ok(await admin.get(`/audit?entity=member&entity_id=${M.regular}&size=100`))).items.map((a) => a.action);
    for (const a of ['dues.base', 'dues.payment', 'dues.payment.delete']) assert.ok(audit.includes(a), a);
  });
});

describe('import, all or nothing', () => {
  const csv = (rows) => new TextEncoder().encode(rows.map((r) => r.join(',')).join('\r\n') + '\r\n');

  it('refuses a file with one bad row, listing it, and stores nothing', async () => {
    const before = card(await ok(await admin.get(`/dues/members/${M.edge}`)), 2027);
    const file = csv([['党费基数核定表（2027年度）'], ['序号', '姓名', '所在党支部', '缴费类别', '税后月工资（元）'],
      ['1', '边界测试', '党费边界测试党支部', '在职', '8000'], ['2', '按月交纳', '', '在职', '-3000'], ['3', '无此人', '', '在职', '3000'],
      ['4', '三月未交', '', '学生', '']]);
    const r = await admin.req('POST', `/dues/bases/import?org=${root}&year=2027`, file);
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.deepEqual(r.body.details.map((e) => [e.row, e.column]), [[4, '缴纳基数'], [5, '姓名']]);
    assert.equal(card(await ok(await admin.get(`/dues/members/${M.edge}`)), 2027), before);
  });

  it('imports a payroll sheet and a payments sheet', async () => {
    const bases = csv([['姓名', '缴费类别', '缴纳基数'], ['边界测试', '在职', '8000'], ['按月交纳', '离退休', '4000.5'], ['三月未交', '学生', '']]);
    const r = await ok(await admin.req('POST', `/dues/bases/import?org=${root}&year=2027`, bases));
    assert.deepEqual([r.rows, r.imported], [3, 3]);
    const d = await ok(await admin.get(`/dues/members/${M.regular}`));
    assert.deepEqual([card(d, 2027).category, card(d, 2027).monthly_fen], ['retired', 2000]);
    const pays = csv([['姓名', '缴费月份', '缴纳金额', '缴纳方式', '缴纳日期'], ['六月未交', '2026-05', '50', '微信', '2026-11-20'],
      ['六月未交', '2026/6', '50.00', '现金', ''], ['流动党员', '2026-Q4', '90', '支付宝', '2026-11-28']]);
    const p = await ok(await admin.req('POST', `/dues/payments/import?org=${branch}`, pays));
    assert.deepEqual([p.rows, p.imported], [3, 3]);
    const six = await ok(await admin.get(`/dues/members/${M.six}`));
    assert.deepEqual([monthOf(six, '2026-05').state, monthOf(six, '2026-06').state, six.arrears.months], ['paid', 'paid', 4]);
    const mob = await ok(await admin.get(`/dues/members/${M.mobile}`));
    assert.deepEqual(['2026-10', '2026-11', '2026-12'].map((m) => monthOf(mob, m).paid_fen), [3000, 3000, 3000]);
    const bad = csv([['姓名', '缴费月份', '缴纳金额'], ['预备党员', '2026-08', '20'], ['临时支部党员', '2026-10', '10']]);
    const b = await admin.req('POST', `/dues/payments/import?org=${root}`, bad);
    assert.equal(b.status, 400);
    assert.deepEqual(b.body.details.map((e) => [e.row, e.column]), [[2, '缴费月份'], [3, '姓名']]);
  });

  it('stops checking a file that is all errors, and refuses a member twice for one year', async () => {
    // 3,000 rows naming nobody: checking stops after 1,000 errors instead of querying every row.
    const rows = [['姓名', '缴费月份', '缴纳金额']];
    for (let i = 0; i < 3000; i++) rows.push([`无此人${i}`, '2026-10', '10']);
    const r = await admin.req('POST', `/dues/payments/import?org=${root}`, csv(rows));
    assert.equal(r.status, 400, JSON.stringify(r.body).slice(0, 300));
    assert.match(r.body.error, /错误过多，检查到第1002行时停止：已有1000处错误/);
    assert.equal(r.body.details.length, 500, 'the first 500 listed');
    const twice = csv([['姓名', '缴费类别', '缴纳基数'], ['边界测试', '在职', '8000'], ['按月交纳', '离退休', '4000'],
      ['边界测试', '在职', '9000']]);
    const t = await admin.req('POST', `/dues/bases/import?org=${root}&year=2027`, twice);
    assert.equal(t.status, 400);
    assert.deepEqual(t.body.details.map((e) => [e.row, e.column, e.message]), [[4, '姓名', '与第2行是同一党员同一年度']]);
  });
});
