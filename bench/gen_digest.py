#!/usr/bin/env python3
"""bench/gen_digest.py DB — one digest per table of a generated database,
without the columns that differ between two runs of the same seed (the
clock's timestamps, the key's hashes and ciphertexts, password hashes):
two generates with the same --seed and --today must print the same lines.
DB: a SQLite file, or a postgresql:// URL (read with psql)."""
import hashlib, re, subprocess, sys

VOLATILE = re.compile(r'^(created_at|updated_at|applied_at|at|published_at|closed_at|next_at|sent_at|signed_at|'
                      r'pwhash|signin_token|.*_enc|.*_hash)$')
# Timestamps written into an audit record's JSON, and the key's check value.
SCRUB = re.compile(r'"(created_at|updated_at)":"[^"]*"')
SKIP = {'schema_migrations', 'module_migrations', 'session', 'idempotency', 'data_version', 'org_version'}


def sqlite_tables(path):
    import sqlite3
    c = sqlite3.connect(path)
    for (t,) in c.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name"):
        if t in SKIP:
            continue
        cols = [r[1] for r in c.execute(f"PRAGMA table_info({t})") if not VOLATILE.match(r[1])]
        yield (t, *digest('\t'.join('' if v is None else str(v) for v in r)
                          for r in c.execute(f"SELECT {', '.join(cols)} FROM {t}")))


def digest(rows):
    rows = sorted(SCRUB.sub('', r) for r in rows if not r.startswith('crypto.key_check\t'))
    return len(rows), hashlib.md5('\n'.join(rows).encode()).hexdigest()


def psql(url, sql):
    return subprocess.run(['psql', url, '-XAtqc', sql], check=True, capture_output=True, text=True).stdout


def pg_tables(url):
    cols = {}
    for line in psql(url, "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = "
                          "'public' ORDER BY table_name, ordinal_position").splitlines():
        t, c = line.split('|')
        if t not in SKIP and not VOLATILE.match(c):
            cols.setdefault(t, []).append(c)
    for t in sorted(cols):
        # The same text as SQLite's: NULL empty, booleans and numbers as digits.
        sel = ', '.join(f"coalesce({c}::text, '')" for c in cols[t])
        out = psql(url, f"SELECT array_to_string(ARRAY[{sel}], E'\\t') FROM {t}")
        yield (t, *digest(out.split('\n')[:-1] if out else []))


db = sys.argv[1]
for t, n, h in (pg_tables(db) if db.startswith('postgres') else sqlite_tables(db)):
    print(f'{t:24} {n:10} {h}')
