// attach_move.test.mjs — `dangjian attach-move` on a PostgreSQL database
// whose attachment rows an older server wrote with the bytes in a directory:
// every distinct file moved once, in 256 KB chunks that read back as the
// same bytes; a missing, truncated or damaged file names itself and moves
// nothing.  Built data (init, rows by psql), no generate: cheap.
import { it, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { freshDb, cli } from '../lib/server.mjs';

let db, dir;
const sha = (b) => crypto.createHash('sha256').update(b).digest('hex');
function psql(sql) {
  const r = spawnSync('psql', [db.url, '-XAtqc', sql], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}
// A file as the directory store kept it, and its attachment row.
function stored(bytes, { name = 'a.jpg', write = bytes } = {}) {
  const hex = sha(bytes);
  fs.mkdirSync(path.join(dir, hex.slice(0, 2)), { recursive: true });
  if (write) fs.writeFileSync(path.join(dir, hex.slice(0, 2), hex), write);
  psql(`INSERT INTO attachment(entity, entity_id, sha256, size, mime, filename, created_at)
        VALUES ('activity', 1, '${hex}', ${bytes.length}, 'image/jpeg', '${name}', '2026-01-01T00:00:00Z')`);
  return hex;
}
const move = () => cli(['attach-move', '--db', db.url, '--key', db.key, '--dir', dir]);
const blobs = () => Number(psql('SELECT count(*) FROM attach_blob'));

before(() => {
  db = freshDb('attach_move');
  const r = cli(['init', '--db', db.url, '--key', db.key]);
  assert.equal(r.code, 0, r.err);
  dir = path.join(db.dir, 'old.files');
});

it('moves each distinct file once, in chunks that read back as its bytes', () => {
  const big = crypto.randomBytes(600 * 1024 + 17), small = crypto.randomBytes(20000), exact = crypto.randomBytes(256 * 1024);
  const hexes = [stored(big, { name: '大.jpg' }), stored(small), stored(exact)];
  stored(big, { name: '同一张.jpg' });	// the same bytes under a second row
  const r = move();
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /moved 3 attachment files into the database \(0 were there already\)/);
  assert.equal(psql(`SELECT string_agg(seq::text, ',' ORDER BY seq) FROM attach_blob WHERE sha256 = '${hexes[0]}'`), '0,1,2');
  assert.equal(psql(`SELECT count(*) FROM attach_blob WHERE sha256 = '${hexes[2]}'`), '1', 'exactly one chunk');
  for (const [hex, bytes] of [[hexes[0], big], [hexes[1], small], [hexes[2], exact]]) {
    const got = psql(`SELECT encode(sha256(string_agg(data, ''::bytea ORDER BY seq)), 'hex') FROM attach_blob WHERE sha256 = '${hex}'`);
    assert.equal(got, sha(bytes));
    assert.equal(psql(`SELECT sum(length(data)) FROM attach_blob WHERE sha256 = '${hex}'`), String(bytes.length));
  }
  const again = move();
  assert.equal(again.code, 0, again.err);
  assert.match(again.out, /moved 0 attachment files into the database \(3 were there already\)/);
});

it('refuses a missing, a truncated or a damaged file, names it, and moves nothing', () => {
  const good = stored(crypto.randomBytes(300 * 1024));
  const n = blobs();
  const cases = [
    [() => stored(crypto.randomBytes(5000), { write: null }), /附件文件缺失/],
    [() => stored(crypto.randomBytes(400 * 1024), { write: crypto.randomBytes(400 * 1024 - 1) }), /附件文件大小不符/],
    [() => stored(crypto.randomBytes(270 * 1024), { write: crypto.randomBytes(270 * 1024) }), /附件文件已损坏/],
  ];
  for (const [bad, msg] of cases) {
    const hex = bad();
    const r = move();
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, msg);
    assert.ok(r.err.includes(hex), 'the file is named');
    assert.equal(blobs(), n, 'nothing moved (the good file neither)');
    psql(`DELETE FROM attachment WHERE sha256 = '${hex}'`);
  }
  const r = move();
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /moved 1 attachment files/);
  assert.ok(Number(psql(`SELECT count(*) FROM attach_blob WHERE sha256 = '${good}'`)) === 2);
});
