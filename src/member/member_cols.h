/* member_cols.h — the columns of the roster template, shared by import,
 * export and the template itself so the three cannot drift apart. */
#ifndef DJ_MEMBER_COLS_H
#define DJ_MEMBER_COLS_H

#include <stdbool.h>

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

#endif
