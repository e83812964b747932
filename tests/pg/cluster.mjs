// cluster.mjs — PostgreSQL servers of a test's own on loopback (initdb in a
// temporary directory, a free port), for the tests that restart, kill and
// promote them: a primary, a synchronous streaming standby (pg_basebackup
// -R), pg_ctl restart and promote.  As root the server runs as postgres.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { freePort, cli, PASSWORD, loginAs } from '../lib/server.mjs';

const bindir = fs.readdirSync('/usr/lib/postgresql').sort((a, b) => Number(a) - Number(b))
  .map((v) => `/usr/lib/postgresql/${v}/bin`).filter((d) => fs.existsSync(d + '/pg_ctl')).pop();
const asPg = process.getuid() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];

function pg(tool, args) {
  const cmd = [...asPg, path.join(bindir, tool), ...args];
  const r = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

export function psql(url, sql) {
  const r = spawnSync('psql', [url, '-qAtc', sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${sql}: ${r.stderr}`);
  return r.stdout.trim();
}

function tempDir(tag) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `dj-pg-${tag}-`));
  if (asPg.length) spawnSync('chown', ['postgres', dir]);
  return dir;
}

// One server: .start(), .stop(), .restart() (fast), .kill() (SIGKILL to the
// postmaster and its children, as when the machine dies), .promote().
export class Pg {
  constructor(dir, port, opts = []) {
    this.dir = dir; this.port = port; this.opts = opts;
    this.data = path.join(dir, 'data');
    this.url = (db = 'postgres') => `postgresql://postgres@127.0.0.1:${port}/${db}`;
  }
  static async init(tag, opts = []) {
    const dir = tempDir(tag);
    const s = new Pg(dir, await freePort(), opts);
    pg('initdb', ['-D', s.data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C.UTF-8']);
    s.start();
    return s;
  }
  // A standby of `primary` by pg_basebackup -R (streaming, fast checkpoint).
  static async standby(primary, tag) {
    const dir = tempDir(tag);
    const s = new Pg(dir, await freePort());
    pg('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', s.data, '-R', '-X',
      'stream', '-c', 'fast']);
    s.start();
    return s;
  }
  // Settings on the command line, not in the files: a standby copied from
  // this server does not inherit them (synchronous_standby_names above all).
  ctlOpts() {
    return ['-o', [`-p ${this.port}`, `-k ${this.dir}`, '-c listen_addresses=127.0.0.1', '-c fsync=off',
      '-c max_connections=100', ...this.opts.map((o) => `-c ${o}`)].join(' ')];
  }
  start() { pg('pg_ctl', ['-D', this.data, '-l', path.join(this.dir, 'log'), '-w', ...this.ctlOpts(), 'start']); }
  restart() { pg('pg_ctl', ['-D', this.data, '-l', path.join(this.dir, 'log'), '-m', 'fast', '-w', ...this.ctlOpts(), 'restart']); }
  promote() { pg('pg_ctl', ['-D', this.data, '-w', 'promote']); }
  stop() { try { pg('pg_ctl', ['-D', this.data, '-m', 'immediate', 'stop']); } catch { /* not running */ } }
  kill() {
    const pid = Number(fs.readFileSync(path.join(this.data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const kids = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).stdout
      .split('\n').map(Number).filter(Boolean);
    for (const p of [pid, ...kids]) { try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } }
  }
  remove() { this.stop(); fs.rmSync(this.dir, { recursive: true, force: true }); }
}

// A dangjian database on `url` with an administrator and a branch to write in.
export async function platform(url, dir) {
  const key = path.join(dir, 'test.key'), pw = path.join(dir, 'pw');
  fs.writeFileSync(pw, PASSWORD + '\n');
  const r = cli(['init', '--db', url, '--key', key, '--admin', 'admin', '--password-file', pw]);
  assert.equal(r.code, 0, r.err);
  return { url, key, dir };
}

export async function branchOf(base) {
  const admin = await loginAs(base, 'admin');
  const root = await admin.post('/orgs', { code: 'HA-ROOT', name: '高可用测试党委', kind: 'committee' });
  assert.equal(root.status, 201, JSON.stringify(root.body));
  const b = await admin.post('/orgs', { code: 'HA-B1', name: '高可用测试党支部', kind: 'branch', parent_id: root.body.id });
  assert.equal(b.status, 201, JSON.stringify(b.body));
  return { admin, branch: b.body.id };
}

// A writer adding activities and a reader listing them, every `gap` ms, each
// answer recorded as {t, ms, status, id?} (t: when it was answered).
export function load(c, branch, gap = 40) {
  const log = { writes: [], reads: [], stop: false };
  let n = 0;
  const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
  const loop = async (list, fn) => {
    while (!log.stop) {
      const t0 = Date.now();
      let status, id;
      try { ({ status, id } = await fn()); } catch { status = 'refused'; }
      list.push({ t: Date.now(), ms: Date.now() - t0, status, id });
      await new Promise((r) => setTimeout(r, gap));
    }
  };
  log.done = Promise.all([
    loop(log.writes, async () => {
      const r = await c.post('/activities', { org_id: branch, kind: 'theme_day', status: 'planned', on_date: today,
        topic: `高可用写入 ${++n}` });
      return { status: r.status, id: r.body?.id };
    }),
    loop(log.reads, async () => ({ status: (await c.get(`/activities?org=${branch}&size=5`)).status })),
  ]);
  return log;
}

// Over every answer: statuses seen, and the first time after `t` from which
// each of writes and reads succeeded (and every later one did too).
export function summary(log, t) {
  const ok = (s) => s === 200 || s === 201;
  const statuses = new Set([...log.writes, ...log.reads].map((x) => x.status));
  const back = (list) => {
    let last = -1;
    list.forEach((x, i) => { if (!ok(x.status)) last = i; });
    const first = list.slice(last + 1).find((x) => x.t >= t) ?? list[last + 1];
    return first ? first.t : Infinity;
  };
  return { statuses, writesBack: back(log.writes), readsBack: back(log.reads),
    acked: log.writes.filter((x) => ok(x.status)).map((x) => x.id) };
}
