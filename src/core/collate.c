#include "core/collate.h"

#include <pthread.h>
#include <string.h>
#include <unicode/ucol.h>
#include <unicode/ustring.h>

#include "core/mem.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static UCollator *coll;

char *collate_key(const char *utf8)
{
	UErrorCode st = U_ZERO_ERROR;
	UChar u[256];
	int32_t ulen = 0;
	u_strFromUTF8(u, 256, &ulen, utf8, -1, &st);
	if (U_FAILURE(st) && st != U_BUFFER_OVERFLOW_ERROR)
		return xstrdup(utf8);
	if (ulen > 256)
		ulen = 256;
	uint8_t key[1024];
	pthread_mutex_lock(&mu);
	if (!coll) {
		st = U_ZERO_ERROR;
		coll = ucol_open("zh", &st);
		if (U_FAILURE(st))
			coll = NULL;
	}
	int32_t klen = coll ? ucol_getSortKey(coll, u, ulen, key, sizeof key) : 0;
	pthread_mutex_unlock(&mu);
	if (klen <= 0 || klen > (int32_t)sizeof key)
		return xstrdup(utf8);
	klen--;	/* drop the terminating 0 */
	char *hex = xmalloc((size_t)klen * 2 + 1);
	static const char digits[] = "0123456789abcdef";
	for (int32_t i = 0; i < klen; i++) {
		hex[2 * i] = digits[key[i] >> 4];
		hex[2 * i + 1] = digits[key[i] & 15];
	}
	hex[klen * 2] = 0;
	return hex;
}

void collate_shutdown(void)
{
	pthread_mutex_lock(&mu);
	if (coll)
		ucol_close(coll);
	coll = NULL;
	pthread_mutex_unlock(&mu);
}
