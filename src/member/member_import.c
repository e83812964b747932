/* member_import.c — the roster from a spreadsheet, all or nothing.
 *
 * Two threads share the work: the reader parses and checks each row and
 * seals its personal data; the writer looks the 身份证号 up among the stored
 * members and inserts (PostgreSQL: COPY, sent in large blocks).  They meet
 * in a bounded queue; the one connection is used under a lock (the reader
 * needs it only to reserve ids in blocks).  The orgs of the chosen subtree
 * are read once at the start: a query per org code cost a round trip each on
 * PostgreSQL, and every read there sends the rows copied so far.
 *
 * The header need not be the first row: the first rows are held back until
 * the one naming the most known fields is found (title rows above it are
 * skipped), and headings are matched through member_fields.c's synonyms. */
#include "member/member_io.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/date.h"
#include "core/mem.h"
#include "core/valid.h"
#include "core/setting.h"
#include "db/db.h"
#include "io/table.h"
#include "member/member.h"
#include "member/member_cols.h"
#include "org/org.h"

#define MAX_LISTED_ERRORS 500

/* A small open-addressing set of 身份证号 hashes seen in this file → row. */
struct seen {
	char (*keys)[65];
	int *rows;
	size_t cap, n;
};

static size_t seen_slot(const struct seen *s, const char *k)
{
	size_t h = 0;	/* the keys are keyed hashes in hex: their first digits are spread already */
	for (int i = 0; i < 16; i++)
		h = h << 4 | (size_t)(k[i] <= '9' ? k[i] - '0' : (k[i] | 0x20) - 'a' + 10);
	size_t i = h & (s->cap - 1);
	while (s->keys[i][0] && strcmp(s->keys[i], k) != 0)
		i = (i + 1) & (s->cap - 1);
	return i;
}

/* Row of an earlier occurrence, or 0 after recording this one. */
static int seen_add(struct seen *s, const char *k, int row)
{
	if (s->n * 2 >= s->cap) {
		struct seen big = {.cap = s->cap ? s->cap * 2 : 1024};
		big.keys = xcalloc(big.cap, sizeof *big.keys);
		big.rows = xcalloc(big.cap, sizeof *big.rows);
		for (size_t i = 0; i < s->cap; i++)
			if (s->keys[i][0]) {
				size_t j = seen_slot(&big, s->keys[i]);
				memcpy(big.keys[j], s->keys[i], 65);
				big.rows[j] = s->rows[i];
			}
		big.n = s->n;
		free(s->keys);
		free(s->rows);
		*s = big;
	}
	size_t i = seen_slot(s, k);
	if (s->keys[i][0])
		return s->rows[i];
	memcpy(s->keys[i], k, 65);
	s->rows[i] = row;
	s->n++;
	return 0;
}

/* The orgs of the chosen subtree, found by code or by name: entries in the
 * order of (status, code), chained per hash slot in that order. */
struct org_ent {
	char *code, *name;
	int64_t id;
	bool active;
	int next_code, next_name;	/* -1: the end of the chain */
};
struct org_map {
	struct org_ent *e;
	int n;
	int *code_head, *name_head;	/* cap slots each */
	size_t cap;
};

#define HEADER_SCAN 10		/* rows searched for the header */
#define PREVIEW_ROWS 5
#define MAX_FILE_COLS 64

/* A row held back while the header is looked for. */
struct held_row {
	int row;
	char **cells;
	size_t n;
};

/* One "源列=field" of a mapping override. */
struct map_entry {
	char src[128];		/* normalized heading, or "" when given by letter */
	int col;		/* by letter: the column index; else -1 */
	int field;		/* index into member_cols; -1: ignore the column */
};

/* A checked row on its way to the writer; m points into v and itself. */
struct pending {
	int row;
	char *v[MEMBER_NCOLS];
	char dates[MEMBER_NCOLS][11];
	struct member_rec m;
	struct member_sealed sealed;	/* id 0: not sealed, only to be checked */
};

#define QUEUE_CAP 1024
/* The writer waits for this many rows (or the end) and checks their 身份证号
 * in one query: on PostgreSQL each query is a round trip and sends the rows
 * copied before it. */
#define WRITE_BATCH 512
#define RESERVE_IDS 4096

struct import {
	struct db *db;
	pthread_mutex_t db_mu;		/* the connection, between reader and writer */
	const struct actor *a;
	int64_t org_id;
	bool dry_run;
	int probation_months;
	int col_of[MEMBER_NCOLS];	/* file column of each template column, -1 if absent */
	bool have_header;
	struct member_import_opts *opts;
	struct held_row held[HEADER_SCAN];
	int nheld;
	struct map_entry map[MAX_FILE_COLS];
	int nmap;
	json_t *mapping, *preview;
	int64_t rows, imported, nerrors, duplicates;	/* duplicates: the writer's own count */
	pthread_mutex_t err_mu;		/* errors and nerrors */
	json_t *errors;
	struct seen seen;
	struct org_map orgs;
	struct db_copy *copy;		/* the member rows (none in a dry run) */
	int64_t *ids;			/* RESERVE_IDS reserved ids, not yet used: ids[next_id..nids) */
	int next_id, nids;
	struct dj_error *err;
	struct dj_error dbfail;		/* the first failed query, either thread's (under err_mu) */
	int fatal;
	/* the queue */
	pthread_mutex_t q_mu;
	pthread_cond_t q_put, q_take;
	struct pending *q[QUEUE_CAP];
	size_t q_head, q_len;
	bool q_closed;
	/* Rows the writer is done with go back to the reader to be reused: memory
	 * is allocated and freed by the same thread, so the two never contend
	 * for malloc's locks. */
	struct pending *done[QUEUE_CAP + WRITE_BATCH + 1];	/* every row in existence */
	size_t ndone;
};

