// api.js — the JSON API with the session cookie and the CSRF token.
import { reactive } from 'vue';
import { ElMessage } from 'element-plus';

export const session = reactive({ user: null, csrf: '', today: '', loaded: false });

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error || `请求失败（${status}）`);
    this.status = status;
    this.field = body?.field || '';
    this.details = body?.details || null;
  }
}

async function request(method, path, body, opts = {}) {
  const headers = {};
  let payload;
  if (body instanceof Blob || body instanceof ArrayBuffer) {
    headers['Content-Type'] = 'application/octet-stream';
    payload = body;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  if (method !== 'GET') headers['X-CSRF-Token'] = session.csrf;
  if (opts.key) headers['Idempotency-Key'] = opts.key;
  const send = () => fetch('/api/v1' + path, { method, headers, body: payload, credentials: 'same-origin' });
  let res;
  // With an Idempotency-Key a write may be sent again when its answer was
  // lost (a phone's network) or the database was away (503): the server
  // answers a repeat with the first answer, never a twin record.
  for (let attempt = 0; ; attempt++) {
    const retry = opts.key && attempt < 3;
    try {
      res = await send();
    } catch (e) {
      if (!retry) throw e;
      await new Promise((r) => setTimeout(r, 2000));
      continue;
    }
    if (res.status !== 503 || !retry) break;
    await new Promise((r) => setTimeout(r, 1000 * (Number(res.headers.get('Retry-After')) || 2)));
  }
  if (opts.raw && res.ok) return res;
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const err = new ApiError(res.status, data);
    if (res.status === 401 && !opts.quiet401) {
      session.user = null;
      if (!location.hash.startsWith('#/login')) location.hash = '#/login';
    }
    if (!opts.silent) ElMessage.error(err.message);
    throw err;
  }
  return data;
}

export const api = {
  get: (p, o) => request('GET', p, undefined, o),
  post: (p, b, o) => request('POST', p, b ?? {}, o),
  patch: (p, b, o) => request('PATCH', p, b, o),
  put: (p, b, o) => request('PUT', p, b, o),
  del: (p, o) => request('DELETE', p, undefined, o),
};

// A fresh Idempotency-Key: one per thing the user means to do once (a
// sign-in, a report, a photo), kept while it is sent again.
export function newKey() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, v);
  const s = u.toString();
  return s ? '?' + s : '';
}

export async function loadSession() {
  try {
    const r = await api.get('/session', { silent: true, quiet401: true });
    session.user = r.user;
    session.csrf = r.csrf;
    session.today = r.today || '';
  } catch {
    session.user = null;
  }
  session.loaded = true;
}

export async function download(path, fallbackName) {
  const res = await request('GET', path, undefined, { raw: true });
  const blob = await res.blob();
  const cd = res.headers.get('Content-Disposition') || '';
  const m = /filename\*=UTF-8''([^;]+)/.exec(cd);
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = m ? decodeURIComponent(m[1]) : fallbackName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

// Today as YYYY-MM-DD, the default for dates the user records: the server's
// today (China Standard Time, or the day a demo or a test pinned), else the
// browser's clock in China Standard Time.
export const todayCST = () => session.today || new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
