// mixed.mjs — the node half of bench/mixed.sh (prints figures; not a test).
//   node bench/mixed.mjs setup BASE PASSWORD OUTDIR   logs in the bench users (users.txt:
//        "username<TAB>org_id"), writes one file of "cookie<TAB>path" per read route and
//        the writer's targets (writer.json)
//   node bench/mixed.mjs write BASE PASSWORD OUTDIR RATE   writes at RATE per second, of
//        three kinds in turn (attendance, a task report, a member edit), until SIGTERM;
//        then prints the count, the rate reached and the latencies.
import fs from 'node:fs';

const [cmd, base, password, out, rateArg] = process.argv.slice(2);

class Client {
  constructor() { this.cookie = ''; this.csrf = ''; }
  async call(method, path, body) {
    const t0 = performance.now();
    const res = await fetch(base + '/api/v1' + path, {
      method, body: body && JSON.stringify(body),
      headers: { 'Content-Type': 'application/json', Cookie: this.cookie, 'X-CSRF-Token': this.csrf },
    });
    const sc = res.headers.get('set-cookie');
    if (sc && sc.startsWith('dj_session=')) this.cookie = sc.split(';')[0];
    const data = await res.json();
    return { status: res.status, body: data, ms: performance.now() - t0 };
  }
  async login(username) {
    const r = await this.call('POST', '/session', { username, password });
    if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${JSON.stringify(r.body)}`);
    this.csrf = r.body.csrf;
    return r.body;
  }
}

function month(today, back) {
  const d = new Date(today + 'T00:00:00Z');
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - back);
  const from = d.toISOString().slice(0, 10);
  d.setUTCMonth(d.getUTCMonth() + 1);
  d.setUTCDate(0);
  return [from, d.toISOString().slice(0, 10)];
}

async function pool(items, n, fn) {
  const res = [];
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) { const k = next++; res[k] = await fn(items[k]); }
  }));
  return res;
}

async function setup() {
  const users = fs.readFileSync(`${out}/users.txt`, 'utf8').trim().split('\n').map((l) => l.split('\t'));
  const routes = { dashboard: [], members: [], calendar: [], matrix: [] };
  await pool(users, 6, async ([username, org]) => {
    const c = new Client();
    const s = await c.login(username);
    const cookie = c.cookie.slice('dj_session='.length);
    const [from, to] = month(s.today, 1);
    routes.dashboard.push(`${cookie}\t/api/v1/dashboard`);
    routes.members.push(`${cookie}\t/api/v1/members?size=20`);
    routes.calendar.push(`${cookie}\t/api/v1/activities?org=${org}&subtree=1&from=${from}&to=${to}&size=50`);
    // The matrix of the first published plan this user may oversee.
    const plans = (await c.call('GET', '/plans?size=10')).body.items || [];
    for (const p of plans.filter((x) => x.status === 'published')) {
      const path = `/plans/${p.id}/matrix?size=50`;
      if ((await c.call('GET', path)).status === 200) { routes.matrix.push(`${cookie}\t/api/v1${path}`); break; }
    }
  });
  for (const [r, lines] of Object.entries(routes)) fs.writeFileSync(`${out}/reads-${r}.txt`, lines.map((l) => l + '\n').join(''));
  // The writer's targets, as the administrator sees them.
  const admin = new Client();
  const s = await admin.login('admin');
  const [from, to] = month(s.today, 1);
  // 主题党日 have a roll call (other kinds may have none).
  const acts = (await admin.call('GET', `/activities?subtree=1&from=${from}&to=${to}&status=held&kind=theme_day&size=60`)).body.items;
  const attendance = [];
  for (const a of acts) {
    const d = (await admin.call('GET', `/activities/${a.id}`)).body;
    const m = (d.attendance || []).find((x) => x.member_id);
    if (m) attendance.push({ activity: a.id, member: m.member_id });
    if (attendance.length >= 40) break;
  }
  // A progress report moves an assignment from not started to in progress:
  // take both, so that runs on one database do not use up the targets.
  const assignments = [];
  for (const state of ['in_progress', 'not_started']) {
    const items = (await admin.call('GET', `/assignments?state=${state}&size=200`)).body.items || [];
    assignments.push(...items.filter((a) => a.status === state).map((a) => a.id));
  }
  assignments.splice(200);
  const members = (await admin.call('GET', '/members?size=200')).body.items.map((m) => m.id);
  fs.writeFileSync(`${out}/writer.json`, JSON.stringify({ attendance, assignments, members }));
  console.log(`setup: ${users.length} users; reads: ${Object.entries(routes).map(([k, v]) => `${k} ${v.length}`).join(', ')};`
    + ` writer targets: ${attendance.length} attendances, ${assignments.length} assignments, ${members.length} members`);
}

async function write() {
  const rate = Number(rateArg || 20);
  const t = JSON.parse(fs.readFileSync(`${out}/writer.json`, 'utf8'));
  const c = new Client();
  await c.login('admin');
  const lat = { attendance: [], report: [], member: [] };
  let errors = 0, inflight = 0, k = 0, stop = false;
  const kinds = ['attendance', 'report', 'member'].filter((x) =>
    (x === 'attendance' ? t.attendance : x === 'report' ? t.assignments : t.members).length);
  const one = async (n) => {
    const kind = kinds[n % kinds.length];
    const i = Math.floor(n / kinds.length);
    let r;
    if (kind === 'attendance') {
      const a = t.attendance[i % t.attendance.length];
      r = await c.call('PUT', `/activities/${a.activity}/attendance`,
        { attendance: [{ member_id: a.member, status: i % 2 ? 'present' : 'absent' }] });
    } else if (kind === 'report') {
      r = await c.call('POST', `/assignments/${t.assignments[i % t.assignments.length]}/submissions`,
        { kind: 'progress', body: `基准进展${n}` });
    } else {
      r = await c.call('PATCH', `/members/${t.members[i % t.members.length]}`, { position: `基准岗位${n % 7}` });
    }
    if (r.status >= 300) { errors++; if (errors <= 3) console.error(kind, r.status, JSON.stringify(r.body)); }
    lat[kind].push(r.ms);
  };
  const t0 = performance.now();
  process.on('SIGTERM', () => { stop = true; });
  // Open loop: a write is started every 1/rate s whether or not the last is done.
  while (!stop) {
    const due = t0 + (k * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (stop) break;
    inflight++;
    one(k++).catch(() => { errors++; }).finally(() => { inflight--; });
  }
  while (inflight) await new Promise((r) => setTimeout(r, 20));
  const secs = (performance.now() - t0) / 1000;
  const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : 0; };
  const all = Object.values(lat).flat();
  const per = Object.entries(lat).map(([kk, v]) => `${kk} p99 ${pct(v, 0.99).toFixed(1)} ms`).join(', ');
  console.log(`writes: ${all.length} in ${secs.toFixed(1)} s = ${(all.length / secs).toFixed(1)}/s, errors ${errors};`
    + ` p50 ${pct(all, 0.5).toFixed(1)} ms, p99 ${pct(all, 0.99).toFixed(1)} ms, max ${Math.max(...all).toFixed(1)} ms (${per})`);
}

await (cmd === 'setup' ? setup() : write());
