// server.mjs — start a real dangjian server (the sanitized build) on 127.0.0.1
// against a real database, and a small HTTP client with cookie and CSRF token.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';

export const root = path.resolve(import.meta.dirname, '../..');
export const bin = process.env.DJ_BIN || path.join(root, 'build/dangjian-san');
export const PASSWORD = 'Test-pass-2025';

// The day the tests run at: DANGJIAN_TODAY when the suite is pinned (make
// test TODAY=…), which the generator and the servers started here read too;
// otherwise today in China Standard Time, as the server computes it.
export const today = () => process.env.DANGJIAN_TODAY || new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
// today() shifted by n days.
export function day(n, from = today()) {
  return new Date(Date.parse(from + 'T00:00:00Z') + n * 86400e3).toISOString().slice(0, 10);
}

export function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

let counter = 0;
// A fresh database with the demo data: a SQLite file, or a new database on the
// PostgreSQL server the test script started (DJ_PG_URL points at its postgres db).
export function freshDb(tag = 'db') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dj-test-'));
  const pw = path.join(dir, 'pw');
  fs.writeFileSync(pw, PASSWORD + '\n');
  let url;
  if (process.env.DJ_PG_URL) {
    const name = `dj_${tag}_${process.pid}_${++counter}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
    const r = spawnSync('psql', [process.env.DJ_PG_URL, '-qc', `CREATE DATABASE ${name}`], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error('createdb failed: ' + r.stderr);
    url = process.env.DJ_PG_URL.replace(/\/[^/?]*(\?|$)/, `/${name}$1`);
  } else {
    url = path.join(dir, 'test.db');
  }
  const key = path.join(dir, 'test.key');
  return { dir, url, key, pw };
}

export function cli(args, opts = {}) {
  const r = spawnSync(bin, args, { encoding: 'utf8', env: { ...process.env, ...opts.env }, input: opts.input });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

// opts.env: extra environment (e.g. a DANGJIAN_TODAY of the test's own).
// When the suite gives a cache directory (DJ_TEST_CACHE, set by tests/run.sh),
// a demo is generated once per scale, day, binary and engine and copied for
// each test after that: a copy of the file (SQLite), or a database made from
// it as a template (PostgreSQL), with the key it was encrypted with.
// Generating the demo under the sanitizers takes ~10 s; a copy, a fraction.
export function generate(db, scale = 'demo', opts = {}) {
  const cache = process.env.DJ_TEST_CACHE;
  if (!cache) return generateFresh(db, scale, opts);
  const day = opts.env?.DANGJIAN_TODAY || process.env.DANGJIAN_TODAY || today();
  const name = `dj_tmpl_${scale}_${day}_${path.basename(bin)}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const file = path.join(cache, name + (process.env.DJ_PG_URL ? '.pg' : '.db'));
  fs.mkdirSync(cache, { recursive: true });
  if (!fs.existsSync(file + '.done')) {
    const r = generateFresh(db, scale, opts);
    templateSave(db, name, file);
    fs.writeFileSync(file + '.out', r.out);
    fs.writeFileSync(file + '.done', '');
    return r;
  }
  templateLoad(db, name, file);
  return { code: 0, out: fs.readFileSync(file + '.out', 'utf8'), err: '' };
}

function generateFresh(db, scale, opts) {
  const r = cli(['generate', '--db', db.url, '--scale', scale, '--password-file', db.pw, '--key', db.key], opts);
  if (r.code !== 0) throw new Error('generate failed: ' + r.err + r.out);
  return r;
}

