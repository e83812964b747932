// idempotency.test.mjs — retry-safe writes and the health check, over real
// HTTP against a real database (SQLite, or PostgreSQL with DJ_PG_URL).
// An Idempotency-Key on a creating POST: the same key from the same user
// gets the first answer again (status and body) and no twin record; the same
// key with another body: 422; another user's same key is theirs alone.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { freshDb, generate, startServer, loginAs, Client, today } from '../lib/server.mjs';

let db, srv, admin, zhibu, branch;

before(async () => {
  db = freshDb('idem');
  generate(db);
  srv = await startServer(db);
  admin = await loginAs(srv.base, 'admin');
  zhibu = await loginAs(srv.base, 'zhibu');
  branch = (await zhibu.get('/session')).body.user.org_id;
});
after(async () => { await srv.stop(); });

const meeting = (topic) => ({ org_id: branch, kind: 'theme_day', status: 'held', on_date: today(), topic, place: '党员活动室' });
const count = async () => (await admin.get(`/activities?org=${branch}&size=1`)).body.total;
const withKey = (c, key, body, p = '/activities') => c.req('POST', p, body, { 'Idempotency-Key': key });
// Ages a stored answer by the engine's own client (the server reads the
// clock; the test moves the row, not the date).
function sql(text) {
  const r = db.url.startsWith('postgres')
    ? spawnSync('psql', [db.url, '-qAtc', text], { encoding: 'utf8' })
    : spawnSync('sqlite3', [db.url, text], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}
const age = (key, seconds) => sql(`UPDATE idempotency SET created_at = created_at - ${seconds} WHERE idem_key = '${key}'`);

describe('Idempotency-Key', () => {
  it('the same key and body again: the first answer, marked replayed, and one record', async () => {
    const before = await count();
    const first = await withKey(zhibu, 'k-same-1', meeting('幂等测试一'));
    assert.equal(first.status, 201, JSON.stringify(first.body));
    assert.equal(first.headers.get('idempotent-replayed'), null);
    const again = await withKey(zhibu, 'k-same-1', meeting('幂等测试一'));
    assert.equal(again.status, 201);
    assert.deepEqual(again.body, first.body, 'the stored answer, byte for byte');
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(await count(), before + 1, 'no twin');
    // Without a key the same request is a new record: the key is what makes it safe.
    const plain = await zhibu.post('/activities', meeting('幂等测试一'));
    assert.equal(plain.status, 201);
    assert.notEqual(plain.body.id, first.body.id);
    assert.equal(await count(), before + 2);
  });

  it('the same key with another body: 422 naming the header, nothing stored', async () => {
    const first = await withKey(zhibu, 'k-diff-1', meeting('幂等测试二'));
    assert.equal(first.status, 201);
    const before = await count();
    const other = await withKey(zhibu, 'k-diff-1', meeting('另一个主题'));
    assert.equal(other.status, 422, JSON.stringify(other.body));
    assert.equal(other.body.field, 'Idempotency-Key');
    assert.ok(other.body.error);
    assert.equal(await count(), before);
  });

  it('a key belongs to its user: another user with the same key makes their own record', async () => {
    const a = await withKey(zhibu, 'k-user-1', meeting('幂等测试三'));
    const b = await withKey(admin, 'k-user-1', meeting('幂等测试三'));
    assert.equal(a.status, 201);
    assert.equal(b.status, 201);
    assert.notEqual(a.body.id, b.body.id);
    assert.equal(b.headers.get('idempotent-replayed'), null);
  });

  it('a failed request is not remembered: fixed and sent again with the key, it is made once', async () => {
    const before = await count();
    const bad = await withKey(zhibu, 'k-fail-1', { ...meeting('幂等测试四'), on_date: '1900-01-01' });
    assert.equal(bad.status, 400);
    assert.equal(await count(), before);
    const bad2 = await withKey(zhibu, 'k-fail-1', { ...meeting('幂等测试四'), on_date: '1900-01-01' });
    assert.equal(bad2.status, 400, 'the error is computed again, not replayed');
    assert.equal(bad2.headers.get('idempotent-replayed'), null);
    const good = await withKey(zhibu, 'k-fail-2', meeting('幂等测试四'));
    assert.equal(good.status, 201);
    assert.equal(await count(), before + 1);
  });

  it('a bad key is refused before anything runs', async () => {
    const before = await count();
    const r = await withKey(zhibu, 'x'.repeat(256), meeting('幂等测试五'));
    assert.equal(r.status, 400);
    assert.equal(r.body.field, 'Idempotency-Key');
    const r2 = await withKey(zhibu, 'a key with spaces', meeting('幂等测试五'));
    assert.equal(r2.status, 400);
    assert.equal(await count(), before);
  });

  it('the same key and bytes under another query (an upload\'s filename) is another request: 422', async () => {
    const act = (await withKey(zhibu, 'k-q-act', meeting('幂等附件'))).body;
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('幂等附件')]);
    const up = (name) => zhibu.req('POST', `/activities/${act.id}/attachments?filename=${encodeURIComponent(name)}`, png,
      { 'Idempotency-Key': 'k-q-1' });
    const a = await up('甲.png');
    assert.equal(a.status, 201, JSON.stringify(a.body));
    assert.equal((await up('甲.png')).headers.get('idempotent-replayed'), 'true');
    const b = await up('乙.png');
    assert.equal(b.status, 422, 'not the answer of 甲.png: ' + JSON.stringify(b.body));
    assert.equal(b.body.field, 'Idempotency-Key');
  });

  it('a key is remembered for 24 hours: just under, the first answer; over, a new request', async () => {
    const first = await withKey(zhibu, 'k-ttl-1', meeting('幂等期限一'));
    assert.equal(first.status, 201);
    age('k-ttl-1', 24 * 3600 - 600);
    const within = await withKey(zhibu, 'k-ttl-1', meeting('幂等期限一'));
    assert.equal(within.headers.get('idempotent-replayed'), 'true');
    assert.equal(within.body.id, first.body.id);
    age('k-ttl-1', 1200);
    const before = await count();
    const later = await withKey(zhibu, 'k-ttl-1', meeting('幂等期限二'));
    assert.equal(later.status, 201, 'an expired key is free again, whatever it was used for: ' + JSON.stringify(later.body));
    assert.equal(later.headers.get('idempotent-replayed'), null);
    assert.notEqual(later.body.id, first.body.id);
    assert.equal(await count(), before + 1);
    const again = await withKey(zhibu, 'k-ttl-1', meeting('幂等期限二'));
    assert.equal(again.body.id, later.body.id, 'and now answers with its new first answer');
  });

  it("an expired answer is swept when anyone stores one, not only its own user's next", async () => {
    assert.equal((await withKey(admin, 'k-sweep-1', meeting('幂等清理一'))).status, 201);
    age('k-sweep-1', 24 * 3600 + 60);
    assert.equal(sql("SELECT count(*) FROM idempotency WHERE idem_key = 'k-sweep-1'"), '1');
    assert.equal((await withKey(zhibu, 'k-sweep-2', meeting('幂等清理二'))).status, 201);
    assert.equal(sql("SELECT count(*) FROM idempotency WHERE idem_key = 'k-sweep-1'"), '0', "another user's expired answer is gone");
    assert.equal(sql("SELECT count(*) FROM idempotency WHERE idem_key = 'k-sweep-2'"), '1');
  });

  it('a key with a control character or outside ASCII is refused', async () => {
    const before = await count();
    // fetch will not send a control character in a header: the request goes out by hand.
    const raw = (key) => new Promise((resolve, reject) => {
      const body = Buffer.from(JSON.stringify(meeting('幂等测试六')));
      const u = new URL(srv.base);
      const s = net.connect(Number(u.port), u.hostname, () => s.write(Buffer.concat([Buffer.from(
        `POST /api/v1/activities HTTP/1.1\r\nHost: ${u.host}\r\nCookie: ${zhibu.cookie}\r\nX-CSRF-Token: ${zhibu.csrf}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n`, 'latin1'),
      Buffer.from('Idempotency-Key: ' + key + '\r\n\r\n', 'latin1'), body])));
      let got = '';
      s.on('data', (d) => { got += d.toString('utf8'); });
      s.on('end', () => resolve({ status: Number(got.split(' ')[1]), body: JSON.parse(got.slice(got.indexOf('\r\n\r\n') + 4) || 'null') }));
      s.on('error', reject);
    });
    for (const key of ['ab\x01cd', 'ab\tcd', 'ab\x7fcd', 'ab\xe4cd']) {
      const r = await raw(key);
      assert.equal(r.status, 400, JSON.stringify(key));
      assert.equal(r.body.field, 'Idempotency-Key');
    }
    assert.equal(await count(), before);
  });

  it('a reveal is not kept under its key: the 身份证号 in clear never lands in table idempotency', async () => {
    const m = (await zhibu.get(`/members?org=${branch}&size=1`)).body.items[0];
    const audits = async () => (await admin.get(`/audit?entity=member&entity_id=${m.id}&size=1`)).body.total;
    const n = await audits();
    const first = await withKey(zhibu, 'k-reveal-1', { field: 'id_card' }, `/members/${m.id}/reveal`);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.match(first.body.value, /^[0-9]{17}[0-9X]$/);
    const again = await withKey(zhibu, 'k-reveal-1', { field: 'id_card' }, `/members/${m.id}/reveal`);
    assert.equal(again.status, 200);
    assert.equal(again.headers.get('idempotent-replayed'), null, 'answered afresh');
    assert.equal(await audits(), n + 2, 'each reveal audited');
    assert.equal(sql("SELECT count(*) FROM idempotency WHERE idem_key = 'k-reveal-1'"), '0');
  });

  it('the kept hash of a request is keyed: its body (a 身份证号) cannot be searched for by hashing guesses', async () => {
    const body = meeting('幂等测试键控');
    const r = await withKey(zhibu, 'k-keyed-1', body);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const kept = sql("SELECT request_hash FROM idempotency WHERE idem_key = 'k-keyed-1'");
    // BLAKE2b-256 of the same bytes without a key, as anyone reading the table could compute.
    const plain = spawnSync('python3', ['-c', 'import hashlib,sys; print(hashlib.blake2b(sys.stdin.buffer.read(), digest_size=32).hexdigest())'],
      { input: Buffer.concat([Buffer.from('POST\0/api/v1/activities\0'), Buffer.from(JSON.stringify(body))]), encoding: 'utf8' });
    assert.equal(plain.status, 0, plain.stderr);
    assert.match(kept, /^[0-9a-f]{64}$/);
    assert.notEqual(kept, plain.stdout.trim());
  });

  it('concurrent requests with one key make one record and give one answer', async () => {
    const before = await count();
    const rs = await Promise.all([1, 2, 3, 4].map(() => withKey(zhibu, 'k-race-1', meeting('幂等并发'))));
    for (const r of rs) assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(new Set(rs.map((r) => r.body.id)).size, 1, 'one id for all');
    assert.equal(await count(), before + 1);
  });
});

