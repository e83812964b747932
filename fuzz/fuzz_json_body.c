/* fuzz_json_body.c — the request body decoder the server uses (JSON object, UTF-8). */
#include <stdint.h>

#include "http/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dj_error err = {0};
	json_t *j = body_decode_json((const char *)data, size, &err);
	json_decref(j);
	dj_error_clear(&err);
	return 0;
}
