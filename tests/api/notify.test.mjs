// notify.test.mjs — 待办 by e-mail against a real SMTP receiver on 127.0.0.1
// that the test runs itself (a few lines of SMTP in node), over a real
// database (SQLite, or PostgreSQL when DJ_PG_URL is set): a user's own
// address and choice, a message sent once (sending again resends nothing),
// a failed send retried at its next due time and delivered once the
// receiver is back, failed after the last retry but never lost, two senders
// at once sending each message once, and the server's own sender thread.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { freshDb, startServer, loginAs, cli, bin, freePort } from '../lib/server.mjs';

const TODAY = '2025-06-16';
const env = { DANGJIAN_TODAY: TODAY };
const T0 = Date.parse('2025-06-16T01:00:00Z') / 1000;

// The receiver: accepts every message, keeps {from, to, data}; stop() and
// start() again on the same port make it "down" and "back".
class Receiver {
  constructor(port) { this.port = port; this.mail = []; this.server = null; this.sockets = new Set(); }
  start() {
    this.server = net.createServer((s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      let buf = '', data = null, cur = { to: [] };
      s.write('220 test ESMTP\r\n');
      s.on('data', (chunk) => {
        buf += chunk.toString('latin1');
        for (;;) {
          if (data !== null) {
            const end = buf.indexOf('\r\n.\r\n');
            if (end < 0) return;
            data += buf.slice(0, end);
            buf = buf.slice(end + 5);
            this.mail.push({ ...cur, data: Buffer.from(data, 'latin1').toString('utf8') });
            data = null;
            cur = { to: [] };
            s.write('250 OK queued\r\n');
            continue;
          }
          const nl = buf.indexOf('\r\n');
          if (nl < 0) return;
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 2);
          const cmd = line.slice(0, 4).toUpperCase();
          if (cmd === 'EHLO' || cmd === 'HELO') s.write('250 test\r\n');
          else if (cmd === 'MAIL') { cur.from = line.slice(10).trim(); s.write('250 OK\r\n'); }
          else if (cmd === 'RCPT') { cur.to.push(line.slice(8).trim()); s.write('250 OK\r\n'); }
          else if (cmd === 'DATA') { data = ''; s.write('354 go ahead\r\n'); }
          else if (cmd === 'QUIT') { s.end('221 bye\r\n'); }
          else s.write('250 OK\r\n');
        }
      });
    });
    return new Promise((r) => this.server.listen(this.port, '127.0.0.1', r));
  }
  stop() {
    for (const s of this.sockets) s.destroy();
    return new Promise((r) => this.server.close(r));
  }
  to(addr) { return this.mail.filter((m) => m.to.includes(`<${addr}>`)); }
}

// The sender runs beside the receiver in this process: spawn, not spawnSync.
function notify(args, extraEnv = env) {
  return new Promise((resolve) => {
    const p = spawn(bin, ['notify', '--db', db.url, '--once', ...args], { env: { ...process.env, ...extraEnv } });
    let out = '', err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('exit', (code) => resolve({ code, out, err }));
  });
}
const counts = (r) => {
  const m = /(\d+) queued, (\d+) sent, (\d+) failed/.exec(r.out);
  assert.ok(m, r.out + r.err);
  return { queued: +m[1], sent: +m[2], failed: +m[3] };
};
const bodyOf = (m) => Buffer.from(m.data.split('\r\n\r\n').slice(1).join('').replace(/\s+/g, ''), 'base64').toString('utf8');

let db, rx, port;

before(async () => {
  db = freshDb('notify');
  const g = cli(['generate', '--db', db.url, '--scale', 'demo', '--password-file', db.pw, '--key', db.key], { env });
  assert.equal(g.code, 0, g.err);
  port = await freePort();
  rx = new Receiver(port);
  await rx.start();
});
after(async () => { await rx.stop(); });

