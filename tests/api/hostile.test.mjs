// hostile.test.mjs — what an attacker sends first, over real HTTP against a
// real database: XLSX files with entity bombs, external entities, zip bombs
// and absurd cell references; 3,000 query arguments, huge headers, long
// URLs.  Each must get a 4xx JSON answer quickly, leave the server's memory
// bounded and store nothing.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import zlib from 'node:zlib';
import { freshDb, generate, startServer, loginAs, day } from '../lib/server.mjs';

const CEILING_MS = 10000;	// generous: the answers take milliseconds (see the report)
const RSS_GROWTH_MB = 300;	// the bombs would take gigabytes

// ---- a small zip writer (stored as deflate, or given raw deflate and sizes) ----
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
// entries: [{name, text}] or [{name, deflated, size, crc}] (a bomb states its own sizes).
function zip(entries) {
  const locals = [], centrals = [];
  let offset = 0;
  for (const e of entries) {
    const raw = e.text !== undefined ? Buffer.from(e.text) : null;
    const data = raw ? zlib.deflateRawSync(raw) : e.deflated;
    const size = raw ? raw.length : e.size;
    const crc = raw ? crc32(raw) : (e.crc ?? 0);
    const name = Buffer.from(e.name);
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0); lh.writeUInt16LE(20, 4); lh.writeUInt16LE(8, 8);
    lh.writeUInt32LE(crc, 14); lh.writeUInt32LE(data.length, 18); lh.writeUInt32LE(size, 22);
    lh.writeUInt16LE(name.length, 26);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0); ch.writeUInt16LE(20, 4); ch.writeUInt16LE(20, 6); ch.writeUInt16LE(8, 10);
    ch.writeUInt32LE(crc, 16); ch.writeUInt32LE(data.length, 20); ch.writeUInt32LE(size, 24);
    ch.writeUInt16LE(name.length, 28); ch.writeUInt32LE(offset, 42);
    locals.push(lh, name, data);
    centrals.push(ch, name);
    offset += 30 + name.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(entries.length, 8); end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

const WORKBOOK = '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
  + ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>';
const RELS = '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
  + '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>';
const cell = (ref, text) => `<c r="${ref}" t="inlineStr"><is><t>${text}</t></is></c>`;
const SHEET = (rows) => '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
  + rows + '</sheetData></worksheet>';
// The template's required columns, so that the importer reads past the header.
const HEADER = '<row r="1">' + ['姓名', '性别', '公民身份号码', '入党日期', '党员类别'].map((h, i) => cell('ABCDE'[i] + '1', h)).join('') + '</row>';
function xlsx(parts) {
  const all = { 'xl/workbook.xml': WORKBOOK, 'xl/_rels/workbook.xml.rels': RELS, ...parts };
  return zip(Object.entries(all).map(([name, v]) => (typeof v === 'string' ? { name, text: v } : { name, ...v })));
}

const LAUGHS = '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY lol "lol">'
  + Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('') + ']>'
  + '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol9;</t></si></sst>';
const XXE = (what) => `<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "${what}">]>`
  + SHEET(HEADER + '<row r="2">' + cell('A2', '&xxe;') + '</row>').replace(/^<\?xml[^>]*\?>/, '');

// A deflate stream of `n` × 16 MiB of spaces, about 16 KiB each: full flushes
// make each piece stand alone, so it is built without inflating 1 GiB here.
function spaces(n) {
  const piece = zlib.deflateRawSync(Buffer.alloc(16 << 20, 0x20), { finishFlush: zlib.constants.Z_FULL_FLUSH });
  return Buffer.concat([...Array(n).fill(piece), Buffer.from([0x03, 0x00])]);
}

function rssMb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m[1]) / 1024;
}

let db, srv, admin, org, plan;
const timings = [];

async function memberCount() { return (await admin.get('/members?size=1')).body.total; }

// Send, time, and check the common promises: 4xx, JSON {error, field}, fast.
async function hostile(label, send, status) {
  const t0 = performance.now();
  const r = await send();
  const ms = performance.now() - t0;
  timings.push(`${label}: ${r.status} in ${ms.toFixed(0)} ms`);
  assert.equal(r.status, status, `${label}: ${JSON.stringify(r.body)}`);
  assert.equal(typeof r.body?.error, 'string', `${label}: JSON error`);
  assert.equal(typeof r.body?.field, 'string', `${label}: JSON field`);
  assert.ok(ms < CEILING_MS, `${label} took ${ms} ms`);
  return r;
}

