/* workers.h — threads that run requests' handlers off libmicrohttpd's own.
 *
 * An MHD pool thread serves every connection it accepted: while it computes
 * a heavy answer (a province dashboard), all of those wait, a writer among
 * them.  So the server answers from memory on the MHD thread and hands the
 * rest to these, with the connection suspended meanwhile.  Two lanes, each
 * with its own threads: writes never queue behind reads (bench/mixed). */
#ifndef DJ_HTTP_WORKERS_H
#define DJ_HTTP_WORKERS_H

#include <stdbool.h>

struct workers;

typedef void (*work_fn)(void *arg);

struct workers *workers_new(int nread, int nwrite);
/* Run fn(arg) on a thread of the write lane or the read lane, in order. */
void workers_push(struct workers *w, bool write, work_fn fn, void *arg);
/* Runs what is queued, then stops the threads. */
void workers_free(struct workers *w);

#endif
