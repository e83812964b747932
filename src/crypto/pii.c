#include "crypto/pii.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"

static unsigned char seal_key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
static unsigned char hash_key[crypto_generichash_KEYBYTES];
static unsigned char request_key[crypto_generichash_KEYBYTES];
static bool have_key;

char *pii_default_key_path(const char *db_url)
{
	const char *env = getenv("DANGJIAN_KEY_FILE");
	if (env && *env)
		return xstrdup(env);
	if (strncmp(db_url, "postgres", 8) == 0)
		return xstrdup("dangjian.key");
	return xasprintf("%s.key", db_url);
}

static int read_key(const char *path, unsigned char master[crypto_kdf_KEYBYTES], struct dj_error *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return dj_fail(err, DJ_EIO, "key", "cannot read key file %s: %s", path, strerror(errno));
	size_t n = fread(master, 1, crypto_kdf_KEYBYTES, f);
	fclose(f);
	if (n != crypto_kdf_KEYBYTES)
		return dj_fail(err, DJ_EINVAL, "key", "key file %s is damaged (expected %d bytes)", path,
			       crypto_kdf_KEYBYTES);
	return 0;
}

int pii_load_key(const char *path, bool create, struct dj_error *err)
{
	if (sodium_init() < 0)
		return dj_fail(err, DJ_EIO, "", "libsodium failed to start");
	unsigned char master[crypto_kdf_KEYBYTES];
	if (access(path, F_OK) != 0) {
		if (!create)	/* a mistyped --key: bad input, exit 2 */
			return dj_fail(err, DJ_EINVAL, "key", "key file %s not found (it is made by `dangjian init`)", path);
		crypto_kdf_keygen(master);
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
		if (fd < 0)
			return dj_fail(err, DJ_EIO, "key", "cannot create key file %s: %s", path, strerror(errno));
		ssize_t w = write(fd, master, sizeof master);
		close(fd);
		if (w != (ssize_t)sizeof master)
			return dj_fail(err, DJ_EIO, "key", "cannot write key file %s", path);
	} else {
		int rc = read_key(path, master, err);
		if (rc)
			return rc;
	}
	crypto_kdf_derive_from_key(seal_key, sizeof seal_key, 1, "dj-pii__", master);
	crypto_kdf_derive_from_key(hash_key, sizeof hash_key, 2, "dj-hash_", master);
	crypto_kdf_derive_from_key(request_key, sizeof request_key, 3, "dj-hash_", master);
	sodium_memzero(master, sizeof master);
	have_key = true;
	return 0;
}

const unsigned char *pii_request_key(void)
{
	return request_key;
}

bool pii_have_key(void)
{
	return have_key;
}

/* Random nonces drawn from the kernel 256 at a time, per thread: one
 * getrandom() per sealed field was the largest cost of a big import.  The
 * process never forks, so no two threads or processes share a pool. */
static void next_nonce(unsigned char *out)
{
	enum { N = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, POOL = 256 };
	static _Thread_local unsigned char pool[N * POOL];
	static _Thread_local int left;
	if (!left) {
		randombytes_buf(pool, sizeof pool);
		left = POOL;
	}
	left--;
	memcpy(out, pool + (size_t)left * N, N);
	sodium_memzero(pool + (size_t)left * N, N);	/* a nonce is handed out once */
}

static void make_ad(char *ad, size_t n, int64_t row_id, const char *column)
{
	snprintf(ad, n, "%lld:%s", (long long)row_id, column);
}

char *pii_seal(int64_t row_id, const char *column, const char *plain)
{
	if (!plain || !*plain)
		return NULL;
	size_t plen = strlen(plain);
	size_t clen = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + plen + crypto_aead_xchacha20poly1305_ietf_ABYTES;
	unsigned char *c = xmalloc(clen);
	next_nonce(c);
	char ad[96];
	make_ad(ad, sizeof ad, row_id, column);
	unsigned long long outlen = 0;
	crypto_aead_xchacha20poly1305_ietf_encrypt(c + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, &outlen,
		(const unsigned char *)plain, plen, (const unsigned char *)ad, strlen(ad), NULL, c, seal_key);
	size_t b64len = sodium_base64_encoded_len(clen, sodium_base64_VARIANT_ORIGINAL);
	char *out = xmalloc(b64len);
	sodium_bin2base64(out, b64len, c, clen, sodium_base64_VARIANT_ORIGINAL);
	free(c);
	return out;
}

char *pii_open(int64_t row_id, const char *column, const char *sealed)
{
	if (!sealed || !*sealed)
		return NULL;
	size_t slen = strlen(sealed);
	unsigned char *c = xmalloc(slen);
	size_t clen = 0;
	if (sodium_base642bin(c, slen, sealed, slen, NULL, &clen, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    clen < crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES) {
		free(c);
		return NULL;
	}
	size_t mlen = clen - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES - crypto_aead_xchacha20poly1305_ietf_ABYTES;
	char *m = xmalloc(mlen + 1);
	char ad[96];
	make_ad(ad, sizeof ad, row_id, column);
	unsigned long long outlen = 0;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)m, &outlen, NULL,
		c + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, clen - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
		(const unsigned char *)ad, strlen(ad), c, seal_key) != 0) {
		free(c);
		free(m);
		return NULL;
	}
	free(c);
	m[outlen] = 0;
	return m;
}

void pii_hash(const char *column, const char *plain, char out[65])
{
	unsigned char h[32];
	crypto_generichash_state st;
	crypto_generichash_init(&st, hash_key, sizeof hash_key, sizeof h);
	crypto_generichash_update(&st, (const unsigned char *)column, strlen(column) + 1);
	crypto_generichash_update(&st, (const unsigned char *)plain, strlen(plain));
	crypto_generichash_final(&st, h, sizeof h);
	/* 128 bits are plenty for exact-match lookup and keep the indexes small
	 * (a third faster bulk import); they are the first half of the 256. */
	sodium_bin2hex(out, 65, h, 16);
}

static char *mask(const char *plain, size_t head, size_t tail)
{
	if (!plain)
		return NULL;
	size_t n = strlen(plain);
	if (n <= head + tail)
		return xstrdup("****");
	char *m = xstrdup(plain);
	memset(m + head, '*', n - head - tail);
	return m;
}

/* A 身份证号 shows its last 4 only: the first 6 (the region) beside the birth
 * date a list shows anyway would leave 4 unknown digits, which an exact search
 * recovers in a few dozen tries.  A phone keeps the usual 138****1234. */
char *pii_mask_id_card(const char *plain) { return mask(plain, 0, 4); }
char *pii_mask_phone(const char *plain) { return mask(plain, 3, 4); }

int pw_hash(const char *password, char *out, size_t outlen)
{
	if (outlen < crypto_pwhash_STRBYTES)
		return -1;
	return crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
				 crypto_pwhash_MEMLIMIT_INTERACTIVE);
}

bool pw_verify(const char *hash, const char *password)
{
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

bool pw_needs_rehash(const char *hash)
{
	return crypto_pwhash_str_needs_rehash(hash, crypto_pwhash_OPSLIMIT_INTERACTIVE,
					      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0;
}

void token_random_hex(char *out, size_t nbytes)
{
	unsigned char b[64];
	if (nbytes > sizeof b)
		nbytes = sizeof b;
	randombytes_buf(b, nbytes);
	sodium_bin2hex(out, nbytes * 2 + 1, b, nbytes);
}

void token_hash(const char *token, char out[65])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
	sodium_bin2hex(out, 65, h, sizeof h);
}
