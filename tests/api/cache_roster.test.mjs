// cache_roster.test.mjs — the roster (transfers, mobile hostings, ends), 党费
// and 发展党员 writes name the orgs they change (db_touch_org): each ends the
// kept answers of those orgs and of every org above them, and leaves a
// sibling branch's kept answer where it was.  Own orgs under the root:
//   JT ─ P (党委) ─ A, B (党支部)      JT ─ C (党支部, the sibling kept)
// SQLite by default, PostgreSQL with DJ_PG_URL; the day is pinned.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { freshDb, generate, startServer, loginAs, idCard, PASSWORD } from '../lib/server.mjs';

const TODAY = '2026-06-15';
const env = { DANGJIAN_TODAY: TODAY };
let db, srv, admin, A, B, C, P, a, b, c, p;
const people = {};
let seq = 500;

async function ok(r, status = 200) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  return r.body;
}
const cached = (r) => r.headers.get('x-dangjian-cache') === 'hit';
const hitAfter = async (cl, path) => { await cl.get(path); return cl.get(path); };

async function org(code, name, kind, parent) {
  return (await ok(await admin.post('/orgs', { code, name, kind, parent_id: parent, founded_on: '2000-01-01' }), 201)).id;
}
async function member(orgId, name) {
  return (await ok(await admin.post('/members', { org_id: orgId, name, id_card: idCard('19850101', ++seq),
    join_date: '2010-07-01', status: 'full', full_date: '2011-07-01' }), 201)).id;
}
async function account(username, role, orgId) {
  await ok(await admin.post('/users', { username, password: PASSWORD, role, org_id: orgId }), 201);
  return loginAs(srv.base, username);
}

// Every account's answer to `path` is kept; `write` runs; then the sibling
// C's is still the kept one, and the accounts in `moved` compute again.
async function check(path, write, moved) {
  const all = [['A', a], ['B', b], ['C', c], ['P', p], ['the root', admin]];
  for (const [who, cl] of all) assert.ok(cached(await hitAfter(cl, path)), `${who}'s ${path} is kept before the write`);
  await write();
  assert.ok(cached(await c.get(path)), `the sibling branch C keeps its ${path}`);
  for (const who of moved) {
    const cl = all.find(([w]) => w === who)[1];
    assert.ok(!cached(await cl.get(path)), `${who}'s ${path} is computed again`);
  }
}

before(async () => {
  db = freshDb('cache-roster');
  generate(db, 'demo', { env });
  srv = await startServer(db, { env });
  admin = await loginAs(srv.base, 'admin');
  const root = (await admin.get('/orgs?q=JT&size=50')).body.items.find((o) => o.code === 'JT').id;
  P = await org('CR-P', '缓存测试党委', 'committee', root);
  A = await org('CR-A', '缓存测试第一党支部', 'branch', P);
  B = await org('CR-B', '缓存测试第二党支部', 'branch', P);
  C = await org('CR-C', '缓存测试兄弟党支部', 'branch', root);
  for (const n of ['transfer', 'mobile', 'end', 'dues']) people[n] = await member(A, `缓存${n}`);
  await member(B, '缓存乙');
  await member(C, '缓存丙');
  a = await account('cr-a', 'branch_admin', A);
  b = await account('cr-b', 'branch_admin', B);
  c = await account('cr-c', 'branch_admin', C);
  p = await account('cr-p', 'org_admin', P);
});
after(async () => { await srv.stop(); });

describe('roster writes move their orgs only', () => {
  it('a transfer from A to B moves both branches and their parent, not C', async () => {
    let t;
    await check('/transfers', async () => {
      t = await ok(await a.post('/transfers', { member_id: people.transfer, to_org_id: B, on_date: '2026-06-10',
        reason: '工作调动' }), 201);
    }, ['A', 'B', 'P', 'the root']);
    await check('/members?size=5', async () => {
      await ok(await b.post(`/transfers/${t.id}/accept`, { on_date: '2026-06-12' }));
    }, ['A', 'B', 'P', 'the root']);
    assert.equal((await ok(await b.get(`/members/${people.transfer}`))).org_id, B);
  });

  it('a mobile hosting (home A, host B) moves both, not C', async () => {
    let h;
    await check('/members?size=5', async () => {
      h = await ok(await a.post('/mobile-members', { member_id: people.mobile, host_org_id: B, place: '广东省广州市',
        since: '2026-01-05' }), 201);
    }, ['A', 'P', 'the root']);
    await check('/mobile-members?all=1', async () => {
      await ok(await a.post(`/mobile-members/${h.id}/end`, { on_date: '2026-06-01' }));
    }, ['A', 'B', 'P', 'the root']);
  });

  it('an end of membership in A moves A and above, not C', async () => {
    await check('/members?size=5', async () => {
      await ok(await a.post(`/members/${people.end}/end`, { reason: 'death', on_date: '2026-06-01', note: '病故' }), 201);
    }, ['A', 'P', 'the root']);
  });
});

describe('党费 and 发展党员 writes move their orgs only', () => {
  it('a dues payment of a member of A leaves C\'s dues sheet', async () => {
    await check('/dues/sheet?month=2026-06', async () => {
      await ok(await a.put(`/dues/bases/${people.dues}`, { year: 2026, category: 'employed', base: '5000' }));
    }, ['A', 'P', 'the root']);
    await check('/dues/sheet?month=2026-06', async () => {
      await ok(await a.post('/dues/payments', { member_id: people.dues, month: '2026-06', amount: '10', method: 'cash' }), 201);
    }, ['A', 'P', 'the root']);
  });

  it('a person entered in A, and a step of theirs, leave C\'s development board', async () => {
    let person;
    await check('/develop/board', async () => {
      person = await ok(await a.post('/develop/people', { org_id: A, name: '缓存发展', id_card: idCard('19950310', ++seq),
        applied_on: '2026-01-10' }), 201);
    }, ['A', 'P', 'the root']);
    await check('/develop/board', async () => {
      await ok(await a.post(`/develop/people/${person.id}/steps`, { step: 2, on_date: '2026-01-20', by: '支部书记' }), 201);
    }, ['A', 'P', 'the root']);
  });
});
