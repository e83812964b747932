/* dues_rate.c — the categories and brackets of 党费 (tables dues_category
 * and dues_bracket, configurable), the amount of a base, money as users
 * write it, and the payment methods (dues.h). */
#include "dues/dues.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/valid.h"
#include "db/db.h"

int dues_rules_load(struct db *db, struct dues_rules *r, struct dj_error *err)
{
	memset(r, 0, sizeof *r);
	json_t *cats = db_rows(db, "SELECT code, label, mode, fixed_fen FROM dues_category ORDER BY sort, code", DB_NOARGS,
			       err);
	if (!cats)
		return err->code ? err->code : DJ_EDB;
	json_t *brs = db_rows(db,
			      "SELECT category, upto_fen, rate_bp FROM dues_bracket ORDER BY category,"
			      " CASE WHEN upto_fen IS NULL THEN 1 ELSE 0 END, upto_fen",
			      DB_NOARGS, err);
	if (!brs) {
		json_decref(cats);
		return err->code ? err->code : DJ_EDB;
	}
	size_t i, j;
	json_t *c, *b;
	json_array_foreach(cats, i, c) {
		if (r->n == DUES_MAX_CATEGORIES)
			break;
		struct dues_category *k = &r->c[r->n++];
		snprintf(k->code, sizeof k->code, "%s", json_string_value(json_object_get(c, "code")));
		snprintf(k->label, sizeof k->label, "%s", json_string_value(json_object_get(c, "label")));
		k->fixed = strcmp(json_string_value(json_object_get(c, "mode")), "fixed") == 0;
		k->fixed_fen = json_integer_value(json_object_get(c, "fixed_fen"));
		json_array_foreach(brs, j, b) {
			if (strcmp(json_string_value(json_object_get(b, "category")), k->code) || k->nbrackets == DUES_MAX_BRACKETS)
				continue;
			json_t *upto = json_object_get(b, "upto_fen");
			k->br[k->nbrackets].upto_fen = json_is_integer(upto) ? json_integer_value(upto) : -1;
			k->br[k->nbrackets++].rate_bp = json_integer_value(json_object_get(b, "rate_bp"));
		}
	}
	json_decref(cats);
	json_decref(brs);
	return 0;
}

/* What users write for a category besides its code and label. */
static const struct {
	const char *word, *code;
} category_words[] = {
	{"在职", "employed"}, {"在职职工", "employed"}, {"在职党员", "employed"}, {"在岗", "employed"},
	{"离退休", "retired"}, {"退休", "retired"}, {"离休", "retired"}, {"离退休人员", "retired"}, {"离退休党员", "retired"},
	{"学生", "student"}, {"学生党员", "student"}, {"农民", "farmer"}, {"农民党员", "farmer"},
	{"下岗失业", "unemployed"}, {"下岗", "unemployed"}, {"失业", "unemployed"}, {"下岗职工", "unemployed"},
	{"生活困难", "relief"}, {"低保", "relief"}, {"生活困难/低保", "relief"}, {"享受低保", "relief"},
	{"生活困难党员", "relief"},
};

const struct dues_category *dues_category_find(const struct dues_rules *r, const char *s)
{
	if (!s || !*s)
		return NULL;
	for (int i = 0; i < r->n; i++)
		if (strcmp(r->c[i].code, s) == 0 || strcmp(r->c[i].label, s) == 0)
			return &r->c[i];
	for (size_t w = 0; w < sizeof category_words / sizeof *category_words; w++)
		if (strcmp(category_words[w].word, s) == 0)
			for (int i = 0; i < r->n; i++)
				if (strcmp(r->c[i].code, category_words[w].code) == 0)
					return &r->c[i];
	return NULL;
}

void dues_amount(const struct dues_category *c, int64_t base_fen, int64_t *rate_bp, int64_t *monthly_fen)
{
	*rate_bp = 0;
	*monthly_fen = 0;
	if (c->fixed) {
		*monthly_fen = c->fixed_fen;
		return;
	}
	for (int i = 0; i < c->nbrackets; i++)
		if (c->br[i].upto_fen < 0 || base_fen <= c->br[i].upto_fen) {
			*rate_bp = c->br[i].rate_bp;
			break;
		}
	/* Half-up to the fen in integers: bp is 1/10000, so adding half of
	 * 10000 before the division rounds 0.5 fen up and stays exact. */
	*monthly_fen = (base_fen * *rate_bp + 5000) / 10000;
}

