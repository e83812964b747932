#!/usr/bin/env python3
"""bench/gen_digest.py DB [DB2] — one digest per table of a generated
database, without the columns that differ between two runs of the same seed:
two generates with the same --seed, --scale and --today, on the same engine
or one on each, must print the same lines.  With DB2, compares the two and
prints "engines agree" (exit 0) or the tables that differ (exit 1).
DB: a SQLite file, or a postgresql:// URL (read with psql).

Skipped columns, and why:
  - the clock's timestamps (created_at, updated_at, at, applied_at, …):
    generate writes --today's date with the wall clock's time of day;
  - pwhash, signin_token, *_enc, *_hash: a password hash's salt, the random
    sign-in tokens, and the ciphertexts and blind indexes made with the run's
    own key (a fresh one each run);
  - the same timestamps inside an audit record's JSON, and the key's check
    value in setting (crypto.key_check);
  - whole tables: the migrations' bookkeeping, the sessions, the idempotency
    keys and the read cache's version counters.
Values are compared as text, as SQLite writes them: NULL as empty, integers
as digits, floating-point columns (REAL / double precision) by the shortest
text that reads back as the same double (Python's repr: 2.0, 0.7), since
psql prints a double 2 where SQLite gives 2.0."""
import hashlib, re, subprocess, sys

VOLATILE = re.compile(r'^(created_at|updated_at|applied_at|at|published_at|closed_at|next_at|sent_at|signed_at|'
                      r'pwhash|signin_token|.*_enc|.*_hash)$')
SCRUB = re.compile(r'"(created_at|updated_at)":"[^"]*"')
SKIP = {'schema_migrations', 'module_migrations', 'session', 'idempotency', 'data_version', 'org_version'}
FLOAT_PG = {'real', 'double precision'}
# psql's separators: ASCII unit and record separators, which no text holds.
US, RS = '\x1f', '\x1e'


def text(v):
    if v is None:
        return ''
    return repr(v) if isinstance(v, float) else str(v)


def sqlite_tables(path):
    import sqlite3
    c = sqlite3.connect(f'file:{path}?mode=ro', uri=True)
    for (t,) in c.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name"):
        if t in SKIP:
            continue
        cols = [r[1] for r in c.execute(f"PRAGMA table_info({t})") if not VOLATILE.match(r[1])]
        yield (t, *digest(US.join(text(v) for v in r) for r in c.execute(f"SELECT {', '.join(cols)} FROM {t}")))


def digest(rows):
    rows = sorted(SCRUB.sub('', r) for r in rows if not r.startswith('crypto.key_check' + US))
    return len(rows), hashlib.md5('\n'.join(rows).encode()).hexdigest()


def psql(url, sql):
    """The rows, each a list of its fields' text (NULL empty)."""
    out = subprocess.run(['psql', url, '-XAtq', '-F', US, '-R', RS, '-c', sql], check=True,
                         capture_output=True, text=True).stdout
    # Records are separated, not ended, by RS; psql ends its output with a newline.
    return [r.split(US) for r in out[:-1].split(RS)] if out else []


def pg_tables(url):
    cols = {}
    for t, c, ty in psql(url, "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE "
                              "table_schema = 'public' ORDER BY table_name, ordinal_position"):
        if t not in SKIP and not VOLATILE.match(c):
            cols.setdefault(t, []).append((c, ty in FLOAT_PG))
    for t in sorted(cols):
        floats = [f for _, f in cols[t]]
        rows = psql(url, f"SELECT {', '.join(c for c, _ in cols[t])} FROM {t}")
        yield (t, *digest(US.join(repr(float(v)) if f and v != '' else v for v, f in zip(r, floats)) for r in rows))


def lines(db):
    return [f'{t:24} {n:10} {h}' for t, n, h in (pg_tables(db) if db.startswith('postgres') else sqlite_tables(db))]


if len(sys.argv) == 2:
    print('\n'.join(lines(sys.argv[1])))
elif len(sys.argv) == 3:
    a, b = (dict((ln.split()[0], ln) for ln in lines(db)) for db in sys.argv[1:])
    differ = sorted(t for t in a.keys() | b.keys() if a.get(t) != b.get(t))
    if not differ:
        print(f'engines agree ({len(a)} tables)')
        sys.exit(0)
    print('tables that differ:')
    for t in differ:
        print(f'  < {a.get(t, t + " (absent)")}\n  > {b.get(t, t + " (absent)")}')
    sys.exit(1)
else:
    sys.exit(__doc__)