// A raw request over a socket: fetch would refuse or rewrite some of these.
function raw(head) {
  return new Promise((resolve, reject) => {
    let data = Buffer.alloc(0);
    const s = net.connect(srv.port, '127.0.0.1', () => s.write(head));
    s.on('data', (d) => {
      data = Buffer.concat([data, d]);
      const text = data.toString('utf8');
      const i = text.indexOf('\r\n\r\n');
      const len = /content-length: (\d+)/i.exec(text);
      if (i >= 0 && len && Buffer.byteLength(text.slice(i + 4)) >= Number(len[1])) {
        s.destroy();
        let body = null;
        try { body = JSON.parse(text.slice(i + 4)); } catch { /* not JSON */ }
        resolve({ status: Number(text.split(' ')[1]), body, text });
      }
    });
    s.on('error', reject);
    s.setTimeout(CEILING_MS * 2, () => { s.destroy(); reject(new Error('no answer')); });
  });
}

before(async () => {
  db = freshDb('hostile');
  generate(db);
  srv = await startServer(db);
  admin = await loginAs(srv.base, 'admin');
  org = (await admin.get('/orgs/tree')).body[0];
  const p = await admin.post('/plans', { org_id: org.id, title: '恶意文件测试方案', starts_on: day(-30), ends_on: day(300) });
  assert.equal(p.status, 201, JSON.stringify(p.body));
  plan = p.body.id;
});
after(async () => {
  console.log('# timings\n# ' + timings.join('\n# '));
  assert.doesNotMatch(srv.stderr(), /lol|xxe|passwd|ZZZZ/, 'the log quotes no piece of the uploads');
  await srv.stop();
});

describe('hostile uploads', () => {
  const upload = (buf, p = `/members/import?org=${orgId()}`) => () => admin.req('POST', p, new Uint8Array(buf));
  const orgId = () => org.id;
  let members, rss0;
  before(async () => { members = await memberCount(); rss0 = rssMb(srv.proc.pid); });
  after(async () => {
    const rss1 = rssMb(srv.proc.pid);
    timings.push(`server RSS ${rss0.toFixed(0)} MB before the uploads, ${rss1.toFixed(0)} MB after`);
    assert.ok(rss1 - rss0 < RSS_GROWTH_MB, `RSS grew from ${rss0} to ${rss1} MB`);
    assert.equal(await memberCount(), members, 'nothing stored');
  });

  it('refuses a billion-laughs XLSX (entities nested in the shared strings) at once', async () => {
    const r = await hostile('billion laughs', upload(xlsx({ 'xl/sharedStrings.xml': LAUGHS, 'xl/worksheets/sheet1.xml': SHEET(HEADER) })), 400);
    assert.match(r.body.error, /DTD/);
    assert.equal(r.body.field, 'file');
    const t = await hostile('billion laughs, task import', upload(xlsx({ 'xl/sharedStrings.xml': LAUGHS, 'xl/worksheets/sheet1.xml': SHEET(HEADER) }),
      `/plans/${plan}/import`), 400);
    assert.match(t.body.error, /DTD/);
  });

  it('refuses a DOCTYPE in any part: external entities in the sheet, a DTD in the workbook', async () => {
    for (const what of ['file:///etc/passwd', 'http://127.0.0.1:9/x']) {
      const r = await hostile(`external entity ${what}`, upload(xlsx({ 'xl/worksheets/sheet1.xml': XXE(what) })), 400);
      assert.doesNotMatch(JSON.stringify(r.body), /root:/);
    }
    const book = WORKBOOK.replace('?>', '?><!DOCTYPE workbook SYSTEM "http://127.0.0.1:9/evil.dtd">');
    await hostile('DOCTYPE in workbook.xml', upload(xlsx({ 'xl/workbook.xml': book, 'xl/worksheets/sheet1.xml': SHEET(HEADER) })), 400);
  });

  it('refuses zip bombs: past the size cap, past the ratio, and one whose directory lies', async () => {
    const big = spaces(64);	// 1 GiB of spaces in about 1 MB
    let r = await hostile('zip bomb 1 GiB', upload(xlsx({ 'xl/worksheets/sheet1.xml': { deflated: big, size: 64 * (16 << 20) } })), 413);
    assert.match(r.body.error, /过大/);
    const mid = spaces(6);	// 96 MiB, under the cap, at about 1000:1
    r = await hostile('zip bomb ratio', upload(xlsx({ 'xl/worksheets/sheet1.xml': { deflated: mid, size: 6 * (16 << 20) } })), 400);
    assert.match(r.body.error, /压缩比/);
    r = await hostile('zip bomb lying', upload(xlsx({ 'xl/sharedStrings.xml': { deflated: big, size: 1000 } })), 400);
    assert.match(r.body.error, /大小/);
  });

  it('refuses a cell reference past column XFD (ZZZZZZZ2 overflowed an int)', async () => {
    for (const ref of ['ZZZZZZZ2', 'ZZZZZZZZZZZZZZZZ2', 'XFE2', 'A0']) {
      const sheet = SHEET(HEADER + '<row r="2">' + cell(ref, '张三') + '</row>');
      const r = await hostile(`cell ${ref}`, upload(xlsx({ 'xl/worksheets/sheet1.xml': sheet })), 400);
      assert.match(r.body.error, /单元格位置/, JSON.stringify(r.body));
    }
    const rows = SHEET(HEADER + '<row r="99999999999">' + cell('A2', '张三') + '</row>');
    await hostile('row 99999999999', upload(xlsx({ 'xl/worksheets/sheet1.xml': rows })), 400);
  });
  it('reads an .xls that trips libfreexl (found by fuzzing) in a process of its own: 400, the server unharmed', async () => {
    // freexl converts bytes past a string's end; in process this read the
    // server's stack (an ASan stack-buffer-underflow in iconv).
    const bad = fs.readFileSync(new URL('../fixtures/hostile_freexl.xls', import.meta.url));
    const before = await memberCount();
    const r = await hostile('hostile .xls', upload(bad), 400);
    assert.match(r.body.error, /xls/);
    const good = fs.readFileSync(new URL('../fixtures/roster_platform.xls', import.meta.url));
    const ok = await admin.req('POST', `/members/import?org=${orgId()}&dry_run=1&detect=1`, new Uint8Array(good));
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(await memberCount(), before);
  });
});

