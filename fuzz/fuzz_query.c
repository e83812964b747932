/* fuzz_query.c — the query-string parser the server uses instead of libmicrohttpd's. */
#include <stdint.h>
#include <string.h>

#include "http/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dj_error err = {0};
	struct query q;
	if (query_parse((const char *)data, size, &q, &err) == 0) {
		for (size_t i = 0; i < q.n; i++)	/* every key is found again */
			if (!q.v[i].key || query_get(&q, q.v[i].key) != q.v[i].value) {
				size_t j = 0;
				while (strcmp(q.v[j].key, q.v[i].key) != 0)
					j++;
				if (j == i)
					__builtin_trap();
			}
		query_free(&q);
	}
	dj_error_clear(&err);
	return 0;
}