describe('sessions', () => {
  it('a session idle past the limit is swept at the next login, whoever logs in', async () => {
    // 'jiguan' logs in nowhere else in this file: its sessions are the ones aged here.
    const n = () => Number(sql("SELECT count(*) FROM session WHERE user_id = (SELECT id FROM app_user WHERE username = 'jiguan')"));
    const ageAll = () => sql("UPDATE session SET last_seen = last_seen - 2 * 3600 WHERE user_id = (SELECT id FROM app_user WHERE username = 'jiguan')");
    const idle = await loginAs(srv.base, 'jiguan');
    ageAll();
    assert.equal((await idle.get('/session')).status, 401, 'idle past 60 minutes: refused, and deleted');
    assert.equal(n(), 0);
    // A browser that never came back leaves its session behind, until a login sweeps it.
    const left = await loginAs(srv.base, 'jiguan');
    assert.equal((await left.get('/session')).status, 200);
    ageAll();
    assert.equal(n(), 1);
    await loginAs(srv.base, 'admin');
    assert.equal(n(), 0, "another user's login swept it");
    assert.equal((await admin.get('/session')).status, 200, 'sessions in use stay');
    assert.equal((await zhibu.get('/session')).status, 200);
  });
});

describe('health', () => {
  it('200 while the database answers; ?verbose for administrators only', async () => {
    const anon = new Client(srv.base);
    const h = await anon.get('/health');
    assert.equal(h.status, 200);
    assert.equal(h.body.ok, true);
    assert.equal(h.body.database, undefined);
    assert.equal(h.body.schema, undefined, 'which release runs is not told to anyone');
    assert.equal((await anon.get('/health?verbose')).status, 401);
    assert.equal((await zhibu.get('/health?verbose')).status, 403);
    const v = await admin.get('/health?verbose');
    assert.equal(v.status, 200, JSON.stringify(v.body));
    assert.equal(v.body.database.engine, process.env.DJ_PG_URL ? 'postgresql' : 'sqlite');
    assert.equal(v.body.database.primary, true);
    assert.ok(v.body.schema > 0, 'the schema version, for the administrator');
    if (process.env.DJ_PG_URL) {
      assert.equal(v.body.database.host, '127.0.0.1');
      assert.equal(v.body.database.port, new URL(process.env.DJ_PG_URL).port);
    }
  });
});
