// backup.test.mjs — `dangjian backup` and `dangjian restore` bring back the same
// roster, attachments and audit (SQLite: online backup; PostgreSQL: pg_dump's
// custom format), and a server refuses a key file that cannot read the data.
import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freshDb, generate, startServer, loginAs, cli, bin } from '../lib/server.mjs';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('备份恢复测试'), Buffer.alloc(300000, 9)]);
let db, srv, att;

// One number from the database itself, by the engine's own client.
function count(url, sql) {
  const r = url.startsWith('postgres')
    ? spawnSync('psql', [url, '-Atc', sql], { encoding: 'utf8' })
    : spawnSync('sqlite3', [url, sql], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout.trim());
}
// An empty database to restore into: a new PostgreSQL database, or a file that does not exist yet.
function emptyTarget(tag) {
  const fresh = freshDb(tag);
  return fresh.url;
}

before(async () => {
  db = freshDb('backup');
  generate(db);
  srv = await startServer(db);
  const zhibu = await loginAs(srv.base, 'zhibu');
  const branch = (await zhibu.get('/session')).body.user.org_id;
  const act = (await zhibu.post('/activities', { org_id: branch, kind: 'theme_day', status: 'held',
    on_date: '2026-01-15', topic: '备份测试主题党日', place: '党员活动室' })).body;
  const r = await zhibu.req('POST', `/activities/${act.id}/attachments?filename=${encodeURIComponent('备份.png')}`, PNG);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  att = r.body.id;
  await srv.stop();
});

it('restores into an empty database the same roster, attachment bytes and audit rows', async () => {
  const file = path.join(db.dir, 'backup.dump');
  const b = cli(['backup', '--db', db.url, '--out', file]);
  assert.equal(b.code, 0, b.err);
  assert.ok(fs.statSync(file).size > 0);
  assert.equal(cli(['backup', '--db', db.url, '--out', file]).code, 2, 'an existing file is not overwritten');
  const target = emptyTarget('restored');
  const r = cli(['restore', '--db', target, '--in', file]);
  assert.equal(r.code, 0, r.err);
  for (const q of ['SELECT count(*) FROM member', 'SELECT count(*) FROM audit', 'SELECT max(id) FROM audit',
    'SELECT count(*) FROM attachment'])
    assert.equal(count(target, q), count(db.url, q), q);
  assert.equal(cli(['restore', '--db', target, '--in', file]).code, 2, 'a database that holds data is refused');
  // The restored database with the original key file serves the same bytes.
  const again = await startServer({ ...db, url: target });
  try {
    const dangyuan = await loginAs(again.base, 'dangyuan');
    const g = await dangyuan.get(`/attachments/${att}`);
    assert.equal(g.status, 200);
    assert.deepEqual(g.raw, PNG);
    const admin = await loginAs(again.base, 'admin');
    const m = await admin.get('/members?size=1');
    assert.equal(m.body.total, count(db.url, 'SELECT count(*) FROM member WHERE active = 1'));
  } finally { await again.stop(); }
});

it('a server refuses to start with a key file that cannot read the data', () => {
  const wrong = path.join(db.dir, 'wrong.key');
  fs.writeFileSync(wrong, Buffer.alloc(32, 1), { mode: 0o600 });
  const r = spawnSync(bin, ['serve', '--db', db.url, '--key', wrong, '--listen', '127.0.0.1:1', '--quiet'],
    { encoding: 'utf8', timeout: 20000 });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /cannot read this database's personal data/);
  assert.match(r.stderr, /same key file/);
  // The CLI commands say the same with the same status; a cut-short or
  // mistyped key file is bad input too.
  const c = cli(['check', '--db', db.url, '--key', wrong, '--org', '1']);
  assert.equal(c.code, 2, c.err);
  assert.match(c.err, /same key file/);
  const short = path.join(db.dir, 'short.key');
  fs.writeFileSync(short, Buffer.alloc(7, 1), { mode: 0o600 });
  const d = cli(['check', '--db', db.url, '--key', short, '--org', '1']);
  assert.equal(d.code, 2, d.err);
  assert.match(d.err, /is damaged/);
  const m = cli(['check', '--db', db.url, '--key', path.join(db.dir, 'nosuch.key'), '--org', '1']);
  assert.equal(m.code, 2, m.err);
  assert.match(m.err, /not found/);
});

it('a mistyped database, a missing directory or a file that is no backup of this engine: a message and exit 2, nothing made', () => {
  const pg = db.url.startsWith('postgres');
  const out = path.join(db.dir, 'wrong.dump');
  const missing = pg ? db.url.replace(/\/([^/?]*)(\?|$)/, '/$1_nosuch$2') : path.join(db.dir, 'nosuch.db');
  const expect = (r, re) => { assert.equal(r.code, 2, r.err); assert.match(r.err, re); };
  expect(cli(['backup', '--db', missing, '--out', out]), pg ? /cannot open .*does not exist/ : /no database file/);
  assert.ok(!fs.existsSync(out), 'no file left behind to block the next try');
  if (!pg) assert.ok(!fs.existsSync(missing), 'no empty database made under the mistyped name');
  expect(cli(['backup', '--db', db.url, '--out', path.join(db.dir, 'nodir', 'x.dump')]), /directory .* does not exist/);
  expect(cli(['restore', '--db', pg ? emptyTarget('wrongin') : path.join(db.dir, 'r.db'), '--in', db.pw]),
    /not a backup made by `dangjian backup`/);
  // A backup of the other engine names the engine it belongs to.
  const other = path.join(db.dir, 'other.bak');
  fs.writeFileSync(other, pg ? Buffer.from('SQLite format 3\0' + 'x'.repeat(100)) : Buffer.from('PGDMP\x01\x0e\x00'));
  expect(cli(['restore', '--db', pg ? emptyTarget('other') : path.join(db.dir, 'r2.db'), '--in', other]),
    pg ? /backup of a SQLite database/ : /backup of a PostgreSQL database/);
  const dump = path.join(db.dir, 'backup.dump');	// the first test's
  if (pg) expect(cli(['restore', '--db', missing, '--in', dump]), /cannot open .*does not exist/);
  else expect(cli(['restore', '--db', path.join(db.dir, 'nodir', 'r.db'), '--in', dump]), /directory .* does not exist/);
  if (!pg) {
    // A SQLite backup copied without its FILE.files (or with a file cut
    // short) is refused before anything is made: restored, its photos were gone.
    const lone = path.join(db.dir, 'lone');
    fs.mkdirSync(lone);
    fs.copyFileSync(dump, path.join(lone, 'backup.dump'));
    const target = path.join(db.dir, 'nofiles.db');
    expect(cli(['restore', '--db', target, '--in', path.join(lone, 'backup.dump')]), /backup\.dump\.files lacks .* 1 of the backup's attachment files/);
    assert.ok(!fs.existsSync(target), 'nothing made');
    fs.cpSync(dump + '.files', path.join(lone, 'backup.dump.files'), { recursive: true });
    const [sub] = fs.readdirSync(path.join(lone, 'backup.dump.files'));
    const [f] = fs.readdirSync(path.join(lone, 'backup.dump.files', sub));
    fs.truncateSync(path.join(lone, 'backup.dump.files', sub, f), 10);
    expect(cli(['restore', '--db', target, '--in', path.join(lone, 'backup.dump')]), /cut short/);
    assert.ok(!fs.existsSync(target), 'nothing made');
  }
});