static int col_index_of_field(const char *field)
{
	for (int c = 0; c < MEMBER_NCOLS; c++)
		if (strcmp(member_cols[c].key, field) == 0)
			return c;
	return -1;
}

static void row_error(struct import *im, int row, int col, const char *msg)
{
	pthread_mutex_lock(&im->err_mu);
	im->nerrors++;
	if (json_array_size(im->errors) < MAX_LISTED_ERRORS)
		json_array_append_new(im->errors, json_pack("{s:i, s:s, s:s}", "row", row, "column",
							    col >= 0 ? member_cols[col].label : "", "message", msg));
	pthread_mutex_unlock(&im->err_mu);
}

/* A failed query fails the whole import with the database's error, not as a
 * row's mistake: counted as an error so the writer stops inserting. */
static void db_failed(struct import *im, const struct dj_error *e)
{
	pthread_mutex_lock(&im->err_mu);
	im->nerrors++;
	if (!im->dbfail.code) {
		im->dbfail.code = e->code ? e->code : DJ_EDB;
		memcpy(im->dbfail.field, e->field, sizeof im->dbfail.field);
		memcpy(im->dbfail.msg, e->msg, sizeof im->dbfail.msg);
	}
	pthread_mutex_unlock(&im->err_mu);
}

static bool any_error(struct import *im)
{
	pthread_mutex_lock(&im->err_mu);
	bool any = im->nerrors > 0;
	pthread_mutex_unlock(&im->err_mu);
	return any;
}

static void pending_free(struct pending *p)
{
	for (int c = 0; c < MEMBER_NCOLS; c++)
		free(p->v[c]);
	member_sealed_free(&p->sealed);
	free(p);
}

/* A clean row: one the writer gave back, or a new one. */
static struct pending *pending_new(struct import *im)
{
	pthread_mutex_lock(&im->q_mu);
	struct pending *p = im->ndone ? im->done[--im->ndone] : NULL;
	pthread_mutex_unlock(&im->q_mu);
	if (!p)
		return xcalloc(1, sizeof *p);
	for (int c = 0; c < MEMBER_NCOLS; c++)
		free(p->v[c]);
	member_sealed_free(&p->sealed);
	memset(p, 0, sizeof *p);
	return p;
}

static void pending_done(struct import *im, struct pending *const *p, size_t n)
{
	pthread_mutex_lock(&im->q_mu);
	for (size_t i = 0; i < n; i++)
		im->done[im->ndone++] = p[i];
	pthread_mutex_unlock(&im->q_mu);
}

static void queue_put(struct import *im, struct pending *p)
{
	pthread_mutex_lock(&im->q_mu);
	while (im->q_len == QUEUE_CAP)
		pthread_cond_wait(&im->q_put, &im->q_mu);
	im->q[(im->q_head + im->q_len++) % QUEUE_CAP] = p;
	if (im->q_len >= WRITE_BATCH)
		pthread_cond_signal(&im->q_take);
	pthread_mutex_unlock(&im->q_mu);
}

static void queue_close(struct import *im)
{
	pthread_mutex_lock(&im->q_mu);
	im->q_closed = true;
	pthread_cond_signal(&im->q_take);
	pthread_mutex_unlock(&im->q_mu);
}

/* Up to `max` rows into out; 0 once the queue is closed and empty. */
static size_t queue_take(struct import *im, struct pending **out, size_t max)
{
	pthread_mutex_lock(&im->q_mu);
	while (im->q_len < max && !im->q_closed)
		pthread_cond_wait(&im->q_take, &im->q_mu);
	size_t n = 0;
	while (im->q_len && n < max) {
		out[n++] = im->q[im->q_head];
		im->q_head = (im->q_head + 1) % QUEUE_CAP;
		im->q_len--;
	}
	pthread_cond_signal(&im->q_put);
	pthread_mutex_unlock(&im->q_mu);
	return n;
}

/* The writer: a 身份证号 already stored is an error; the rest is inserted
 * while the file has no error so far. */
