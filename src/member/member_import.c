/* member_import.c — the roster from a spreadsheet, all or nothing.
 *
 * Two threads share the work: the reader parses and checks each row and
 * seals its personal data; the writer looks the 身份证号 up among the stored
 * members and inserts.  They meet in a bounded queue; the one connection is
 * used under a lock (the reader needs it only to resolve org codes and to
 * reserve ids in blocks). */
#include "member/member_io.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/date.h"
#include "core/mem.h"
#include "core/valid.h"
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

struct code_cache {
	char code[200];
	int64_t id;
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
#define WRITE_BATCH 64

struct import {
	struct db *db;
	pthread_mutex_t db_mu;		/* the connection, between reader and writer */
	const struct actor *a;
	int64_t org_id;
	bool dry_run;
	int probation_months;
	int col_of[MEMBER_NCOLS];	/* file column of each template column, -1 if absent */
	bool have_header;
	int64_t rows, imported, nerrors, duplicates;	/* duplicates: the writer's own count */
	pthread_mutex_t err_mu;		/* errors and nerrors */
	json_t *errors;
	struct seen seen;
	struct code_cache codes[64];
	int64_t ids[512];		/* reserved ids not yet used: ids[next_id..nids) */
	int next_id, nids;
	struct dj_error *err;
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
	while (!im->q_len && !im->q_closed)
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
static void write_row(struct import *im, struct pending *p)
{
	struct dj_error e = {0};
	int64_t one;
	if (p->m.id_card && db_int1(im->db, &one, "SELECT 1 FROM member WHERE id_card_hash = ?", DB_ARGS(DB_T(p->sealed.id_card_hash)),
		    NULL) == 0) {
		row_error(im, p->row, col_index_of_field("id_card"), "该身份证号已登记，如需调整请办理组织关系转接");
		im->duplicates++;
		return;
	}
	if (!p->sealed.id || any_error(im))
		return;
	/* The name's sort key is made here: parsing makes the reader the longer
	 * half, and this evens them out a little.  The writer frees what it made. */
	member_seal(&p->m, p->sealed.id, &p->sealed, SEAL_NAME_KEY);
	int rc = member_insert_sealed(im->db, &p->m, &p->sealed, &e);
	free(p->sealed.name_key);
	p->sealed.name_key = NULL;
	if (rc)
		row_error(im, p->row, col_index_of_field(e.field), e.msg);
	else
		im->imported++;
}

static void *writer(void *arg)
{
	struct import *im = arg;
	struct pending *batch[WRITE_BATCH];
	size_t n;
	while ((n = queue_take(im, batch, WRITE_BATCH)) > 0) {
		pthread_mutex_lock(&im->db_mu);
		for (size_t i = 0; i < n; i++)
			write_row(im, batch[i]);
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

static void map_header(struct import *im, const char *const *cells, size_t n)
{
	for (int c = 0; c < MEMBER_NCOLS; c++)
		im->col_of[c] = -1;
	for (size_t i = 0; i < n; i++) {
		char *h = trim(cells[i]);
		size_t len = strlen(h);
		if (len && h[len - 1] == '*')
			h[len - 1] = 0;
		for (int c = 0; c < MEMBER_NCOLS; c++)
			if (strcmp(h, member_cols[c].label) == 0 && im->col_of[c] < 0)
				im->col_of[c] = (int)i;
		free(h);
	}
}

static int64_t org_by_code(struct import *im, const char *code, const char **msg)
{
	unsigned h = 0;
	for (const char *p = code; *p; p++)
		h = h * 31 + (unsigned char)*p;
	struct code_cache *cc = &im->codes[h % 64];
	if (cc->id && strcmp(cc->code, code) == 0)
		return cc->id;
	pthread_mutex_lock(&im->db_mu);
	json_t *o = db_row(im->db, "SELECT id, status FROM org WHERE code = ?", DB_ARGS(DB_T(code)), NULL);
	int64_t id = o ? json_integer_value(json_object_get(o, "id")) : 0;
	bool active = o && strcmp(json_string_value(json_object_get(o, "status")), "active") == 0;
	json_decref(o);
	bool within = id && org_is_within(im->db, im->org_id, id);
	pthread_mutex_unlock(&im->db_mu);
	if (!within) {
		*msg = "党组织编码不存在，或不在所选党组织之下";
		return 0;
	}
	if (!active) {
		*msg = "该党组织已撤销或撤并";
		return 0;
	}
	snprintf(cc->code, sizeof cc->code, "%s", code);
	cc->id = id;
	return id;
}

static int on_row(void *ud, int row, const char *const *cells, size_t n)
{
	struct import *im = ud;
	if (!im->have_header) {
		map_header(im, cells, n);
		im->have_header = true;
		for (int c = 0; c < MEMBER_NCOLS; c++)
			if (member_cols[c].required && im->col_of[c] < 0) {
				char msg[128];
				snprintf(msg, sizeof msg, "缺少必填列“%s”（请使用导入模板）", member_cols[c].label);
				row_error(im, row, c, msg);
				im->fatal = 1;
			}
		return im->fatal;
	}
	im->rows++;
	struct pending *p = pending_new(im);
	p->row = row;
	char **v = p->v;
	for (int c = 0; c < MEMBER_NCOLS; c++)
		v[c] = trim(im->col_of[c] >= 0 && (size_t)im->col_of[c] < n ? cells[im->col_of[c]] : "");
	struct member_rec *m = &p->m;
	char (*dates)[11] = p->dates;
	int bad = 0;
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
			if (strcmp(s, "男") == 0) m->gender = "male";
			else if (strcmp(s, "女") == 0) m->gender = "female";
			else { row_error(im, row, c, "性别应为“男”或“女”"); bad = 1; }
		} else if (strcmp(key, "status") == 0) {
			if (strcmp(s, "正式党员") == 0 || strcmp(s, "正式") == 0) m->status = "full";
			else if (strcmp(s, "预备党员") == 0 || strcmp(s, "预备") == 0) m->status = "probationary";
			else { row_error(im, row, c, "党员类别应为“正式党员”或“预备党员”"); bad = 1; }
		} else if (strcmp(key, "is_mobile") == 0) {
			if (strcmp(s, "是") == 0 || strcmp(s, "1") == 0 || strcmp(s, "TRUE") == 0) m->is_mobile = true;
			else if (strcmp(s, "否") != 0 && strcmp(s, "0") != 0 && strcmp(s, "FALSE") != 0) {
				row_error(im, row, c, "是否流动党员应为“是”或“否”");
				bad = 1;
			}
		} else if (strcmp(key, "org_code") == 0) {
			const char *msg = NULL;
			m->org_id = org_by_code(im, s, &msg);
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
	char today[11];
	date_today(today);
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
			if (db_reserve_ids(im->db, "member", (int)(sizeof im->ids / sizeof im->ids[0]), im->ids, &e) == 0)
				im->nids = (int)(sizeof im->ids / sizeof im->ids[0]);
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

int member_import(struct db *db, const struct actor *a, int64_t org_id, const void *data, size_t len,
		  const char *filename, bool dry_run, json_t **result, struct dj_error *err)
{
	int rc;
	*result = NULL;
	if ((rc = scope_can_manage(a, err)))
		return rc;
	if (scope_org(db, a, org_id, err)) {
		strcpy(err->field, "org");
		return err->code;
	}
	if (len == 0)
		return dj_fail(err, DJ_EINVAL, "file", "文件为空");
	struct import im = {.db = db, .a = a, .org_id = org_id, .dry_run = dry_run, .errors = json_array(), .err = err,
			    .probation_months = (int)setting_int(db, "rule.probation_months", 12)};
	if ((rc = db_begin(db, err))) {
		json_decref(im.errors);
		return rc;
	}
	db_bulk(db, true);
	pthread_mutex_init(&im.db_mu, NULL);
	pthread_mutex_init(&im.err_mu, NULL);
	pthread_mutex_init(&im.q_mu, NULL);
	pthread_cond_init(&im.q_put, NULL);
	pthread_cond_init(&im.q_take, NULL);
	pthread_t w;
	pthread_create(&w, NULL, writer, &im);
	pthread_setname_np(w, "dj-import-write");
	rc = table_read(data, len, on_row, &im, err);
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
	if (!rc && !im.have_header)
		rc = dj_fail(err, DJ_EINVAL, "file", "文件中没有数据");
	if (!rc && im.nerrors) {
		rc = dj_fail(err, DJ_EINVAL, "file", "导入文件有%lld处错误，未导入任何记录，请修改后重新导入",
			     (long long)im.nerrors);
		err->details = json_incref(im.errors);
	}
	if (!rc && im.rows == 0)
		rc = dj_fail(err, DJ_EINVAL, "file", "文件中只有表头，没有党员数据");
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
	db_bulk(db, false);
	/* "already registered" tells that a number exists: recorded even though the import is not */
	struct dj_error de = {0};
	if (im.duplicates && member_duplicates_audit(db, a, org_id, im.duplicates, &de) && !rc)
		rc = dj_fail(err, de.code, de.field, "%s", de.msg);
	dj_error_clear(&de);
	if (!rc)
		*result = json_pack("{s:b, s:I, s:I, s:b}", "ok", 1, "rows", (json_int_t)im.rows, "imported",
				    (json_int_t)(dry_run ? 0 : im.imported), "dry_run", dry_run);
	json_decref(im.errors);
	free(im.seen.keys);
	free(im.seen.rows);
	return rc;
}