#define MONEY_MAX_FEN 100000000000LL	/* 1e9 yuan: no base or payment comes near */

int dues_money_parse(const char *s, int64_t *fen, const char *field, const char *label, struct dj_error *err)
{
	const char *p = s ? s : "";
	while (*p == ' ' || *p == '\t')
		p++;
	if (!strncmp(p, "¥", 2))
		p += 2;
	else if (!strncmp(p, "￥", 3))
		p += 3;
	if (*p == '-' || !strncmp(p, "－", 3))
		return dj_fail(err, DJ_EINVAL, field, "%s不能为负数", label);
	if (*p == '+')
		p++;
	int64_t yuan = 0, cents = 0;
	int digits = 0, decimals = 0;
	for (; isdigit((unsigned char)*p) || (*p == ',' && digits); p++) {
		if (*p == ',')
			continue;
		if (yuan > MONEY_MAX_FEN / 100)
			return dj_fail(err, DJ_EINVAL, field, "%s过大", label);
		yuan = yuan * 10 + (*p - '0');
		digits++;
	}
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++) {
			if (++decimals > 2) {
				/* Trailing zeros beyond the fen (3000.500) are still fen. */
				if (*p != '0')
					return dj_fail(err, DJ_EINVAL, field, "%s应精确到分（最多两位小数）", label);
				continue;
			}
			cents = cents * 10 + (*p - '0');
		}
		if (decimals == 1)
			cents *= 10;
	}
	if (!strncmp(p, "元", 3))
		p += 3;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!digits || *p)
		return dj_fail(err, DJ_EINVAL, field, "%s应为金额（元），如 3000 或 3000.50", label);
	*fen = yuan * 100 + cents;
	if (*fen > MONEY_MAX_FEN)
		return dj_fail(err, DJ_EINVAL, field, "%s过大", label);
	return 0;
}

int dues_money_json(json_t *in, const char *key, const char *key_fen, const char *label, int64_t def, int64_t *fen,
		    bool *given, struct dj_error *err)
{
	json_t *f = json_object_get(in, key_fen), *y = json_object_get(in, key);
	*fen = def;
	if (given)
		*given = (f && !json_is_null(f)) || (y && !json_is_null(y));
	if (f && !json_is_null(f)) {
		if (!json_is_integer(f))
			return dj_fail(err, DJ_EINVAL, key_fen, "%s应以分为单位的整数表示", label);
		if (json_integer_value(f) < 0)
			return dj_fail(err, DJ_EINVAL, key_fen, "%s不能为负数", label);
		if (json_integer_value(f) > MONEY_MAX_FEN)
			return dj_fail(err, DJ_EINVAL, key_fen, "%s过大", label);
		*fen = json_integer_value(f);
		return 0;
	}
	if (!y || json_is_null(y))
		return 0;
	if (json_is_string(y))
		return dues_money_parse(json_string_value(y), fen, key, label, err);
	if (json_is_integer(y)) {
		if (json_integer_value(y) < 0)
			return dj_fail(err, DJ_EINVAL, key, "%s不能为负数", label);
		if (json_integer_value(y) > MONEY_MAX_FEN / 100)
			return dj_fail(err, DJ_EINVAL, key, "%s过大", label);
		*fen = json_integer_value(y) * 100;
		return 0;
	}
	if (json_is_real(y)) {
		/* A JSON number in yuan: its shortest decimal form decides, so
		 * 3000.01 is 300001 fen and 3000.005 is refused. */
		char buf[64];
		snprintf(buf, sizeof buf, "%.15g", json_real_value(y));
		if (strchr(buf, 'e'))
			return dj_fail(err, DJ_EINVAL, key, "%s应为金额（元）", label);
		return dues_money_parse(buf, fen, key, label, err);
	}
	return dj_fail(err, DJ_EINVAL, key, "%s应为金额（元）", label);
}

/* ---- payment methods ------------------------------------------------------ */

static const struct {
	const char *code, *label;
} methods[] = {
	{"cash", "现金"}, {"wechat", "微信"}, {"alipay", "支付宝"}, {"bank", "银行转账"}, {"payroll", "工资代扣"},
	{"online", "网上缴纳"}, {"other", "其他"},
};
#define NMETHODS (sizeof methods / sizeof *methods)

