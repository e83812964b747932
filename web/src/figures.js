// figures.js — the figures registry as the UI uses it: a figure's value (null
// when the server does not have it), the page of its records, and the page
// each record links to.
import { api, qs, todayCST } from './api.js';

// The value of figure `id` for a scope and period, or null when the figure
// is not registered (a module may not have it yet): the caller shows its
// fallback instead of failing the page.
export async function figureValue(id, params = {}) {
  try {
    return await api.get('/figures/' + encodeURIComponent(id) + qs(params), { silent: true });
  } catch (e) {
    if (e.status === 404) return null;
    throw e;
  }
}

// The route of a figure's page with its records for a scope and period.
export function figureRoute(id, params = {}) {
  const query = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') query[k] = String(v);
  return { path: '/figures/' + id, query };
}

// The page of one record, by the kind the records query gives it.
const recordPaths = {
  member: '/members/', org: '/orgs/', activity: '/life/activity/', assignment: '/assignments/', plan: '/plans/',
  develop_person: '/develop/people/',
};
// Records whose page is not their own id's: a transfer is highlighted in the transfers
// list; a payment opens its member's dues over the month's payments (the
// record carries its org and month, the page finds the payment there).
// An org event (成立、更名、撤并、换届) opens the org it happened to.
const recordRoutes = {
  org_event: (r) => (r.org_id ? '/orgs/' + r.org_id : null),
  transfer: (r) => ({ path: '/transfers', query: { id: String(r.rid) } }),
  dues_payment: (r) => ({ path: '/dues/payments', query: { org: String(r.org_id), month: (r.on_date || '').slice(0, 7), payment: String(r.rid) } }),
};
export function recordLink(r) {
  if (!r.rid) return null;
  if (recordRoutes[r.rkind]) return recordRoutes[r.rkind](r);
  const p = recordPaths[r.rkind];
  return p ? p + r.rid : null;
}

// This month from its first day to today, as the dashboard counts it.
export function thisMonth() {
  const t = todayCST();
  return { from: t.slice(0, 8) + '01', to: t };
}

// Money is kept and sent in fen (分); the user reads yuan with two decimals.
export function yuanText(fen) {
  if (fen === null || fen === undefined || fen === '') return '';
  const n = Number(fen);
  const a = Math.abs(n);
  return (n < 0 ? '-' : '') + Math.floor(a / 100).toLocaleString('zh-CN') + '.' + String(a % 100).padStart(2, '0');
}
// The unit a figure's value is shown in (a figure in 分 is shown in 元).
export function figureUnit(unit) {
  return unit === '分' ? '元' : unit;
}

// A figure's value as the user reads it: a ratio in percent with one decimal,
// money in yuan.
export function figureText(v) {
  if (!v || v.value === null || v.value === undefined) return '—';
  if (v.unit === '%') return Number(v.value).toFixed(1) + '%';
  if (v.unit === '分') return yuanText(v.value);
  return Number.isInteger(v.value) ? String(v.value) : Number(v.value).toFixed(2);
}
