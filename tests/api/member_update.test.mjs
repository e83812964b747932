// member_update.test.mjs — an edit of a member is judged against the row as
// it stands when the write takes its lock (SQLite: the one writer; PostgreSQL:
// SELECT … FOR UPDATE), not as it was read before: two edits of different
// columns sent at once both stand, and each audit record's "before" is the
// other's "after".  DJ_TEST_SLOW_UPDATE_MS (test build only) holds each edit
// between its first look and its write, so that the two overlap there.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { freshDb, generate, startServer, loginAs } from '../lib/server.mjs';

const TODAY = '2026-06-15';
const env = { DANGJIAN_TODAY: TODAY };
let db, srv, admin, zhibu;

async function ok(r, status = 200) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  return r.body;
}
const json = (t) => (typeof t === 'string' ? JSON.parse(t) : t);

before(async () => {
  db = freshDb('mupd');
  generate(db, 'demo', { env });
  srv = await startServer(db, { env: { ...env, DJ_TEST_SLOW_UPDATE_MS: '400' } });
  admin = await loginAs(srv.base, 'admin');
  zhibu = await loginAs(srv.base, 'zhibu');
});
after(async () => { await srv.stop(); });

describe('two edits of one member at once', () => {
  it('both stand, and the audit records chain: the later one\'s before is the earlier one\'s after', async () => {
    const org = (await zhibu.get('/session')).body.user.org_id;
    const m = (await ok(await zhibu.get(`/members?org=${org}&direct=1&size=50`))).items.find((x) => !x.position);
    const [a, b] = await Promise.all([
      zhibu.patch(`/members/${m.id}`, { phone: '13911112222' }),
      admin.patch(`/members/${m.id}`, { position: '宣传委员' }),
    ]);
    await ok(a);
    await ok(b);
    const got = await ok(await admin.get(`/members/${m.id}`));
    assert.equal(got.phone, '139****2222');
    assert.equal(got.position, '宣传委员');
    const trail = (await ok(await admin.get(`/audit?entity=member&entity_id=${m.id}&action=member.update&size=10`))).items
      .sort((x, y) => x.id - y.id);
    assert.equal(trail.length, 2);
    const [first, second] = trail.map((r) => ({ before: json(r.before_json), after: json(r.after_json) }));
    assert.deepEqual(second.before, first.after, 'the later edit saw the earlier one');
    // Each record changes only its own column.
    const changed = (r) => Object.keys(r.after).filter((k) => k !== 'updated_at' && JSON.stringify(r.after[k]) !== JSON.stringify(r.before[k])).sort();
    assert.deepEqual([changed(first), changed(second)].map((c) => c.join()).sort(), ['phone', 'position']);
  });

  it('an edit that the other one makes invalid is refused at the write, with nothing stored', async () => {
    // The first look passes (a 正式党员 with a 转正日期), but the other edit makes them a 预备党员 meanwhile:
    // judged on the row as of the lock, the 转正日期 is refused.
    const org = (await zhibu.get('/session')).body.user.org_id;
    const m = (await ok(await zhibu.get(`/members?org=${org}&direct=1&size=50`))).items
      .find((x) => x.status === 'full' && !x.position && x.full_date);
    const before = await ok(await admin.get(`/members/${m.id}`));
    const later = '2025-01-01' > before.full_date ? '2025-01-01' : before.full_date;
    const [a, b] = await Promise.all([
      zhibu.patch(`/members/${m.id}`, { status: 'probationary', full_date: null }),
      new Promise((r) => setTimeout(r, 100)).then(() => admin.patch(`/members/${m.id}`, { full_date: later })),
    ]);
    await ok(a);
    assert.equal(b.status, 400, JSON.stringify(b.body));
    assert.equal(b.body.field, 'full_date');
    const got = await ok(await admin.get(`/members/${m.id}`));
    assert.equal(got.status, 'probationary');
    assert.equal(got.full_date ?? null, null);
  });
});

describe('an edit does not move a member', () => {
  it('another org_id is refused (400, org_id), not dropped with a 200; the same one is accepted', async () => {
    const org = (await zhibu.get('/session')).body.user.org_id;
    const m = (await ok(await zhibu.get(`/members?org=${org}&direct=1&size=1`))).items[0];
    const audits = async () => (await ok(await admin.get(`/audit?entity=member&entity_id=${m.id}&size=1`))).total;
    const n = await audits();
    const r = await admin.patch(`/members/${m.id}`, { org_id: org + 1, position: '组织委员' });
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.equal(r.body.field, 'org_id');
    const got = await ok(await admin.get(`/members/${m.id}`));
    assert.deepEqual([got.org_id, got.position ?? null], [org, m.position ?? null]);
    assert.equal(await audits(), n, 'nothing stored');
    await ok(await zhibu.patch(`/members/${m.id}`, { org_id: org, position: '组织委员' }));
  });
});
