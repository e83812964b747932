// cache_wait.test.mjs — requests asking for an answer another request is
// computing wait for it suspended, holding no thread (src/http/server.c,
// steps): they all get that one fresh answer, or each its own error when it
// fails; and a write is never queued behind slow reads (a lane of its own).
// DJ_TEST_SLOW_READ_MS (a test hook of the sanitized build) makes every
// read handler take that long, so that the requests surely overlap.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { freshDb, generate, startServer, loginAs, idCard } from '../lib/server.mjs';

const SLOW = 400;
let db, srv, admin, zhibu, branch;

before(async () => {
  db = freshDb('cache-wait');
  generate(db);
  srv = await startServer(db, { env: { DJ_TEST_SLOW_READ_MS: String(SLOW) } });
  admin = await loginAs(srv.base, 'admin');
  zhibu = await loginAs(srv.base, 'zhibu');
  branch = (await zhibu.get('/session')).body.user.org_id;
});
after(async () => { await srv.stop(); });

const cached = (r) => r.headers.get('x-dangjian-cache') === 'hit';

describe('waiting for an answer being computed', () => {
  it('gives every request asked during the computation the fresh answer, computed once', async () => {
    const before = (await admin.get('/members?size=5')).body.total;
    const w = await admin.post('/members', {
      name: '等待测试', id_card: idCard('19910101', 123), join_date: '2015-07-01', full_date: '2016-07-01',
      status: 'full', org_id: branch,
    });
    assert.equal(w.status, 201, JSON.stringify(w.body));
    const t0 = Date.now();
    const rs = await Promise.all(Array.from({ length: 12 }, () => admin.get('/members?size=5')));
    const ms = Date.now() - t0;
    assert.ok(rs.every((r) => r.status === 200), rs.map((r) => r.status).join());
    assert.ok(rs.every((r) => r.body.total === before + 1), 'each sees the write made before it');
    assert.equal(rs.filter((r) => !cached(r)).length, 1, 'one computes, the others wait for its answer');
    assert.ok(rs.every((r) => JSON.stringify(r.body) === JSON.stringify(rs[0].body)));
    // Twelve slow reads one after another would take 12 × SLOW.
    assert.ok(ms < 6 * SLOW, `${ms} ms`);
  });

  it('resumes the waiting requests when the computing one fails: each gets its own answer', async () => {
    const rs = await Promise.all(Array.from({ length: 6 }, () => admin.get('/dashboard?org=987654')));
    assert.ok(rs.every((r) => r.status === 404), rs.map((r) => r.status).join());
    assert.ok(rs.every((r) => r.body.field !== undefined && !cached(r)));
  });

  it('answers a write while the read workers are all busy with slow reads', async () => {
    const members = (await zhibu.get('/members?size=1')).body;
    // Distinct reads (nobody shares them): more than the read lane has threads.
    const reads = Array.from({ length: 10 }, (_, i) => zhibu.get(`/members?size=${i + 2}`));
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    const m = await zhibu.patch(`/members/${members.items[0].id}`, { position: '车间主任' });
    const ms = Date.now() - t0;
    assert.equal(m.status, 200, JSON.stringify(m.body));
    assert.ok((await Promise.all(reads)).every((r) => r.status === 200));
    // The write never waited for a read thread.
    assert.ok(ms < 2 * SLOW, `${ms} ms`);
    const again = await zhibu.get(`/members/${members.items[0].id}`);
    assert.equal(again.body.position, '车间主任', 'the writer sees its own write on its next read');
  });
});