static void write_row(struct import *im, struct pending *p, bool taken)
{
	struct dj_error e = {0};
	if (taken) {
		row_error(im, p->row, col_index_of_field("id_card"), "该身份证号已登记，如需调整请办理组织关系转接");
		im->duplicates++;
		return;
	}
	if (!p->sealed.id || any_error(im))
		return;
	/* The name's sort key is made here: parsing makes the reader the longer
	 * half, and this evens them out a little.  The writer frees what it made. */
	member_seal(&p->m, p->sealed.id, &p->sealed, SEAL_NAME_KEY);
	int rc = member_copy_sealed(im->copy, &p->m, &p->sealed, &e);
	free(p->sealed.name_key);
	p->sealed.name_key = NULL;
	if (rc == DJ_ECONFLICT)	/* SQLite, row by row: another writer took the number meanwhile */
		row_error(im, p->row, col_index_of_field("id_card"), "该身份证号已登记");
	else if (rc)
		db_failed(im, &e);
	else
		im->imported++;
}

/* Which rows' 身份证号 are registered already: one query for the batch, not
 * one per row (on PostgreSQL the inserts between go out in a pipeline). */
static int batch_taken(struct import *im, struct pending **batch, size_t n, bool *taken)
{
	struct buf sql = {0};
	db_val args[WRITE_BATCH];
	int na = 0;
	buf_puts(&sql, "SELECT id_card_hash FROM member WHERE id_card_hash IN (");
	for (size_t i = 0; i < n; i++)
		if (batch[i]->m.id_card) {
			buf_puts(&sql, na ? ", ?" : "?");
			args[na++] = DB_T(batch[i]->sealed.id_card_hash);
		}
	buf_puts(&sql, ")");
	int rc = 0;
	if (na) {
		struct dj_error e = {0};
		struct db_stmt *st = db_query(im->db, sql.data, na, args, &e);
		while (st && (rc = db_next(st)) > 0)
			for (size_t i = 0; i < n; i++)
				if (batch[i]->m.id_card &&
				    strcmp(batch[i]->sealed.id_card_hash, db_text(st, 0)) == 0)
					taken[i] = true;
		db_done(st);
		if (!st || rc < 0) {
			db_failed(im, &e);
			rc = -1;
		}
	}
	buf_free(&sql);
	return rc;
}

static void *writer(void *arg)
{
	struct import *im = arg;
	struct pending *batch[WRITE_BATCH];
	size_t n;
	while ((n = queue_take(im, batch, WRITE_BATCH)) > 0) {
		pthread_mutex_lock(&im->db_mu);
		bool taken[WRITE_BATCH] = {0};
		if (batch_taken(im, batch, n, taken) == 0)
			for (size_t i = 0; i < n; i++)
				write_row(im, batch[i], taken[i]);
		pthread_mutex_unlock(&im->db_mu);
		pending_done(im, batch, n);
	}
	return NULL;
}

static char *trim(const char *s)
{
	while (*s == ' ' || *s == '\t' || (s[0] == '\xE3' && s[1] == '\x80' && s[2] == '\x80'))
		s += *s == '\xE3' ? 3 : 1;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	while (n >= 3 && memcmp(s + n - 3, "\xE3\x80\x80", 3) == 0)
		n -= 3;
	return xstrndup(s, n);
}

/* Whether a normalized heading is among the mapping's columns. */
static bool heading_present(json_t *mapping, const char *norm)
{
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(mapping, "columns"), i, c) {
		char h[128];
		member_heading_norm(json_string_value(json_object_get(c, "header")), h, sizeof h);
		if (strcmp(h, norm) == 0)
			return true;
	}
	return false;
}

/* "A", "B", … "AA" for a 0-based column index. */
static void col_letter(int i, char out[4])
{
	if (i < 26)
		snprintf(out, 4, "%c", 'A' + i);
	else
		snprintf(out, 4, "%c%c", 'A' + i / 26 - 1, 'A' + i % 26);
}

/* Fields of the cells of one row: col_of[field] = column; override entries
 * first, then the synonyms, the most specific heading winning.  Returns how
 * many fields were found; `field_of` (may be NULL) gets each column's field. */
static int map_row(struct import *im, const char *const *cells, size_t n, int *col_of, int *field_of)
{
	int rank[MEMBER_NCOLS];
	for (int c = 0; c < MEMBER_NCOLS; c++)
		col_of[c] = -1;
	int found = 0;
	for (size_t i = 0; i < n && i < MAX_FILE_COLS; i++) {
		char h[128];
		member_heading_norm(cells[i], h, sizeof h);
		int f = -1, r = 0;
		bool overridden = false;
		for (int k = 0; k < im->nmap; k++)
			if (im->map[k].col == (int)i || (im->map[k].src[0] && strcmp(im->map[k].src, h) == 0)) {
				f = im->map[k].field;
				r = -1;
				overridden = true;
			}
		if (!overridden && h[0])
			f = member_field_of_heading(cells[i], &r);
		if (field_of)
			field_of[i] = -1;
		if (f < 0 || (col_of[f] >= 0 && rank[f] <= r))
			continue;
		if (col_of[f] < 0)
			found++;
		else if (field_of)
			field_of[col_of[f]] = -1;
		col_of[f] = (int)i;
		rank[f] = r;
		if (field_of)
			field_of[i] = f;
	}
	return found;
}

