// dberr.test.mjs — a failed query is an error, never "nothing there": with a
// table taken away an org's detail answers 500 (not 200 with no term, not 404)
// and the command line exits 1 (not 2 "no such org"); with the table back,
// the same requests answer as before — nothing was remembered as missing.
// Real HTTP against a real database (SQLite, or PostgreSQL with DJ_PG_URL).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { freshDb, generate, startServer, loginAs, cli } from '../lib/server.mjs';

let db, srv, admin, rootId, rootCode;

function sql(statement) {
  const r = process.env.DJ_PG_URL
    ? spawnSync('psql', [db.url, '-qAtc', statement], { encoding: 'utf8' })
    : spawnSync('sqlite3', [db.url, statement], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${statement}: ${r.stderr}`);
  return r.stdout.trim();
}
// A table renamed by hand sends no notice: on PostgreSQL a server sees the
// schema move at its next poll of the versions, within a second (SQLite's
// data_version moves at once), so the test waits that second there.
const settle = () => {
  if (process.env.DJ_PG_URL) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1200);
};
const hide = (table) => { sql(`ALTER TABLE ${table} RENAME TO ${table}_gone`); settle(); };
const restore = (table) => { sql(`ALTER TABLE ${table}_gone RENAME TO ${table}`); settle(); };

before(async () => {
  db = freshDb('dberr');
  generate(db);
  srv = await startServer(db);
  admin = await loginAs(srv.base, 'admin');
  [rootId, rootCode] = sql('SELECT id, code FROM org WHERE parent_id IS NULL ORDER BY id LIMIT 1').split('|');
});
after(async () => { await srv?.stop(); });

describe('a failed query is an error', () => {
  it('org detail: 500 while org_term is gone, 200 with the term once it is back', async () => {
    const ok = await admin.get(`/orgs/${rootId}`);
    assert.equal(ok.status, 200);
    hide('org_term');
    try {
      const r = await admin.get(`/orgs/${rootId}`);
      assert.equal(r.status, 500, JSON.stringify(r.body));
      assert.ok(r.body.error);
    } finally {
      restore('org_term');
    }
    const again = await admin.get(`/orgs/${rootId}`);
    assert.equal(again.status, 200);
    assert.deepEqual(again.body.term, ok.body.term);
  });

  it('plan list: 500 while plan is gone, not an empty list', async () => {
    hide('plan');
    try {
      const r = await admin.get('/plans');
      assert.equal(r.status, 500, JSON.stringify(r.body));
    } finally {
      restore('plan');
    }
    assert.equal((await admin.get('/plans')).status, 200);
  });

  it('activity kinds, an activity and a study plan list: 500 while a table they read is gone', async () => {
    const act = sql("SELECT id FROM activity WHERE status = 'held' ORDER BY id LIMIT 1");
    const okAct = await admin.get(`/activities/${act}`);
    assert.equal(okAct.status, 200);
    hide('activity_kind');
    try {
      const r = await admin.get('/activity-kinds');
      assert.equal(r.status, 500, 'not an empty dictionary: ' + JSON.stringify(r.body));
    } finally {
      restore('activity_kind');
    }
    hide('attachment');
    try {
      const r = await admin.get(`/activities/${act}`);
      assert.equal(r.status, 500, 'not an activity without attachments: ' + JSON.stringify(r.body));
    } finally {
      restore('attachment');
    }
    hide('activity_guest');
    try {
      const r = await admin.get(`/activities/${act}`);
      assert.equal(r.status, 500, 'not an activity without guests: ' + JSON.stringify(r.body));
    } finally {
      restore('activity_guest');
    }
    assert.deepEqual((await admin.get(`/activities/${act}`)).body, okAct.body);
    assert.equal((await admin.get('/activity-kinds')).status, 200);
  });

  it('CLI: exit 1 when the org lookup fails, 2 for an org that does not exist', () => {
    const out = path.join(db.dir, 'members.xlsx');
    const args = (org) => ['export', 'members', '--db', db.url, '--key', db.key, '--org', org, '-o', out];
    assert.equal(cli(args('NO-SUCH-ORG')).code, 2);
    hide('org');
    let r;
    try {
      r = cli(args(rootCode));
    } finally {
      restore('org');
    }
    assert.equal(r.code, 1, r.err);
    assert.equal(cli(args(rootCode)).code, 0);
  });
});
