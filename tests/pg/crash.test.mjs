// crash.test.mjs — issue 16 (d): an Idempotency-Key retried after the server
// died between the commit and its answer makes one record.  The test build
// (build/dangjian-san, -DDJ_TEST_HOOKS) honours DJ_TEST_DIE_AFTER_COMMIT:
// the server kills itself (SIGKILL) right after committing an idempotent
// request, before answering.  Against the suite's PostgreSQL (DJ_PG_URL),
// or a SQLite file when run alone.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { freshDb, startServer, loginAs } from '../lib/server.mjs';
import { platform } from './cluster.mjs';

it('(d) the same key after a crash between commit and answer: the stored answer, one record', async () => {
  const fresh = freshDb('crash');
  const db = await platform(fresh.url, fresh.dir);
  const dying = await startServer(db, { env: { DJ_TEST_DIE_AFTER_COMMIT: '1' } });
  const admin = await loginAs(dying.base, 'admin');
  const org = { code: 'CRASH-1', name: '崩溃测试党委', kind: 'committee' };
  const exited = new Promise((r) => dying.proc.on('exit', (code, sig) => r(sig)));
  let lost;
  try {
    lost = await admin.req('POST', '/orgs', org, { 'Idempotency-Key': 'crash-key-1' });
  } catch (e) {
    lost = e;
  }
  assert.ok(lost instanceof Error, 'no answer came back: ' + JSON.stringify(lost?.status));
  assert.equal(await exited, 'SIGKILL');
  // The client tries again, with the same key, on a server that came back.
  const srv = await startServer(db);
  try {
    admin.base = srv.base;
    const again = await admin.req('POST', '/orgs', org, { 'Idempotency-Key': 'crash-key-1' });
    assert.equal(again.status, 201, JSON.stringify(again.body));
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(again.body.code, 'CRASH-1');
    const tree = (await admin.get('/orgs/tree')).body;
    assert.equal(tree.filter((o) => o.code === 'CRASH-1').length, 1, 'one record');
    // Without the key the same request is refused as a duplicate: the record is there.
    assert.equal((await admin.post('/orgs', org)).status, 409);
  } finally {
    await srv.stop();
  }
});