/* Parse "源列=field,…" into im->map; DJ_EINVAL with field "map" if bad. */
static int map_parse(struct import *im, const char *spec, struct dj_error *err)
{
	if (!spec || !*spec)
		return 0;
	char *copy = xstrdup(spec), *next = copy;
	int rc = 0;
	while (next && !rc) {
		/* Entries are separated by "," or "，" (a multibyte sequence: no strtok). */
		char *part = next, *comma = strchr(next, ','), *wide = strstr(next, "，");
		if (wide && (!comma || wide < comma)) {
			*wide = 0;
			next = wide + 3;
		} else if (comma) {
			*comma = 0;
			next = comma + 1;
		} else {
			next = NULL;
		}
		if (!*part)
			continue;
		char *eq = strchr(part, '=');
		if (!eq) {
			rc = dj_fail(err, DJ_EINVAL, "map", "列映射“%s”应写作 源列=字段", part);
			break;
		}
		*eq = 0;
		char *left = trim(part), *right = trim(eq + 1);
		struct map_entry *m = &im->map[im->nmap];
		m->col = -1;
		size_t ll = strlen(left);
		if (ll >= 1 && ll <= 2 && strspn(left, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == ll) {
			m->col = ll == 1 ? left[0] - 'A' : (left[0] - 'A' + 1) * 26 + left[1] - 'A';
			m->src[0] = 0;
		} else {
			member_heading_norm(left, m->src, sizeof m->src);
		}
		if (!*left)
			rc = dj_fail(err, DJ_EINVAL, "map", "列映射“=%s”缺少源列", right);
		else if (strcmp(right, "-") == 0 || strcmp(right, "ignore") == 0 || strcmp(right, "忽略") == 0 || !*right) {
			m->field = -1;
		} else {
			m->field = member_field_by_key(right);
			for (int c = 0; c < MEMBER_NCOLS && m->field < 0; c++)
				if (strcmp(member_cols[c].label, right) == 0)
					m->field = c;
			if (m->field < 0)
				rc = dj_fail(err, DJ_EINVAL, "map", "未知字段“%s”（字段列表见 dangjian import members --fields）",
					     right);
		}
		if (!rc && ((!m->src[0] && m->col < 0) || m->col >= MAX_FILE_COLS))
			rc = dj_fail(err, DJ_EINVAL, "map", "列映射中的源列“%s”无效", left);
		if (!rc && im->nmap + 1 >= MAX_FILE_COLS)
			rc = dj_fail(err, DJ_EINVAL, "map", "列映射过多");
		if (!rc)
			im->nmap++;
		free(left);
		free(right);
	}
	free(copy);
	return rc;
}

/* The header found in `cells`: sets col_of and builds the mapping JSON. */
static void use_header(struct import *im, int row, const char *const *cells, size_t n)
{
	int field_of[MAX_FILE_COLS];
	map_row(im, cells, n, im->col_of, field_of);
	json_t *cols = json_array(), *ignored = json_array(), *missing = json_array();
	for (size_t i = 0; i < n && i < MAX_FILE_COLS; i++) {
		char letter[4];
		col_letter((int)i, letter);
		int f = field_of[i];
		if (f < 0 && !cells[i][0])
			continue;
		json_array_append_new(cols, json_pack("{s:s, s:s, s:s?, s:s?}", "column", letter, "header", cells[i], "field",
						      f >= 0 ? member_cols[f].key : NULL, "label",
						      f >= 0 ? member_cols[f].label : NULL));
		if (f < 0)
			json_array_append_new(ignored, json_pack("{s:s, s:s}", "column", letter, "header", cells[i]));
	}
	/* A column named by letter beyond the header's last cell (no heading). */
	for (int k = 0; k < im->nmap; k++)
		if (im->map[k].col >= (int)n && im->map[k].field >= 0 && im->col_of[im->map[k].field] < 0) {
			char letter[4];
			col_letter(im->map[k].col, letter);
			im->col_of[im->map[k].field] = im->map[k].col;
			json_array_append_new(cols, json_pack("{s:s, s:s, s:s, s:s}", "column", letter, "header", "", "field",
							      member_cols[im->map[k].field].key, "label",
							      member_cols[im->map[k].field].label));
		}
	for (int c = 0; c < MEMBER_NCOLS; c++)
		if (member_cols[c].required && im->col_of[c] < 0) {
			json_array_append_new(missing, json_string(member_cols[c].key));
			if (!im->opts->detect) {
				char msg[160];
				snprintf(msg, sizeof msg, "缺少必填列“%s”（可改列名，或用列映射指定）", member_cols[c].label);
				row_error(im, row, c, msg);
				im->fatal = 1;
			}
		}
	im->preview = json_array();
	im->mapping = json_pack("{s:i, s:o, s:o, s:o, s:O}", "header_row", row, "columns", cols, "ignored", ignored,
				"missing", missing, "preview", im->preview);
	im->have_header = true;
}

/* Hold `row` back; once HEADER_SCAN rows are held (or at the end, last),
 * pick the header: the row naming the most fields, 姓名 among them, and at
 * least two; the earliest of equals.  Rows after it are then read as data. */
static int data_row(struct import *im, int row, const char *const *cells, size_t n);

static int find_header(struct import *im, bool last)
{
	if (!last && im->nheld < HEADER_SCAN)
		return 0;
	int best = -1, best_score = 1;
	for (int i = 0; i < im->nheld; i++) {
		int col_of[MEMBER_NCOLS];
		int score = map_row(im, (const char *const *)im->held[i].cells, im->held[i].n, col_of, NULL);
		if (col_of[member_field_by_key("name")] >= 0 && score > best_score) {
			best = i;
			best_score = score;
		}
	}
	int rc = 0;
	if (best < 0) {
		if (im->nheld) {
			row_error(im, im->held[0].row, -1,
				  "未找到表头：前10行中没有一行同时含“姓名”和其他可识别的列名（可用列映射指定）");
			im->fatal = 1;
		}
		rc = 1;
	} else {
		use_header(im, im->held[best].row, (const char *const *)im->held[best].cells, im->held[best].n);
		rc = im->fatal;
		for (int i = best + 1; i < im->nheld && !rc; i++)
			rc = data_row(im, im->held[i].row, (const char *const *)im->held[i].cells, im->held[i].n);
	}
	for (int i = 0; i < im->nheld; i++) {
		for (size_t c = 0; c < im->held[i].n; c++)
			free(im->held[i].cells[c]);
		free(im->held[i].cells);
	}
	im->nheld = 0;
	return rc;
}

static size_t org_hash(const char *k, size_t cap)
{
	size_t h = 5381;
	for (const unsigned char *p = (const unsigned char *)k; *p; p++)
		h = h * 33 + *p;
	return h & (cap - 1);
}

/* Every org of the subtree, by (status, code): active ones first, so a name
 * that an org closed long ago once had does not hide today's. */
static int org_map_load(struct import *im, struct dj_error *err)
{
	json_t *rows = db_rows(im->db,
			       "SELECT o.id, o.code, o.name, o.status FROM org o " ORG_JOIN_UP("c", "o.id")
			       " WHERE c.ancestor = ? ORDER BY o.status, o.code",
			       DB_ARGS(DB_I(im->org_id)), err);
	if (!rows)
		return err->code;
	struct org_map *m = &im->orgs;
	m->n = (int)json_array_size(rows);
	m->e = xcalloc((size_t)m->n + 1, sizeof *m->e);
	for (m->cap = 16; m->cap < (size_t)m->n * 2; m->cap *= 2)
		;
	m->code_head = xcalloc(m->cap, sizeof *m->code_head);
	m->name_head = xcalloc(m->cap, sizeof *m->name_head);
	for (size_t i = 0; i < m->cap; i++)
		m->code_head[i] = m->name_head[i] = -1;
	/* From the last to the first: each chain keeps the query's order. */
	for (int i = m->n - 1; i >= 0; i--) {
		json_t *r = json_array_get(rows, (size_t)i);
		struct org_ent *o = &m->e[i];
		o->id = json_integer_value(json_object_get(r, "id"));
		o->code = xstrdup(json_string_value(json_object_get(r, "code")));
		o->name = xstrdup(json_string_value(json_object_get(r, "name")));
		o->active = org_row_status(r) == ORG_ACTIVE;
		size_t hc = org_hash(o->code, m->cap), hn = org_hash(o->name, m->cap);
		o->next_code = m->code_head[hc];
		m->code_head[hc] = i;
		o->next_name = m->name_head[hn];
		m->name_head[hn] = i;
	}
	json_decref(rows);
	return 0;
}

static void org_map_free(struct org_map *m)
{
	for (int i = 0; i < m->n; i++) {
		free(m->e[i].code);
		free(m->e[i].name);
	}
	free(m->e);
	free(m->code_head);
	free(m->name_head);
}

/* The org of a row, by code or else by name, within the chosen subtree; 0
 * with a message in msg (cap 512) if none, or if the name fits several. */
static int64_t org_of_row(struct import *im, const char *code, char *msg)
{
	const struct org_map *m = &im->orgs;
	const struct org_ent *o = NULL;
	for (int i = m->code_head[org_hash(code, m->cap)]; i >= 0 && !o; i = m->e[i].next_code)
		if (strcmp(m->e[i].code, code) == 0)
			o = &m->e[i];
	if (!o) {
		size_t nactive = 0;
		const struct org_ent *named[16];
		for (int i = m->name_head[org_hash(code, m->cap)]; i >= 0; i = m->e[i].next_name)
			if (strcmp(m->e[i].name, code) == 0) {
				if (!o)
					o = &m->e[i];
				if (m->e[i].active && nactive < sizeof named / sizeof named[0])
					named[nactive++] = &m->e[i];
				else if (m->e[i].active)
					nactive++;
			}
		if (nactive > 1) {
			int len = snprintf(msg, 512, "党组织名称“%s”对应%zu个党组织（编码：", code, nactive);
			for (size_t i = 0; i < nactive && i < sizeof named / sizeof named[0] && len < 480; i++)
				len += snprintf(msg + len, (size_t)(512 - len), "%s%s", i ? "、" : "", named[i]->code);
			snprintf(msg + len, (size_t)(512 - (len < 512 ? len : 511)), "），请改填编码");
			return 0;
		}
	}
	if (!o) {
		snprintf(msg, 512, "党组织编码或名称不存在，或不在所选党组织之下");
		return 0;
	}
	if (!o->active) {
		snprintf(msg, 512, "该党组织已撤销或撤并");
		return 0;
	}
	return o->id;
}

static int on_row(void *ud, int row, const char *const *cells, size_t n)
{
	struct import *im = ud;
	if (im->have_header)
		return data_row(im, row, cells, n);
	struct held_row *h = &im->held[im->nheld++];
	h->row = row;
	h->n = n;
	h->cells = xcalloc(n ? n : 1, sizeof *h->cells);
	for (size_t i = 0; i < n; i++)
		h->cells[i] = xstrdup(cells[i]);
	return find_header(im, false);
}

static int data_row(struct import *im, int row, const char *const *cells, size_t n)
{
	if (json_array_size(im->preview) < PREVIEW_ROWS) {
		json_t *r = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(r, json_string(cells[i]));
		json_array_append_new(im->preview, r);
	}
	if (im->opts->detect)
		return json_array_size(im->preview) >= PREVIEW_ROWS;
	im->rows++;
	struct pending *p = pending_new(im);
	p->row = row;
	char **v = p->v;
	for (int c = 0; c < MEMBER_NCOLS; c++)
		v[c] = trim(im->col_of[c] >= 0 && (size_t)im->col_of[c] < n ? cells[im->col_of[c]] : "");
	struct member_rec *m = &p->m;
	char (*dates)[11] = p->dates;
	int bad = 0;
	char birth_month[8] = "";
	const int birth_col = member_field_by_key("birth_date"), id_col = member_field_by_key("id_card");
	m->org_id = im->org_id;
	for (int c = 0; c < MEMBER_NCOLS && !bad; c++) {
		const char *key = member_cols[c].key, *s = v[c];
		if (!*s) {
			if (member_cols[c].required) {
				char msg[96];
				snprintf(msg, sizeof msg, "请填写%s", member_cols[c].label);
				row_error(im, row, c, msg);
				bad = 1;
			}
			continue;
		}
		const char **slot = NULL;
		if (c == birth_col && !table_date_cell(s, dates[c]) && table_month_cell(s, birth_month)) {
			/* 出生年月 to the month only: the day comes from the 身份证号. */
			if (!v[id_col][0]) {
				row_error(im, row, c, "出生年月只填到月份时须填写身份证号（出生日期取自身份证号）");
				bad = 1;
			}
			dates[c][0] = 0;
			continue;
		}
		if (member_cols[c].is_date) {
			if (!table_date_cell(s, dates[c])) {
				row_error(im, row, c, "日期格式无效（例：2020-07-01）");
				bad = 1;
				continue;
			}
			s = dates[c];
		}
		if (strcmp(key, "name") == 0) slot = &m->name;
		else if (strcmp(key, "ethnicity") == 0) slot = &m->ethnicity;
		else if (strcmp(key, "id_card") == 0) slot = &m->id_card;
		else if (strcmp(key, "birth_date") == 0) slot = &m->birth_date;
		else if (strcmp(key, "phone") == 0) slot = &m->phone;
		else if (strcmp(key, "education") == 0) slot = &m->education;
		else if (strcmp(key, "join_date") == 0) slot = &m->join_date;
		else if (strcmp(key, "full_date") == 0) slot = &m->full_date;
		else if (strcmp(key, "position") == 0) slot = &m->position;
		else if (strcmp(key, "mobile_place") == 0) slot = &m->mobile_place;
		else if (strcmp(key, "mobile_since") == 0) slot = &m->mobile_since;
		else if (strcmp(key, "gender") == 0) {
			if (strcmp(s, "男") == 0 || strcmp(s, "男性") == 0) m->gender = "male";
			else if (strcmp(s, "女") == 0 || strcmp(s, "女性") == 0) m->gender = "female";
			else { row_error(im, row, c, "性别应为“男”或“女”"); bad = 1; }
		} else if (strcmp(key, "status") == 0) {
			if (strcmp(s, "正式党员") == 0 || strcmp(s, "正式") == 0 || strcmp(s, "正") == 0) m->status = member_status_name(MEMBER_FULL);
			else if (strcmp(s, "预备党员") == 0 || strcmp(s, "预备") == 0 || strcmp(s, "预") == 0)
				m->status = member_status_name(MEMBER_PROBATIONARY);
			else { row_error(im, row, c, "党员类别应为“正式党员”或“预备党员”"); bad = 1; }
		} else if (strcmp(key, "is_mobile") == 0) {
			if (strcmp(s, "是") == 0 || strcmp(s, "1") == 0 || strcmp(s, "TRUE") == 0) m->is_mobile = true;
			else if (strcmp(s, "否") != 0 && strcmp(s, "0") != 0 && strcmp(s, "FALSE") != 0) {
				row_error(im, row, c, "是否流动党员应为“是”或“否”");
				bad = 1;
			}
		} else if (strcmp(key, "org_code") == 0) {
			char msg[512];
			m->org_id = org_of_row(im, s, msg);
			if (!m->org_id) { row_error(im, row, c, msg); bad = 1; }
		}
		if (slot) {
			if (member_cols[c].max_chars && utf8_chars(s) > (size_t)member_cols[c].max_chars) {
				char msg[96];
				snprintf(msg, sizeof msg, "%s不能超过%d个字", member_cols[c].label, member_cols[c].max_chars);
				row_error(im, row, c, msg);
				bad = 1;
			}
			*slot = s;
		}
	}
	const char *today = im->a->today;
	for (int c = 0; c < MEMBER_NCOLS && !bad; c++)
		if (member_cols[c].is_date && v[c][0] && strcmp(dates[c], today) > 0) {
			row_error(im, row, c, "日期不能晚于今天");
			bad = 1;
		}
	struct dj_error e = {0};
	if (!bad && member_check_rules(m, im->probation_months, &e)) {
		row_error(im, row, col_index_of_field(e.field), e.msg);
		bad = 1;
	}
	if (!bad && birth_month[0] && strncmp(m->birth_date, birth_month, 7) != 0) {
		char msg[96];
		snprintf(msg, sizeof msg, "出生年月与身份证号不符（身份证号为%s）", m->birth_date);
		row_error(im, row, birth_col, msg);
		bad = 1;
	}
	if (!bad && m->id_card) {
		member_id_card_hash(m->id_card, p->sealed.id_card_hash);
		int first = seen_add(&im->seen, p->sealed.id_card_hash, row);
		if (first) {
			char msg[96];
			snprintf(msg, sizeof msg, "身份证号与第%d行重复", first);
			row_error(im, row, col_index_of_field("id_card"), msg);
			bad = 1;
		}
	}
	if (bad) {
		pending_done(im, &p, 1);
		return 0;
	}
	/* After the first bad row nothing more is written: the rest is only checked. */
	if (!im->dry_run && !any_error(im)) {
		if (im->next_id == im->nids) {
			im->next_id = im->nids = 0;
			pthread_mutex_lock(&im->db_mu);
			if (db_reserve_ids(im->db, "member", RESERVE_IDS, im->ids, &e) == 0)
				im->nids = RESERVE_IDS;
			pthread_mutex_unlock(&im->db_mu);
		}
		if (im->nids)
			member_seal(m, im->ids[im->next_id++], &p->sealed, SEAL_HASHES | SEAL_ID_CARD | SEAL_PHONE);
		else
			row_error(im, row, -1, e.msg);
	}
	queue_put(im, p);
	return 0;
}

json_t *member_import_fields(void)
{
	json_t *out = json_array();
	for (int c = 0; c < MEMBER_NCOLS; c++) {
		json_t *names = json_array();
		for (const struct member_synonym *s = member_synonyms; s->heading; s++)
			if (strcmp(s->key, member_cols[c].key) == 0)
				json_array_append_new(names, json_string(s->heading));
		json_array_append_new(out, json_pack("{s:s, s:s, s:b, s:o}", "field", member_cols[c].key, "label",
						     member_cols[c].label, "required", member_cols[c].required,
						     "headings", names));
	}
	return out;
}

int member_import(struct db *db, const struct actor *a, int64_t org_id, const void *data, size_t len,
		  const char *filename, bool dry_run, json_t **result, struct dj_error *err)
{
	struct member_import_opts o = {.filename = filename, .dry_run = dry_run};
	int rc = member_import_ex(db, a, org_id, data, len, &o, result, err);
	json_decref(o.mapping);
	return rc;
}

/* What the import holds besides its results; a copy still open has no rows
 * left to send (they went out, or the rollback dropped them). */
static void import_free(struct import *im)
{
	struct dj_error e = {0};
	db_copy_end(im->copy, &e);
	dj_error_clear(&e);
	im->copy = NULL;
	org_map_free(&im->orgs);
	memset(&im->orgs, 0, sizeof im->orgs);
	free(im->ids);
	im->ids = NULL;
	free(im->seen.keys);
	free(im->seen.rows);
	im->seen.keys = NULL;
	im->seen.rows = NULL;
}

int member_import_ex(struct db *db, const struct actor *a, int64_t org_id, const void *data, size_t len,
		     struct member_import_opts *o, json_t **result, struct dj_error *err)
{
	int rc;
	*result = NULL;
	o->mapping = NULL;
	const char *filename = o->filename;
	bool dry_run = o->dry_run || o->detect;
	if ((rc = scope_can_manage(a, err)))
		return rc;
	if (scope_org(db, a, org_id, err)) {
		strcpy(err->field, "org");
		return err->code;
	}
	if (len == 0)
		return dj_fail(err, DJ_EINVAL, "file", "文件为空");
	int64_t months;
	if ((rc = setting_get_int(db, "rule.probation_months", 12, &months, err)))
		return rc;
	struct import im = {.db = db, .a = a, .org_id = org_id, .dry_run = dry_run, .errors = json_array(), .err = err,
			    .opts = o, .probation_months = (int)months};
	if ((rc = map_parse(&im, o->map, err)) || (rc = db_begin(db, err))) {
		json_decref(im.errors);
		return rc;
	}
	db_bulk(db, true);
	if ((rc = org_map_load(&im, err)) || (!dry_run && (rc = member_copy_begin(db, &im.copy, err)))) {
		db_rollback(db);
		db_bulk(db, false);
		org_map_free(&im.orgs);
		json_decref(im.errors);
		return rc;
	}
	im.ids = xcalloc(RESERVE_IDS, sizeof *im.ids);
	pthread_mutex_init(&im.db_mu, NULL);
	pthread_mutex_init(&im.err_mu, NULL);
	pthread_mutex_init(&im.q_mu, NULL);
	pthread_cond_init(&im.q_put, NULL);
	pthread_cond_init(&im.q_take, NULL);
	pthread_t w;
	pthread_create(&w, NULL, writer, &im);
	pthread_setname_np(w, "dj-import-write");
	rc = table_read(data, len, on_row, &im, err);
	if (!rc && !im.have_header)
		find_header(&im, true);
	else
		for (int i = 0; i < im.nheld; i++) {	/* the reader failed while rows were held */
			for (size_t c = 0; c < im.held[i].n; c++)
				free(im.held[i].cells[c]);
			free(im.held[i].cells);
		}
	queue_close(&im);
	pthread_join(w, NULL);
	for (size_t i = 0; i < im.ndone; i++)
		pending_free(im.done[i]);
	pthread_mutex_destroy(&im.db_mu);
	pthread_mutex_destroy(&im.err_mu);
	pthread_mutex_destroy(&im.q_mu);
	pthread_cond_destroy(&im.q_put);
	pthread_cond_destroy(&im.q_take);
	table_errors_sort(im.errors);	/* both threads report as they go */
	if (!rc && !im.have_header && !im.nerrors)
		rc = dj_fail(err, DJ_EINVAL, "file", "文件中没有数据");
	for (int k = 0; k < im.nmap && !rc && im.have_header; k++)
		if (im.map[k].src[0] && !heading_present(im.mapping, im.map[k].src))
			rc = dj_fail(err, DJ_EINVAL, "map", "列映射中的列“%s”不在表头中", im.map[k].src);
	if (!rc && o->detect) {
		db_rollback(db);
		import_free(&im);
		db_bulk(db, false);
		o->mapping = im.mapping;
		/* The fields come along, for the wizard's choice per column. */
		*result = json_pack("{s:b, s:b, s:O, s:o}", "ok", 1, "detect", 1, "mapping", im.mapping, "fields",
				    member_import_fields());
		json_decref(im.errors);
		json_decref(im.preview);
		return 0;
	}
	if (!rc && im.dbfail.code)
		rc = dj_fail(err, im.dbfail.code, im.dbfail.field, "%s", im.dbfail.msg);
	if (!rc && im.nerrors) {
		rc = dj_fail(err, DJ_EINVAL, "file", "导入文件有%lld处错误，未导入任何记录，请修改后重新导入",
			     (long long)im.nerrors);
		err->details = json_incref(im.errors);
	}
	if (!rc && im.rows == 0)
		rc = dj_fail(err, DJ_EINVAL, "file", "文件中只有表头，没有党员数据");
	/* The rows copied so far go out now: their errors are the import's. */
	if (!rc && !dry_run) {
		rc = db_copy_end(im.copy, err);
		im.copy = NULL;
	}
	if (!rc && !dry_run) {
		json_t *what = json_pack("{s:s?, s:I, s:I}", "file", filename, "rows", (json_int_t)im.rows, "imported",
					 (json_int_t)im.imported);
		rc = audit_write(db, a, "member.import", "org", org_id, NULL, what, err);
		json_decref(what);
	}
	if (dry_run && !rc) {
		db_rollback(db);
	} else {
		rc = db_end(db, rc, err);
	}
	import_free(&im);	/* after the rollback, which dropped any rows not sent */
	db_bulk(db, false);
	/* "already registered" tells that a number exists: recorded even though the import is not */
	struct dj_error de = {0};
	if (im.duplicates && member_duplicates_audit(db, a, org_id, im.duplicates, &de) && !rc)
		rc = dj_fail(err, de.code, de.field, "%s", de.msg);
	dj_error_clear(&de);
	if (!rc)
		*result = json_pack("{s:b, s:I, s:I, s:b, s:O?}", "ok", 1, "rows", (json_int_t)im.rows, "imported",
				    (json_int_t)(dry_run ? 0 : im.imported), "dry_run", dry_run, "mapping", im.mapping);
	o->mapping = im.mapping;
	json_decref(im.preview);
	json_decref(im.errors);
	return rc;
}
