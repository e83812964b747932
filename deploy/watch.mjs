// deploy/watch.mjs BASE PASSWORD_FILE DB_URL [SECONDS] — what a user sees
// through nginx during a failover (deploy/cluster.sh watch runs it): a read
// (GET /api/v1/orgs) and a health check every 500 ms, and a write (POST
// /api/v1/activities, one 主题党日 in the first branch) every 200 ms.  Every
// request gets at most 3 s; one cut short counts as 000.  Requests go out on
// the clock, not after the one before: a request stuck in a wait does not
// hide the next.  Prints a line every 500 ms (the read, the health check and
// the write statuses since the line before); on Ctrl-C, SIGTERM or after
// SECONDS, the outage of reads (refused logins count) and of writes (from the first failed answer
// to the first of the unbroken run of successes after it), the statuses
// counted, and whether every acknowledged write (201) is in the database,
// asked of PostgreSQL itself through DB_URL (psql).
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';

const [base, pwFile, dbUrl, seconds] = process.argv.slice(2);
if (!base || !pwFile || !dbUrl) {
  console.error('usage: node deploy/watch.mjs BASE PASSWORD_FILE DB_URL [SECONDS]');
  process.exit(2);
}
const api = base.replace(/\/$/, '') + '/api/v1';
const stamp = (t = Date.now()) => new Date(t).toTimeString().slice(0, 8) + '.' + String(t % 1000).padStart(3, '0');
const LIMIT = 3000;

let cookie = '', csrf = '';
async function call(method, path, body) {
  const t0 = Date.now();
  try {
    const r = await fetch(api + path, {
      method, body: body && JSON.stringify(body), signal: AbortSignal.timeout(LIMIT),
      headers: { 'Content-Type': 'application/json', Cookie: cookie, 'X-CSRF-Token': csrf },
    });
    const text = await r.text();
    let data = null;
    try { data = JSON.parse(text); } catch { /* an nginx error page */ }
    return { t0, t: Date.now(), status: String(r.status), data, headers: r.headers };
  } catch {
    return { t0, t: Date.now(), status: '000' };
  }
}

// Log in and find a branch to write in; retried while the platform is not up.
// A refused login counts as a failed read: a primary killed before the
// watch logged in is an outage too, not "no failed answer".
const reads = [], writes = [], pending = new Set();
for (;;) {
  const s = await call('POST', '/session', { username: 'admin', password: fs.readFileSync(pwFile, 'utf8').trim() });
  if (s.status === '200') {
    cookie = (s.headers.get('set-cookie') || '').split(';')[0];
    csrf = s.data.csrf;
    break;
  }
  reads.push({ t0: s.t0, t: s.t, status: s.status });
  console.log(`${stamp()}  login: ${s.status}, retrying`);
  await new Promise((r) => setTimeout(r, 1000));
}
const branches = await call('GET', '/orgs?kind=branch&size=1');
const branch = branches.data?.items?.[0]?.id;
if (!branch) { console.error(`no branch to write in (${branches.status})`); process.exit(1); }
console.log(`${stamp()}  watching ${base}: GET /orgs + health every 500 ms, POST /activities (org ${branch}) every 200 ms`);

let n = 0, since = [];
const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
const track = (p) => { pending.add(p); p.finally(() => pending.delete(p)); return p; };
const writer = setInterval(() => track((async () => {
  const r = await call('POST', '/activities', { org_id: branch, kind: 'theme_day', status: 'planned', on_date: today,
    topic: `故障切换写入 ${++n}` });
  const w = { t0: r.t0, t: r.t, status: r.status, id: r.status === '201' ? r.data?.id : undefined };
  writes.push(w);
  since.push(w.status);
})()), 200);
const reader = setInterval(() => track((async () => {
  const [g, h] = await Promise.all([call('GET', '/orgs?size=1'), call('GET', '/health')]);
  reads.push({ t0: g.t0, t: g.t, status: g.status });
  const counted = {};
  for (const s of since) counted[s] = (counted[s] || 0) + 1;
  since = [];
  const w = Object.entries(counted).map(([s, k]) => `${s}×${k}`).join(' ') || '-';
  console.log(`${stamp(g.t0)}  GET /api/v1/orgs: ${g.status}  health: ${h.status}  POST /activities: ${w}`);
})()), 500);

// The outage of one kind of request: from the start of the first failed one
// to the start of the first of the unbroken successes after the last failure.
function outage(list, ok) {
  const sorted = [...list].sort((a, b) => a.t0 - b.t0);
  const first = sorted.findIndex((x) => x.status !== ok);
  if (first < 0) return null;
  let last = first;
  sorted.forEach((x, i) => { if (x.status !== ok) last = i; });
  const back = sorted[last + 1];
  return { from: sorted[first].t0, to: back ? back.t0 : null };
}
function counts(list) {
  const c = {};
  for (const x of list) c[x.status] = (c[x.status] || 0) + 1;
  return Object.entries(c).sort().map(([s, k]) => `${s}: ${k}`).join(', ');
}

let ending = false;
async function end() {
  if (ending) return;
  ending = true;
  clearInterval(writer);
  clearInterval(reader);
  await Promise.allSettled([...pending]);
  console.log('');
  for (const [what, list, ok] of [['reads', reads, '200'], ['writes', writes, '201']]) {
    const o = outage(list, ok);
    console.log(`${what}: ${list.length} sent (${counts(list)}); ` + (!o ? 'no failed answer'
      : `failing from ${stamp(o.from)} ` + (o.to ? `to ${stamp(o.to)}: ${((o.to - o.from) / 1000).toFixed(1)} s`
        : 'to the end (not back yet)')));
  }
  const acked = writes.filter((x) => x.id).map((x) => x.id);
  if (!acked.length) { console.log('acknowledged writes: none'); process.exit(1); }
  const q = spawnSync('psql', [dbUrl, '-qAtc', `SELECT count(*) FROM activity WHERE id IN (${acked.join(',')})`],
    { encoding: 'utf8' });
  if (q.status !== 0) { console.log(`acknowledged writes: ${acked.length}; cannot ask the database: ${q.stderr.trim()}`); process.exit(1); }
  const found = Number(q.stdout.trim());
  console.log(`acknowledged writes: ${acked.length}, in the database: ${found}, lost: ${acked.length - found}`);
  const cut = writes.filter((x) => x.status === '000').length;
  if (cut) console.log(`(${cut} writes cut short at 3 s: their outcome is unknown to the writer, as a user's would be)`);
  process.exit(found === acked.length ? 0 : 1);
}
process.on('SIGINT', end);
process.on('SIGTERM', end);
if (seconds) setTimeout(end, Number(seconds) * 1000);