describe('a user\'s own address and choice; the delivery settings', () => {
  it('sets, checks and reads back; bad input is refused and changes nothing', async () => {
    const srv = await startServer(db, { env });
    try {
      const admin = await loginAs(srv.base, 'admin');
      const zhibu = await loginAs(srv.base, 'zhibu');
      let r = await zhibu.get('/session/email');
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, { email: null, email_opt_in: false, digest: 'daily' });
      r = await zhibu.put('/session/email', { email_opt_in: true });
      assert.equal(r.status, 400);
      assert.equal(r.body.field, 'email');
      r = await zhibu.put('/session/email', { email: 'not an address', email_opt_in: true });
      assert.equal(r.status, 400);
      assert.equal(r.body.field, 'email');
      r = await zhibu.put('/session/email', { email: 'zhibu@example.cn', digest: 'weekly' });
      assert.equal(r.status, 400);
      assert.equal(r.body.field, 'digest');
      assert.deepEqual((await zhibu.get('/session/email')).body, { email: null, email_opt_in: false, digest: 'daily' });
      r = await zhibu.put('/session/email', { email: 'zhibu@example.cn', email_opt_in: true, digest: 'daily' });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(r.body, { email: 'zhibu@example.cn', email_opt_in: true, digest: 'daily' });
      // A member who gives an address but does not opt in gets nothing.
      const dy = await loginAs(srv.base, 'dangyuan');
      assert.equal((await dy.put('/session/email', { email: 'dy@example.cn' })).status, 200);
      // Settings: administrators only, checked.
      assert.equal((await zhibu.get('/notify/settings')).status, 403);
      assert.equal((await zhibu.put('/notify/settings', { smtp_url: 'smtp://x' })).status, 403);
      r = await admin.put('/notify/settings', { smtp_url: 'http://127.0.0.1/' });
      assert.equal(r.status, 400);
      assert.equal(r.body.field, 'smtp_url');
      r = await admin.put('/notify/settings', { from: 'bad' });
      assert.equal(r.body.field, 'from');
      r = await admin.put('/notify/settings', { smtp_url: `smtp://127.0.0.1:${port}`, from: 'dangjian@example.cn', poll_seconds: 3600 });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.smtp_url, `smtp://127.0.0.1:${port}`);
      assert.equal(r.body.poll_seconds, 3600);
      const audit = (await admin.get('/audit?action=notify.settings')).body;
      assert.ok(audit.items.length >= 1);
      assert.ok((await admin.get('/audit?action=user.notify_pref')).body.items.length >= 1);
    } finally { await srv.stop(); }
  });
});