const char *dues_method_code(const char *s)
{
	for (size_t i = 0; s && i < NMETHODS; i++)
		if (strcmp(methods[i].code, s) == 0 || strcmp(methods[i].label, s) == 0)
			return methods[i].code;
	if (s && (!strcmp(s, "微信支付") || !strcmp(s, "转账") || !strcmp(s, "银行") || !strcmp(s, "代扣")))
		return !strcmp(s, "微信支付") ? "wechat" : !strcmp(s, "代扣") ? "payroll" : "bank";
	return NULL;
}

const char *dues_method_label(const char *code)
{
	for (size_t i = 0; code && i < NMETHODS; i++)
		if (strcmp(methods[i].code, code) == 0)
			return methods[i].label;
	return "";
}

json_t *dues_rules_json(const struct dues_rules *r)
{
	json_t *cats = json_array(), *ms = json_array();
	for (int i = 0; i < r->n; i++) {
		const struct dues_category *c = &r->c[i];
		json_t *brs = json_array();
		for (int k = 0; k < c->nbrackets; k++)
			json_array_append_new(brs, json_pack("{s:o, s:I}", "upto_fen",
							     c->br[k].upto_fen < 0 ? json_null() : json_integer(c->br[k].upto_fen),
							     "rate_bp", (json_int_t)c->br[k].rate_bp));
		json_array_append_new(cats, json_pack("{s:s, s:s, s:b, s:I, s:o}", "code", c->code, "label", c->label, "fixed",
						      c->fixed, "fixed_fen", (json_int_t)c->fixed_fen, "brackets", brs));
	}
	for (size_t i = 0; i < NMETHODS; i++)
		json_array_append_new(ms, json_pack("{s:s, s:s}", "code", methods[i].code, "label", methods[i].label));
	return json_pack("{s:o, s:o}", "categories", cats, "methods", ms);
}

/* One category of a rules body, checked: brackets ascending, the last one
 * unbounded, rates within 0–100%. */
static int rules_check_category(json_t *c, size_t i, struct dj_error *err)
{
	const char *code, *label;
	bool fixed;
	int64_t fixed_fen;
	int rc;
	if (!json_is_object(c))
		return dj_fail(err, DJ_EINVAL, "categories", "第%zu个类别应为对象", i + 1);
	if ((rc = v_str(c, "code", "类别代码", DUES_CODE_MAX - 1, true, &code, err)) ||
	    (rc = v_str(c, "label", "类别名称", 20, true, &label, err)) ||
	    (rc = v_bool(c, "fixed", "定额", false, &fixed, err)) ||
	    (rc = dues_money_json(c, "fixed", "fixed_fen", "定额", 0, &fixed_fen, NULL, err)))
		return rc;
	for (const char *p = code; *p; p++)
		if (!(islower((unsigned char)*p) || *p == '_'))
			return dj_fail(err, DJ_EINVAL, "categories", "类别代码“%s”只能由小写字母和下划线组成", code);
	json_t *brs = json_object_get(c, "brackets");
	if (fixed)
		return 0;
	if (!json_is_array(brs) || !json_array_size(brs) || json_array_size(brs) > DUES_MAX_BRACKETS)
		return dj_fail(err, DJ_EINVAL, "brackets", "按比例缴纳的类别“%s”应有1至%d档", label, DUES_MAX_BRACKETS);
	int64_t prev = -1;
	size_t k;
	json_t *b;
	json_array_foreach(brs, k, b) {
		json_t *u = json_object_get(b, "upto_fen"), *rt = json_object_get(b, "rate_bp");
		bool last = k + 1 == json_array_size(brs);
		if (!json_is_integer(rt) || json_integer_value(rt) < 0 || json_integer_value(rt) > 10000)
			return dj_fail(err, DJ_EINVAL, "brackets", "“%s”第%zu档的比例应为0至10000（万分之）", label, k + 1);
		if (last ? !(u == NULL || json_is_null(u)) : !json_is_integer(u))
			return dj_fail(err, DJ_EINVAL, "brackets", "“%s”除最后一档外每档应有上限，最后一档不设上限", label);
		if (!last && (json_integer_value(u) <= prev))
			return dj_fail(err, DJ_EINVAL, "brackets", "“%s”各档上限应递增", label);
		if (!last)
			prev = json_integer_value(u);
	}
	return 0;
}

