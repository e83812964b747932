/* mem.h — allocation wrappers that abort on out-of-memory (as Kore does),
 * and a growable string buffer. */
#ifndef DJ_MEM_H
#define DJ_MEM_H

#include <stddef.h>
#include <stdint.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* FNV-1a of a string: table slots and change detection, not security. */
uint64_t str_hash64(const char *s);

struct buf {
	char *data;
	size_t len, cap;
};

void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hand the NUL-terminated data to the caller and reset `b`. */
char *buf_detach(struct buf *b);
void buf_free(struct buf *b);

#endif
