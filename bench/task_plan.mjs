// task_plan.mjs BASE PASSWORD [draft] — a 50-task plan of the province bureau: 10
// common tasks for every org that reports, 40 specific tasks for the county
// committees and for samples of branches; then publish it, timed.  Prints
// the figures and, on the last line, the plan id.  With `draft` the plan is
// left unpublished (bench/publish_explain.sh takes its publish apart).
const [base, password, draft] = process.argv.slice(2);
let cookie = '', csrf = '';
async function call(method, path, body) {
  const res = await fetch(base + '/api/v1' + path, {
    method, body: body && JSON.stringify(body),
    headers: { 'Content-Type': 'application/json', Cookie: cookie, 'X-CSRF-Token': csrf },
  });
  const sc = res.headers.get('set-cookie');
  if (sc && sc.startsWith('dj_session=')) cookie = sc.split(';')[0];
  const data = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(data)}`);
  return data;
}
csrf = (await call('POST', '/session', { username: 'admin', password })).csrf;
const root = (await call('GET', '/orgs/tree'))[0];
const year = new Date().getFullYear();
const plan = await call('POST', '/plans', { org_id: root.id, title: `${year}年全省交通运输党建重点任务（基准）`,
  starts_on: `${year}-01-01`, ends_on: `${year}-12-31`, contacts_due: `${year}-03-08`, campaigns: ['五大攻坚', '八项行动'] });
const counties = (await call('GET', '/orgs?kind=industry_committee&size=200')).items.map((o) => o.id);
const branches = [];
for (let p = 1; p <= 5; p++) branches.push(...(await call('GET', `/orgs?kind=branch&size=200&page=${p}`)).items.map((o) => o.id));
for (let i = 0; i < 50; i++) {
  const due = `${year}-${String(1 + (i % 12)).padStart(2, '0')}-28`;
  const t = { title: `重点任务${i + 1}`, content: '按方案要求推进，按时报送进展和完成情况，图文并茂。', starts_on: `${year}-01-01`,
    ends_on: `${year}-12-31`, due_on: due, points: 2, missing_points: -1, campaign_id: plan.campaigns[i % 2].id,
    quotas: [{ item: '示范点', min: 1, unit: '个', per: 'assignee' }] };
  if (i < 10) Object.assign(t, { scope: 'common' });
  else Object.assign(t, { scope: 'specific', targets: i % 2 ? counties : branches.slice((i * 37) % Math.max(1, branches.length - 200), (i * 37) % Math.max(1, branches.length - 200) + 200) });
  await call('POST', `/plans/${plan.id}/tasks`, t);
}
if (draft === 'draft') {
  console.log(`draft: 50 tasks`);
  console.log(plan.id);
  process.exit(0);
}
const t0 = performance.now();
const pub = await call('POST', `/plans/${plan.id}/publish`, {});
const ms = performance.now() - t0;
console.log(`publish: 50 tasks, ${pub.assignments} assignments in ${ms.toFixed(0)} ms (${(pub.assignments / ms * 1000).toFixed(0)} assignments/s)`);
console.log(plan.id);