describe('sending', () => {
  it('sends today\'s digest once: a second run resends nothing', async () => {
    let r = await notify(['--now', String(T0)]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(counts(r), { queued: 1, sent: 1, failed: 0 });
    const got = rx.to('zhibu@example.cn');
    assert.equal(got.length, 1);
    assert.equal(got[0].from, '<dangjian@example.cn>');
    assert.match(got[0].data, /Subject: =\?UTF-8\?B\?/);
    const body = bodyOf(got[0]);
    assert.match(body, /截至2025-06-16，您在党建工作管理平台有\d+项待办/);
    assert.match(body, /上报《/);
    assert.equal(rx.to('dy@example.cn').length, 0, 'not opted in');
    r = await notify(['--now', String(T0 + 10)]);
    assert.deepEqual(counts(r), { queued: 0, sent: 0, failed: 0 });
    r = await notify(['--now', String(T0 + 7200)]);
    assert.deepEqual(counts(r), { queued: 0, sent: 0, failed: 0 }, 'once per user and day');
    assert.equal(rx.to('zhibu@example.cn').length, 1);
  });

  it('a failed send is retried at its next due time and delivered once the receiver is back', async () => {
    const day2 = { DANGJIAN_TODAY: '2025-06-17' }, t = T0 + 86400;
    await rx.stop();
    let r = await notify(['--now', String(t)], day2);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(counts(r), { queued: 1, sent: 0, failed: 1 });
    r = await notify(['--now', String(t + 30)], day2);
    assert.deepEqual(counts(r), { queued: 0, sent: 0, failed: 0 }, 'not due before a minute has passed');
    await rx.start();
    r = await notify(['--now', String(t + 61)], day2);
    assert.deepEqual(counts(r), { queued: 0, sent: 1, failed: 0 });
    r = await notify(['--now', String(t + 4000)], day2);
    assert.deepEqual(counts(r), { queued: 0, sent: 0, failed: 0 });
    const got = rx.to('zhibu@example.cn');
    assert.equal(got.length, 2);
    assert.match(bodyOf(got[1]), /截至2025-06-17/);
  });

  it('after the retries at 1, 5 and 30 minutes the row is marked failed, kept, and can be sent later', async () => {
    const day3 = { DANGJIAN_TODAY: '2025-06-18' }, t = T0 + 2 * 86400;
    await rx.stop();
    const steps = [[0, 1, 1], [60, 0, 1], [60 + 300, 0, 1], [60 + 300 + 1800, 0, 1]];
    for (const [dt, queued, failed] of steps) {
      const r = await notify(['--now', String(t + dt)], day3);
      assert.deepEqual(counts(r), { queued, sent: 0, failed }, `at +${dt}s`);
    }
    let r = await notify(['--now', String(t + 86000)], day3);
    assert.deepEqual(counts(r), { queued: 0, sent: 0, failed: 0 }, 'failed: no more tries on its own');
    const srv = await startServer(db, { env: day3 });
    try {
      const admin = await loginAs(srv.base, 'admin');
      const f = (await admin.get('/notify/outbox?state=failed')).body;
      assert.equal(f.total, 1);
      assert.equal(f.items[0].attempts, 4);
      assert.equal(f.items[0].to_addr, 'zhibu@example.cn');
      assert.ok(f.items[0].last_error);
      assert.equal((await admin.get('/notify/outbox?state=bogus')).status, 400);
      assert.equal((await (await loginAs(srv.base, 'zhibu')).get('/notify/outbox')).status, 403);
    } finally { await srv.stop(); }
    await rx.start();
    r = await notify(['--now', String(t + 86100), '--retry-failed'], day3);
    assert.deepEqual(counts(r), { queued: 0, sent: 1, failed: 0 });
    assert.equal(rx.to('zhibu@example.cn').length, 3);
    assert.match(bodyOf(rx.to('zhibu@example.cn')[2]), /截至2025-06-18/);
  });

  it('two senders at once send each message once', async () => {
    const srv = await startServer(db, { env });
    try {
      for (const u of ['jiguan', 'hangye', 'admin']) {
        const c = await loginAs(srv.base, u);
        assert.equal((await c.put('/session/email', { email: `${u}@example.cn`, email_opt_in: true })).status, 200);
      }
    } finally { await srv.stop(); }
    const day4 = { DANGJIAN_TODAY: '2025-06-19' }, t = T0 + 3 * 86400;
    const [a, b] = await Promise.all([notify(['--now', String(t)], day4), notify(['--now', String(t)], day4)]);
    assert.equal(a.code, 0, a.err);
    assert.equal(b.code, 0, b.err);
    const ca = counts(a), cb = counts(b);
    assert.equal(ca.failed + cb.failed, 0);
    assert.equal(ca.sent + cb.sent, ca.queued + cb.queued, 'every queued message sent, by one of them');
    for (const u of ['jiguan', 'hangye', 'admin', 'zhibu']) {
      const n = rx.mail.filter((m) => m.to.includes(`<${u}@example.cn>`) && bodyOf(m).includes('截至2025-06-19')).length;
      assert.ok(n <= 1, `${u}: ${n} messages`);
    }
    assert.equal(rx.mail.filter((m) => bodyOf(m).includes('截至2025-06-19')).length, ca.sent + cb.sent);
  });

  it('the server\'s own sender enqueues and sends without cron', async () => {
    const day5 = { DANGJIAN_TODAY: '2025-06-20' };
    const srv = await startServer(db, { env: day5 });
    try {
      const admin = await loginAs(srv.base, 'admin');
      assert.equal((await admin.put('/notify/settings', { poll_seconds: 1 })).status, 200);
      let got = [];
      for (let i = 0; i < 200 && got.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        got = rx.to('zhibu@example.cn').filter((m) => bodyOf(m).includes('截至2025-06-20'));
      }
      assert.equal(got.length, 1, 'sent by the server within its poll interval');
      await new Promise((r) => setTimeout(r, 2500));
      assert.equal(rx.to('zhibu@example.cn').filter((m) => bodyOf(m).includes('截至2025-06-20')).length, 1, 'and only once');
    } finally { await srv.stop(); }
  });

  it('bad arguments: usage error, exit 2', async () => {
    const r = await notify(['--now', 'yesterday']);
    assert.equal(r.code, 2);
    const t = await notify(['--today', '2025-13-01']);
    assert.equal(t.code, 2);
  });
});
