#include "core/valid.h"

#include <string.h>

#include "core/date.h"

bool utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + n;
	while (p < e) {
		unsigned c = *p;
		size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
		if (!len || (size_t)(e - p) < len)
			return false;
		if (len == 1 && c == 0)
			return false;
		for (size_t i = 1; i < len; i++)
			if ((p[i] & 0xC0) != 0x80)
				return false;
		if (len == 2 && c < 0xC2)
			return false;
		p += len;
	}
	return true;
}

size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if ((*s & 0xC0) != 0x80)
			n++;
	return n;
}

static bool absent(json_t *v)
{
	return !v || json_is_null(v);
}

/* Only spaces, tabs, line breaks or the ideographic space (U+3000, what a
 * Chinese input method types): nothing a required field can be. */
static bool blank(const char *s)
{
	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			continue;
		if ((unsigned char)s[0] == 0xE3 && (unsigned char)s[1] == 0x80 && (unsigned char)s[2] == 0x80) {
			s += 2;
			continue;
		}
		return false;
	}
	return true;
}

int v_str(json_t *in, const char *key, const char *label, size_t maxchars, bool required, const char **out,
	  struct dj_error *err)
{
	json_t *v = json_object_get(in, key);
	*out = NULL;
	if (absent(v) || (json_is_string(v) && json_string_length(v) == 0)) {
		if (required)
			return dj_fail(err, DJ_EINVAL, key, "请填写%s", label);
		return 0;
	}
	if (!json_is_string(v))
		return dj_fail(err, DJ_EINVAL, key, "%s应为文本", label);
	const char *s = json_string_value(v);
	if (strlen(s) != json_string_length(v))
		return dj_fail(err, DJ_EINVAL, key, "%s含有非法字符", label);
	if (required && blank(s))
		return dj_fail(err, DJ_EINVAL, key, "请填写%s", label);
	if (utf8_chars(s) > maxchars)
		return dj_fail(err, DJ_EINVAL, key, "%s不能超过%zu个字", label, maxchars);
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t' && *p != '\r')
			return dj_fail(err, DJ_EINVAL, key, "%s含有控制字符", label);
	*out = s;
	return 0;
}

int v_date(json_t *in, const char *key, const char *label, bool required, bool not_future, const char **out,
	   struct dj_error *err)
{
	int rc = v_str(in, key, label, 10, required, out, err);
	if (rc || !*out)
		return rc;
	if (!date_valid(*out))
		return dj_fail(err, DJ_EINVAL, key, "%s不是有效日期（格式 YYYY-MM-DD）", label);
	if (not_future) {
		char today[11];
		date_today(today);
		if (strcmp(*out, today) > 0)
			return dj_fail(err, DJ_EINVAL, key, "%s不能晚于今天", label);
	}
	return 0;
}

int v_id(json_t *in, const char *key, const char *label, bool required, int64_t *out, struct dj_error *err)
{
	json_t *v = json_object_get(in, key);
	*out = 0;
	if (absent(v)) {
		if (required)
			return dj_fail(err, DJ_EINVAL, key, "请选择%s", label);
		return 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return dj_fail(err, DJ_EINVAL, key, "%s应为正整数编号", label);
	*out = json_integer_value(v);
	return 0;
}

int v_int(json_t *in, const char *key, const char *label, int64_t min, int64_t max, int64_t def, int64_t *out,
	  struct dj_error *err)
{
	json_t *v = json_object_get(in, key);
	if (absent(v)) {
		*out = def;
		return 0;
	}
	if (!json_is_integer(v))
		return dj_fail(err, DJ_EINVAL, key, "%s应为整数", label);
	json_int_t i = json_integer_value(v);
	if (i < min || i > max)
		return dj_fail(err, DJ_EINVAL, key, "%s应在%lld到%lld之间", label, (long long)min, (long long)max);
	*out = i;
	return 0;
}

int v_number(json_t *in, const char *key, const char *label, double min, double max, double def, double *out,
	     bool *given, struct dj_error *err)
{
	json_t *v = json_object_get(in, key);
	if (given)
		*given = !absent(v);
	if (absent(v)) {
		*out = def;
		return 0;
	}
	if (!json_is_number(v) || json_number_value(v) < min || json_number_value(v) > max)
		return dj_fail(err, DJ_EINVAL, key, "%s应为 %g 到 %g 之间的数", label, min, max);
	*out = json_number_value(v);
	return 0;
}

int v_bool(json_t *in, const char *key, const char *label, bool def, bool *out, struct dj_error *err)
{
	json_t *v = json_object_get(in, key);
	if (absent(v)) {
		*out = def;
		return 0;
	}
	if (json_is_boolean(v)) {
		*out = json_is_true(v);
		return 0;
	}
	if (json_is_integer(v) && (json_integer_value(v) == 0 || json_integer_value(v) == 1)) {
		*out = json_integer_value(v) == 1;
		return 0;
	}
	return dj_fail(err, DJ_EINVAL, key, "%s应为是/否", label);
}

int v_enum(json_t *in, const char *key, const char *label, const char *const *allowed, bool required,
	   const char **out, struct dj_error *err)
{
	int rc = v_str(in, key, label, 64, required, out, err);
	if (rc || !*out)
		return rc;
	for (const char *const *p = allowed; *p; p++)
		if (strcmp(*p, *out) == 0)
			return 0;
	return dj_fail(err, DJ_EINVAL, key, "%s的取值“%s”无效", label, *out);
}

bool valid_phone(const char *p)
{
	size_t n = strlen(p);
	if (n == 11 && p[0] == '1' && p[1] >= '3' && p[1] <= '9') {
		for (size_t i = 0; i < n; i++)
			if (p[i] < '0' || p[i] > '9')
				return false;
		return true;
	}
	/* A landline: 0AA(A)-NNNNNNN(N), the dash optional. */
	if (p[0] != '0' || n < 10 || n > 13)
		return false;
	int dashes = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '-')
			dashes++;
		else if (p[i] < '0' || p[i] > '9')
			return false;
	}
	return dashes <= 1;
}
