// counters.test.mjs — the counters kept in the writing transaction are a
// cache of the records queries (DESIGN.md, "Figures"): every figure read
// from kept counters (catalogue `kept: true`) states what its own records
// add up to, at the root, a committee and a branch, for a period and for a
// day, after generate and after writes of every kind (create, edit,
// transfer, convert, import, an election); `dangjian figures --check` says
// so too, and fails when a counter is wrong.  The dashboard, which reads
// the kept latest terms, agrees with the findings counted from the records.
// Runs on SQLite, or PostgreSQL when DJ_PG_URL is set.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { freshDb, generate, startServer, loginAs, cli, idCard, today, day } from '../lib/server.mjs';

let db, srv, admin, kept, scopes;

function sql(statement) {
  const r = process.env.DJ_PG_URL
    ? spawnSync('psql', [db.url, '-qAtF|', '-c', statement], { encoding: 'utf8' })
    : spawnSync('sqlite3', [db.url, statement], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${statement}: ${r.stderr}`);
  return r.stdout.trim();
}

// The number of records behind a figure (one part, one key), from the
// records route: its total is the records query counted.
async function total(id, qs, extra = '') {
  const r = await admin.get(`/figures/${id}/records?${qs}${extra}&page=1&size=1`);
  assert.equal(r.status, 200, `${id} records: ${JSON.stringify(r.body)}`);
  return r.body.total;
}

async function sumOf(id, qs, col) {
  let s = 0;
  for (let page = 1; ; page++) {
    const r = (await admin.get(`/figures/${id}/records?${qs}&page=${page}&size=200`)).body;
    for (const row of r.items) s += Number(row[col]);
    if (r.items.length < 200) return s;
  }
}

// Every kept figure at every sample scope states what its records count.
async function allAgree(when) {
  const periods = { flow: [`from=${day(-75)}&to=${today()}`, `from=${day(-400)}&to=${day(-30)}`],
    stock: [`on=${today()}`, `on=${day(-200)}`] };
  let checked = 0;
  for (const f of kept) {
    for (const org of scopes) {
      for (const p of periods[f.time]) {
        const qs = `${p}&org=${org}`;
        const v = await admin.get(`/figures/${f.id}?${qs}`);
        assert.equal(v.status, 200, `${f.id}?${qs}: ${JSON.stringify(v.body)}`);
        const where = `${when}: ${f.id} at org ${org}, ${p}`;
        if (f.kind === 'ratio') {
          assert.equal(v.body.num, await total(f.id, qs, '&part=num'), `${where}: numerator`);
          assert.equal(v.body.den, await total(f.id, qs, '&part=den'), `${where}: denominator`);
        } else if (f.kind === 'sum') {
          assert.ok(Math.abs(v.body.value - await sumOf(f.id, qs, f.sum_col || 'achieved')) < 1e-6, where);
        } else {
          assert.equal(v.body.value, await total(f.id, qs), where);
        }
        if (f.by && f.kind === 'count') {
          for (const [k, n] of Object.entries(v.body.by)) {
            if (k === '') continue;	// key= empty asks for no key: the sum below covers it
            assert.equal(n, await total(f.id, qs, `&key=${encodeURIComponent(k)}`), `${where}: key ${k}`);
          }
          // And no key the records have is missing from the kept breakdown.
          const sum = Object.values(v.body.by).reduce((a, b) => a + b, 0);
          assert.equal(sum, v.body.value, `${where}: the breakdown adds up`);
        }
        checked++;
      }
    }
  }
  return checked;
}

// --check at the root also compares the kept counters at a committee and a
// branch under it; `id` limits it to one figure.
function check(org, id) {
  return cli(['figures', '--db', db.url, '--key', db.key, '--org', String(org), '--check',
    '--from', day(-75), '--to', today(), ...(id ? ['--id', id] : [])]);
}

before(async () => {
  db = freshDb('counters');
  generate(db);
  srv = await startServer(db);
  admin = await loginAs(srv.base, 'admin');
  kept = (await admin.get('/figures')).body.items.filter((f) => f.kept);
  const committee = (await admin.get('/orgs?kind=committee&size=1')).body.items[0];
  const branch = (await admin.get(`/orgs?kind=branch&size=1&root=${committee.id}`)).body.items[0]
    ?? (await admin.get('/orgs?kind=branch&size=1')).body.items[0];
  const root = Number(sql('SELECT id FROM org WHERE parent_id IS NULL'));
  scopes = [root, committee.id, branch.id];
});
after(async () => { await srv.stop(); });

describe('kept counters agree with the records', () => {
  it('some figures are read from kept counters', () => {
    for (const id of ['member.member.count', 'member.education.count', 'member.org_kind.count', 'life.study_done.count']) {
      assert.ok(kept.some((f) => f.id === id), `${id} is kept`);
    }
  });

  it('after generate: every kept figure at the root, a committee and a branch, for a period and a day', async () => {
    assert.ok(await allAgree('after generate') > 0);
    const r = check(scopes[0]);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /^ok: 0 figures disagree/m);
  });

  it('after a create, an edit (education, mobile), a transfer, a conversion, an import and an election', async () => {
    const [a, b] = (await admin.get('/orgs?kind=branch&size=5')).body.items;
    const made = await admin.post('/members', { name: '计数器测试', id_card: idCard('19900101', 871), join_date: '2015-07-01',
      full_date: '2016-07-01', status: 'full', org_id: a.id, education: '大学本科' });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const prob = await admin.post('/members', { name: '计数器预备', id_card: idCard('19950505', 872), join_date: day(-40),
      status: 'probationary', org_id: a.id });
    assert.equal(prob.status, 201, JSON.stringify(prob.body));
    let r = await admin.patch(`/members/${made.body.id}`, { education: '研究生', is_mobile: 1, mobile_place: '广东省深圳市' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    r = await admin.post(`/members/${made.body.id}/transfer`, { to_org_id: b.id, on_date: today(), reason: '工作调动' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    r = await admin.post(`/members/${prob.body.id}/convert`, { full_date: today() });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const file = `${db.dir}/counters.csv`;
    writeFileSync(file, '姓名,性别,身份证号,入党日期,转正日期,党员类别,学历,所在党组织编码\n'
      + `导入计数器,男,${idCard('19880808', 873)},2010-07-01,2011-07-01,正式党员,中专,${b.code}\n`);
    r = cli(['import', 'members', '--db', db.url, '--key', db.key, '--org', b.code, file]);
    assert.equal(r.code, 0, r.err + r.out);
    r = await admin.post(`/orgs/${a.id}/elections`, { elected_on: today(), voters: 20, present: 18,
      officers: [{ member_id: prob.body.id, post: 'secretary' }] });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.ok(await allAgree('after writes') > 0);
    const c = check(scopes[0]);
    assert.equal(c.code, 0, c.out + c.err);
  });

  it('the dashboard (kept latest terms and member counts) counts what the findings list', async () => {
    // The checks before ran synchronously (spawnSync blocks node's timers) for
    // longer than the server keeps an idle connection (60 s) on a loaded
    // machine: the first request may meet the socket the server closed, and
    // its failure takes that socket out of the pool.
    await admin.get('/health').catch(() => {});
    for (const org of scopes) {
      const d = (await admin.get(`/dashboard?org=${org}`)).body;
      const f = (await admin.get(`/findings?org=${org}`)).body.items;
      for (const rule of d.findings) {
        assert.equal(rule.count, f.filter((x) => x.rule === rule.rule).length, `org ${org}: ${rule.rule}`);
      }
      assert.equal(d.elections_due, f.filter((x) => x.rule === 'election_due' || x.rule === 'election_overdue').length);
    }
    // The kept latest term is the latest of org_term, with its officers.
    const keptTerms = sql('SELECT org_id, term_id, ends_on, officers FROM org_term_latest ORDER BY org_id');
    const recount = sql('SELECT t.org_id, t.id, t.ends_on, (SELECT count(*) FROM org_officer f WHERE f.term_id = t.id)'
      + ' FROM org_term t WHERE t.id = (SELECT t2.id FROM org_term t2 WHERE t2.org_id = t.org_id'
      + ' ORDER BY t2.elected_on DESC, t2.id DESC LIMIT 1) ORDER BY t.org_id');
    assert.ok(keptTerms.length > 0);
    assert.equal(keptTerms, recount);
  });

  it('figures --check fails when a kept counter is wrong', () => {
    const org = sql('SELECT min(org_id) FROM member_edu_count WHERE n > 0');
    sql(`UPDATE member_edu_count SET n = n + 1 WHERE org_id = ${org} AND n > 0 AND education = `
      + `(SELECT min(education) FROM member_edu_count WHERE org_id = ${org} AND n > 0)`);
    try {
      const r = check(scopes[0], 'member.education.count');
      assert.equal(r.code, 1, r.out + r.err);
      assert.match(r.out, /MISMATCH member\.education\.count kept/);
      assert.match(r.out, /^FAILED/m);
    } finally {
      sql(`UPDATE member_edu_count SET n = n - 1 WHERE org_id = ${org} AND n > 0 AND education = `
        + `(SELECT min(education) FROM member_edu_count WHERE org_id = ${org} AND n > 0)`);
    }
    assert.equal(check(scopes[0], 'member.education.count').code, 0);
  });
});
