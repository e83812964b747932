// nginx.test.mjs — two dangjian servers behind nginx (an upstream with
// max_fails) on one PostgreSQL database are one platform: a write on one is
// read on the other at once, the login lockout counts guesses on both, an
// attachment uploaded through one is served by the other (it lives in the
// database, not in a directory), and nginx carries on when one server stops;
// `attach-move` brings the files of an older directory store into the database.
import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { freshDb, generate, startServer, freePort, Client, loginAs, PASSWORD, cli } from '../lib/server.mjs';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(700000, 5)]);
let db, a, b, nginx, front;

async function startNginx(dir, ports) {
  const port = await freePort();
  const conf = path.join(dir, 'nginx.conf');
  fs.writeFileSync(conf, `worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/nginx-error.log; daemon off;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/nginx-body; proxy_temp_path ${dir}/nginx-proxy;
  fastcgi_temp_path ${dir}/nginx-fcgi; uwsgi_temp_path ${dir}/nginx-uwsgi; scgi_temp_path ${dir}/nginx-scgi;
  upstream dangjian {
${ports.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=10s;`).join('\n')}
  }
  server {
    listen 127.0.0.1:${port};
    client_max_body_size 20m;
    location / {
      proxy_pass http://dangjian;
      proxy_set_header Host $host;
      proxy_next_upstream error timeout http_502 http_503;
    }
  }
}
`);
  const proc = spawn('nginx', ['-c', conf, '-p', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(base + '/api/v1/health')).ok) break; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { base, proc, stop: () => new Promise((r) => { proc.on('exit', r); proc.kill('SIGQUIT'); }), stderr: () => stderr };
}

before(async () => {
  db = freshDb('nginx');
  generate(db);
  // Each server takes the other's NOTIFY as late as a loaded machine can
  // (test hook: only its own commits and a client's dj_seq make it read the
  // versions): a user's own write must still be read at once on either.
  const late = { env: { DJ_TEST_LATE_NOTIFY: '1' } };
  a = await startServer(db, late);
  b = await startServer(db, late);
  nginx = await startNginx(db.dir, [a.port, b.port]);
  front = nginx.base;
});
after(async () => { await nginx?.stop(); await a?.stop(); await b?.stop(); });

it('a write through one server is read through the other at once, and through nginx', async () => {
  const ca = await loginAs(a.base, 'admin');
  const root = (await ca.get('/orgs/tree')).body[0];
  const listed = async (c) => (await c.get(`/orgs?parent_id=${root.id}&size=200`)).body.items.map((o) => o.code);
  const cb = new Client(b.base);
  cb.cookie = ca.cookie;
  cb.csrf = ca.csrf;
  assert.ok(!(await listed(cb)).includes('NGX-1'));	// b keeps this list in its cache
  const r = await ca.post('/orgs', { code: 'NGX-1', name: '负载均衡测试党支部', kind: 'branch', parent_id: root.id });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.match(r.headers.getSetCookie().join('\n'), /dj_seq=\d+; Path=\/; HttpOnly; SameSite=Strict/);
  // The same user's browser on the other server: its cookies carry the write's seq.
  cb.cookie = ca.cookie;
  assert.equal((await cb.get('/orgs/' + r.body.id)).body.name, '负载均衡测试党支部');
  assert.ok((await listed(cb)).includes('NGX-1'), 'the cached list on b is read again');
  // Through nginx, requests alternate between the two: every one sees the latest write.
  const cn = await loginAs(front, 'admin');
  for (let i = 0; i < 4; i++) {
    const name = `负载均衡测试党支部${i}`;
    const p = await cn.patch(`/orgs/${r.body.id}`, { name });
    assert.equal(p.status, 200, JSON.stringify(p.body));
    assert.equal((await cn.get('/orgs/' + r.body.id)).body.name, name);
  }
});

it('counts the login lockout across both servers', async () => {
  const admin = await loginAs(a.base, 'admin');
  const root = (await admin.get('/orgs/tree')).body[0];
  const u = await admin.post('/users', { username: 'ngxlock', display_name: 'ngxlock', password: PASSWORD, role: 'org_admin', org_id: root.id });
  assert.equal(u.status, 201, JSON.stringify(u.body));
  for (let i = 0; i < 6; i++) {	// alternating: three guesses on each server
    const r = await new Client(i % 2 ? b.base : a.base).login('ngxlock', `wrong-${i}`);
    assert.equal(r.status, 401);
  }
  assert.equal((await new Client(a.base).login('ngxlock')).status, 401, 'locked on a');
  assert.equal((await new Client(b.base).login('ngxlock')).status, 401, 'locked on b');
  assert.equal((await new Client(front).login('ngxlock')).status, 401, 'locked through nginx');
});

it('serves through one server an attachment uploaded through the other, from the database', async () => {
  const za = await loginAs(a.base, 'zhibu');
  const branch = (await za.get('/session')).body.user.org_id;
  const act = await za.post('/activities', { org_id: branch, kind: 'theme_day', status: 'held', on_date: '2026-01-15',
    topic: '负载均衡附件测试', place: '党员活动室' });
  assert.equal(act.status, 201, JSON.stringify(act.body));
  const up = await za.req('POST', `/activities/${act.body.id}/attachments?filename=${encodeURIComponent('照片.png')}`, PNG);
  assert.equal(up.status, 201, JSON.stringify(up.body));
  const zb = await loginAs(b.base, 'dangyuan');
  const g = await zb.get(`/attachments/${up.body.id}`);
  assert.equal(g.status, 200);
  assert.equal(g.headers.get('content-type'), 'image/png');
  assert.deepEqual(g.raw, PNG);
  assert.ok(!fs.existsSync(db.key.replace(/\.key$/, '.files')), 'no attachment directory beside the key');
});

it('nginx carries on when one server stops', async () => {
  const cn = await loginAs(front, 'admin');
  await a.stop();
  a = null;
  for (let i = 0; i < 6; i++) assert.equal((await cn.get('/orgs?size=1')).status, 200);
});

it('attach-move brings a directory store\'s files into the database', async () => {
  const zb = await loginAs(b.base, 'zhibu');
  const branch = (await zb.get('/session')).body.user.org_id;
  const act = await zb.post('/activities', { org_id: branch, kind: 'theme_day', status: 'held', on_date: '2026-01-16',
    topic: '附件迁移测试', place: '党员活动室' });
  const bytes = Buffer.concat([Buffer.from('%PDF-1.4\n'), crypto.randomBytes(600000)]);
  const up = await zb.req('POST', `/activities/${act.body.id}/attachments?filename=a.pdf`, bytes);
  assert.equal(up.status, 201, JSON.stringify(up.body));
  // As an older server kept it: the bytes in a directory, not in the database.
  const hex = crypto.createHash('sha256').update(bytes).digest('hex');
  const dir = path.join(db.dir, 'old.files');
  fs.mkdirSync(path.join(dir, hex.slice(0, 2)), { recursive: true });
  fs.writeFileSync(path.join(dir, hex.slice(0, 2), hex), bytes);
  const psql = (sql) => spawnSync('psql', [db.url, '-Atc', sql], { encoding: 'utf8' });
  assert.equal(psql(`DELETE FROM attach_blob WHERE sha256 = '${hex}'`).status, 0);
  assert.equal((await zb.get(`/attachments/${up.body.id}`)).status, 500, 'the bytes are gone from the database');
  // A file altered in the directory: bad input, exit 2, nothing moved.
  const bad = path.join(db.dir, 'bad.files');
  fs.cpSync(dir, bad, { recursive: true });
  fs.writeFileSync(path.join(bad, hex.slice(0, 2), hex), Buffer.concat([bytes.subarray(0, -1), Buffer.from('x')]));
  const refused = cli(['attach-move', '--db', db.url, '--key', db.key, '--dir', bad]);
  assert.equal(refused.code, 2, refused.err);
  assert.match(refused.err, /SHA-256/);
  assert.equal((await zb.get(`/attachments/${up.body.id}`)).status, 500, 'nothing moved');
  const r = cli(['attach-move', '--db', db.url, '--key', db.key, '--dir', dir]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /moved 1 attachment files/);
  const g = await zb.get(`/attachments/${up.body.id}`);
  assert.equal(g.status, 200);
  assert.deepEqual(g.raw, bytes);
  const again = cli(['attach-move', '--db', db.url, '--key', db.key, '--dir', dir]);
  assert.equal(again.code, 0, again.err);
  assert.match(again.out, /moved 0 attachment files/, 'a second run keeps what is there');
});