describe('hostile requests', () => {
  it('answers 3,000 query arguments with 400 at once', async () => {
    const q = Array.from({ length: 3000 }, () => 'a').join('&');	// 6 KB: under the URL limit
    const r = await hostile('3000 query arguments', () => raw(`GET /api/v1/members?${q} HTTP/1.1\r\nHost: x\r\n\r\n`), 400);
    assert.match(r.body.error, /查询参数过多/);
    const ok = await admin.get('/members?size=1&' + Array.from({ length: 62 }, (_, i) => `x${i}=1`).join('&'));
    assert.equal(ok.status, 200, '64 arguments are fine');
    await hostile('65 query arguments', () => admin.get('/members?size=1&' + Array.from({ length: 64 }, (_, i) => `x${i}=1`).join('&')), 400);
  });

  it('answers a request line over 8 KB with 414', async () => {
    const r = await hostile('long URL', () => admin.get('/members?q=' + 'a'.repeat(9000)), 414);
    assert.equal(r.body.field, 'url');
    const far = await raw(`GET /api/v1/members?q=${'a'.repeat(200000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    assert.equal(far.status, 414, 'past the connection memory: libmicrohttpd answers itself');
  });

  it('answers headers over 16 KB with 431', async () => {
    const r = await hostile('huge header', () => admin.req('GET', '/members?size=1', undefined, { 'X-Big': 'a'.repeat(20000) }), 431);
    assert.equal(r.body.field, 'headers');
    const many = Array.from({ length: 400 }, (_, i) => `X-H${i}: ${'v'.repeat(40)}`).join('\r\n');
    await hostile('400 headers', () => raw(`GET /api/v1/health HTTP/1.1\r\nHost: x\r\n${many}\r\n\r\n`), 431);
    const ok = await admin.req('GET', '/members?size=1', undefined, { 'X-Big': 'a'.repeat(8000) });
    assert.equal(ok.status, 200, '8 KB of headers are fine');
  });

  it('decodes the query as before: percent escapes, plus signs, bad UTF-8', async () => {
    const r = await admin.get('/members?size=1&q=' + encodeURIComponent('张'));
    assert.equal(r.status, 200);
    await hostile('bad UTF-8 in the query', () => admin.get('/members?q=%FF%FE'), 400);
  });
});
