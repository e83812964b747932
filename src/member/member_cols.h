/* member_cols.h — the columns of the roster template, shared by import,
 * export and the template itself so the three cannot drift apart. */
#ifndef DJ_MEMBER_COLS_H
#define DJ_MEMBER_COLS_H

#include <stdbool.h>
#include <stddef.h>

struct member_col {
	const char *label;	/* header text in the file */
	const char *key;	/* field identifier */
	bool required, is_date;
	int max_chars;
	int width;		/* column width in the template */
	const char *note;	/* help text in the template */
};

#define MEMBER_NCOLS 15
extern const struct member_col member_cols[MEMBER_NCOLS];

/* A heading other systems use for one of our fields (member_fields.c); the
 * table ends with {0, 0}. */
struct member_synonym {
	const char *heading, *key;
};
extern const struct member_synonym member_synonyms[];

/* Index into member_cols of the field with this key, or -1. */
int member_field_by_key(const char *key);
/* A heading as compared: without spaces and line breaks, "*", "：" and
 * parenthesized hints ("出生\n年月(2019/10/24)*" → "出生年月"). */
void member_heading_norm(const char *in, char *out, size_t cap);
/* The field (index into member_cols) a file's column heading stands for, or
 * -1; *rank (may be NULL) orders two headings of one field: the lower, the
 * more specific (党内职务 before 职务). */
int member_field_of_heading(const char *heading, int *rank);

#endif