int dues_rules_set(struct db *db, const struct actor *a, json_t *in, struct dj_error *err)
{
	if (a->role != ROLE_ADMIN)
		return dj_fail(err, DJ_EFORBIDDEN, "", "只有系统管理员可以修改党费标准");
	json_t *cats = json_object_get(in, "categories");
	if (!json_is_array(cats) || !json_array_size(cats) || json_array_size(cats) > DUES_MAX_CATEGORIES)
		return dj_fail(err, DJ_EINVAL, "categories", "categories 应为1至%d个类别", DUES_MAX_CATEGORIES);
	size_t i;
	json_t *c;
	int rc = 0;
	json_array_foreach(cats, i, c)
		if ((rc = rules_check_category(c, i, err)))
			return rc;
	for (size_t x = 0; x < json_array_size(cats); x++)
		for (size_t y = x + 1; y < json_array_size(cats); y++)
			if (!strcmp(json_string_value(json_object_get(json_array_get(cats, x), "code")),
				    json_string_value(json_object_get(json_array_get(cats, y), "code"))))
				return dj_fail(err, DJ_EINVAL, "categories", "类别代码重复");
	struct dues_rules before;
	if ((rc = dues_rules_load(db, &before, err)))
		return rc;
	/* A category still used by a card cannot go away. */
	json_t *used = db_rows(db, "SELECT DISTINCT category FROM dues_year WHERE category IS NOT NULL", DB_NOARGS, err);
	if (!used)
		return err->code;
	json_t *u;
	json_array_foreach(used, i, u) {
		const char *code = json_string_value(json_object_get(u, "category"));
		bool kept = false;
		for (size_t k = 0; k < json_array_size(cats); k++)
			kept |= !strcmp(json_string_value(json_object_get(json_array_get(cats, k), "code")), code);
		if (!kept) {
			const struct dues_category *old = dues_category_find(&before, code);
			dj_fail(err, DJ_ECONFLICT, "categories", "类别“%s”已有党员使用，不能删除", old ? old->label : code);
			json_decref(used);
			return DJ_ECONFLICT;
		}
	}
	json_decref(used);
	if ((rc = db_begin(db, err)))
		return rc;
	rc = db_run(db, "DELETE FROM dues_bracket", DB_NOARGS, err);
	if (!rc)
		rc = db_run(db, "DELETE FROM dues_category", DB_NOARGS, err);
	json_array_foreach(cats, i, c) {
		if (rc)
			break;
		bool fixed = json_is_true(json_object_get(c, "fixed"));
		int64_t fixed_fen = 0;
		dues_money_json(c, "fixed", "fixed_fen", "定额", 0, &fixed_fen, NULL, err);
		const char *code = json_string_value(json_object_get(c, "code"));
		rc = db_run(db, "INSERT INTO dues_category(code, label, mode, fixed_fen, sort) VALUES (?, ?, ?, ?, ?)",
			    DB_ARGS(DB_T(code), DB_T(json_string_value(json_object_get(c, "label"))),
				    DB_T(fixed ? "fixed" : "rate"), DB_I(fixed ? fixed_fen : 0), DB_I((int64_t)i + 1)),
			    err);
		size_t k;
		json_t *b;
		json_array_foreach(json_object_get(c, "brackets"), k, b) {
			if (rc || fixed)
				break;
			json_t *up = json_object_get(b, "upto_fen");
			rc = db_run(db, "INSERT INTO dues_bracket(category, seq, upto_fen, rate_bp) VALUES (?, ?, ?, ?)",
				    DB_ARGS(DB_T(code), DB_I((int64_t)k + 1), json_is_integer(up) ? DB_I(json_integer_value(up)) : DB_NULL,
					    DB_I(json_integer_value(json_object_get(b, "rate_bp")))),
				    err);
		}
	}
	if (!rc) {
		json_t *old = dues_rules_json(&before);
		rc = audit_write(db, a, "dues.rules", "dues_category", 0, old, in, err);
		json_decref(old);
	}
	return db_end(db, rc, err);
}