function psql(sql) {
  const r = spawnSync('psql', [process.env.DJ_PG_URL, '-qXc', sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`psql ${sql}: ${r.stderr}`);
}
const pgName = (url) => url.match(/\/([^/?]+)(\?|$)/)[1];

// The generator has exited, so its database is closed: SQLite has folded its
// WAL back into the file, and no session holds the PostgreSQL database.
function templateSave(db, name, file) {
  fs.copyFileSync(db.key, file + '.key');
  if (process.env.DJ_PG_URL) {
    psql(`CREATE DATABASE ${name} TEMPLATE ${pgName(db.url)}`);
  } else {
    if (fs.existsSync(db.url + '-wal') && fs.statSync(db.url + '-wal').size > 0) throw new Error('generate left a WAL behind');
    fs.copyFileSync(db.url, file + '.tmp');
    fs.renameSync(file + '.tmp', file);
  }
}

function templateLoad(db, name, file) {
  fs.copyFileSync(file + '.key', db.key);
  if (process.env.DJ_PG_URL) {
    psql(`DROP DATABASE ${pgName(db.url)}`);
    psql(`CREATE DATABASE ${pgName(db.url)} TEMPLATE ${name}`);
  } else {
    fs.copyFileSync(file, db.url);
  }
}

// opts.env: extra environment for the server (e.g. a DANGJIAN_TODAY of its own).
export async function startServer(db, opts = {}) {
  const port = await freePort();
  const proc = spawn(bin, ['serve', '--db', db.url, '--key', db.key, '--listen', `127.0.0.1:${port}`, '--quiet', '--threads', '4'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  proc.stdout.on('data', () => {});
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try { if ((await fetch(base + '/api/v1/health')).ok) break; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    base, port, proc,
    async stop() {
      const done = new Promise((r) => proc.on('exit', (code, sig) => r({ code, sig })));
      proc.kill('SIGTERM');
      const { code } = await done;
      // The sanitizers report on stderr: a clean stop with no report is part of every test.
      if (/AddressSanitizer|LeakSanitizer|runtime error:/.test(stderr) || code !== 0) {
        throw new Error(`server exited ${code}; stderr:\n${stderr}`);
      }
    },
    stderr: () => stderr,
  };
}

export class Client {
  constructor(base) { this.base = base; this.cookie = ''; this.csrf = ''; }
  async req(method, p, body, headers = {}) {
    const h = { ...headers };
    if (this.cookie) h.Cookie = this.cookie;
    if (this.csrf && method !== 'GET') h['X-CSRF-Token'] = this.csrf;
    let payload = body;
    if (body !== undefined && !(body instanceof Uint8Array) && typeof body !== 'string') {
      h['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(this.base + '/api/v1' + p, { method, headers: h, body: payload });
    } catch (e) {
      // A kept-alive socket the server closed while a synchronous CLI step
      // blocked node's event loop (the server drops idle ones after 60 s)
      // fails at once; a read is sent again, on a new socket.
      if (method !== 'GET') throw e;
      res = await fetch(this.base + '/api/v1' + p, { method, headers: h, body: payload });
    }
    // A cookie jar as a browser keeps it: dj_session, and on PostgreSQL the
    // dj_seq a write sets; an emptied cookie is dropped.
    const jar = new Map(this.cookie ? this.cookie.split('; ').map((kv) => [kv.split('=')[0], kv]) : []);
    for (const sc of res.headers.getSetCookie()) {
      const kv = sc.split(';')[0];
      if (kv.endsWith('=')) jar.delete(kv.slice(0, -1));
      else jar.set(kv.split('=')[0], kv);
    }
    this.cookie = [...jar.values()].join('; ');
    const buf = Buffer.from(await res.arrayBuffer());
    let json = null;
    try { json = JSON.parse(buf.toString('utf8')); } catch { /* binary */ }
    return { status: res.status, body: json, raw: buf, headers: res.headers };
  }
  get(p) { return this.req('GET', p); }
  post(p, b) { return this.req('POST', p, b ?? {}); }
  patch(p, b) { return this.req('PATCH', p, b); }
  put(p, b) { return this.req('PUT', p, b); }
  del(p) { return this.req('DELETE', p); }
  async login(username, password = PASSWORD) {
    const r = await this.post('/session', { username, password });
    if (r.status === 200) this.csrf = r.body.csrf;
    return r;
  }
}

export async function loginAs(base, username) {
  const c = new Client(base);
  const r = await c.login(username);
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${JSON.stringify(r.body)}`);
  return c;
}

// A valid 身份证号 for a birth date (YYYYMMDD) and a sequence number.
export function idCard(birth, seq, region = '410102') {
  const s17 = region + birth + String(seq).padStart(3, '0');
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...s17].reduce((a, ch, i) => a + Number(ch) * w[i], 0);
  return s17 + '10X98765432'[sum % 11];
}
