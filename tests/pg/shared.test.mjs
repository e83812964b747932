// shared.test.mjs — two stateless servers on one PostgreSQL database are one platform.
import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { freshDb, generate, startServer, Client, loginAs } from '../lib/server.mjs';

let db, a, b;
before(async () => {
  db = freshDb('shared');
  generate(db);
  a = await startServer(db);
  b = await startServer(db);
});
after(async () => { await a.stop(); await b.stop(); });

it('a session opened on one server is valid on the other, and a write on one is read on the other', async () => {
  const ca = await loginAs(a.base, 'admin');
  const cb = new Client(b.base);
  cb.cookie = ca.cookie;
  cb.csrf = ca.csrf;
  const me = await cb.get('/session');
  assert.equal(me.status, 200);
  assert.equal(me.body.user.username, 'admin');
  const root = (await ca.get('/orgs/tree')).body[0];
  const r = await cb.post('/orgs', { code: 'PG-SHARED', name: '共享测试党支部', kind: 'branch', parent_id: root.id });
  assert.equal(r.status, 201);
  const seen = await ca.get('/orgs/' + r.body.id);
  assert.equal(seen.body.name, '共享测试党支部');
  // Server a keeps that answer in memory; b's rename must still show at once.
  assert.equal((await ca.get('/orgs/' + r.body.id)).headers.get('x-dangjian-cache'), 'hit');
  const ren = await cb.patch(`/orgs/${r.body.id}`, { name: '共享测试党支部（更名）' });
  assert.equal(ren.status, 200, JSON.stringify(ren.body));
  assert.equal((await ca.get('/orgs/' + r.body.id)).body.name, '共享测试党支部（更名）');
  assert.equal((await ca.del('/session')).status, 200);
  assert.equal((await cb.get('/session')).status, 401, 'logging out on one server ends the session on both');
});

it('a write on one server ends only the answers that read it on the other', async () => {
  const ca = await loginAs(a.base, 'admin');
  const cb = await loginAs(b.base, 'admin');
  const hit = (r) => r.headers.get('x-dangjian-cache') === 'hit';
  const plan = (await ca.get('/plans?size=50')).body.items.find((p) => p.status === 'published');
  const matrix = `/plans/${plan.id}/matrix?size=20`;
  await ca.get(matrix);
  await ca.get('/members?size=2');
  assert.ok(hit(await ca.get(matrix)));
  assert.ok(hit(await ca.get('/members?size=2')));
  const m = (await cb.get('/members?size=1')).body.items[0];
  const ed = await cb.patch(`/members/${m.id}`, { position: '共享测试岗位' });
  assert.equal(ed.status, 200, JSON.stringify(ed.body));
  assert.ok(hit(await ca.get(matrix)), 'a member edit on b leaves a\'s matrix kept');
  const list = await ca.get('/members?size=2');
  assert.ok(!hit(list), 'and ends a\'s member list');
  const open = (await cb.get(`/assignments?plan=${plan.id}&state=not_started&size=1`)).body.items[0];
  const r = await cb.post(`/assignments/${open.id}/submissions`, { kind: 'progress', body: '共享测试进展' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.ok(!hit(await ca.get(matrix)), 'a report on b ends a\'s matrix');
  assert.ok(hit(await ca.get('/members?size=2')), 'and leaves a\'s member list');
});
