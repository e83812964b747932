/* valid.h — field checks for JSON input at the edge.  Each returns 0 or
 * DJ_EINVAL with the field named and a message in the users' language. */
#ifndef DJ_VALID_H
#define DJ_VALID_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

bool utf8_valid(const char *s, size_t n);
size_t utf8_chars(const char *s);
/* A mobile number (11 digits, 13x–19x) or a landline 0AA(A)-NNNNNNN(N). */
bool valid_phone(const char *p);

/* A string of 1..maxchars characters (trimmed of nothing: callers send what
 * users typed).  Absent or null → *out = NULL, an error only if required. */
int v_str(json_t *in, const char *key, const char *label, size_t maxchars, bool required, const char **out,
	  struct dj_error *err);
/* A YYYY-MM-DD date; with not_future, no later than today. */
int v_date(json_t *in, const char *key, const char *label, bool required, bool not_future, const char **out,
	   struct dj_error *err);
/* A positive integer id. */
int v_id(json_t *in, const char *key, const char *label, bool required, int64_t *out, struct dj_error *err);
/* An integer within [min, max]; absent → def. */
int v_int(json_t *in, const char *key, const char *label, int64_t min, int64_t max, int64_t def, int64_t *out,
	  struct dj_error *err);
/* A number (integer or real) within [min, max]; absent → def.  *given
 * (optional) tells whether it was sent. */
int v_number(json_t *in, const char *key, const char *label, double min, double max, double def, double *out,
	     bool *given, struct dj_error *err);
/* A boolean (true/false or 0/1); absent → def. */
int v_bool(json_t *in, const char *key, const char *label, bool def, bool *out, struct dj_error *err);
/* One of the NULL-terminated `allowed` identifiers. */
int v_enum(json_t *in, const char *key, const char *label, const char *const *allowed, bool required,
	   const char **out, struct dj_error *err);

#endif
