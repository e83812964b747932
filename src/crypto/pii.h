/* pii.h — personal data at rest (身份证号, phone), passwords and tokens.
 *
 * Personal fields are sealed with XChaCha20-Poly1305 under a key kept in a
 * file outside the database; the row id and column name are the associated
 * data, so a ciphertext copied to another row or column fails to open.  A
 * keyed hash of the normalized value allows exact search and uniqueness. */
#ifndef DJ_PII_H
#define DJ_PII_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

/* Default key file for a database: "<file>.key" for SQLite, "dangjian.key"
 * for a PostgreSQL URL.  Caller frees. */
char *pii_default_key_path(const char *db_url);
/* Load the master key; with `create`, make a new one (mode 0600) if missing. */
int pii_load_key(const char *path, bool create, struct dj_error *err);
bool pii_have_key(void);
struct db;
/* Refuse a key that cannot open this database's sealed data (DJ_EIO with a
 * message naming `key_path`); on first use, keep a value sealed with it. */
int pii_key_check(struct db *db, const char *key_path, struct dj_error *err);

/* base64(nonce || ciphertext); caller frees.  NULL in → NULL out. */
char *pii_seal(int64_t row_id, const char *column, const char *plain);
/* The plain text, or NULL if the ciphertext does not open; caller frees. */
char *pii_open(int64_t row_id, const char *column, const char *sealed);
/* Hex keyed hash (32 chars + NUL, in a 65-byte buffer) of `plain` for `column`. */
void pii_hash(const char *column, const char *plain, char out[65]);

/* The key (crypto_generichash_KEYBYTES) of the hash kept of a request
 * (http/idempotency.c): its body may hold a 身份证号, which an unkeyed hash
 * beside the member's row would give away to a search of the few million
 * numbers left once the birth date and sex are known. */
const unsigned char *pii_request_key(void);

/* "**************1234" / "138****5678"; caller frees. */
char *pii_mask_id_card(const char *plain);
char *pii_mask_phone(const char *plain);

/* Argon2id, libsodium's interactive limits. */
int pw_hash(const char *password, char *out, size_t outlen);
bool pw_verify(const char *hash, const char *password);
bool pw_needs_rehash(const char *hash);

/* `nbytes` random bytes as lowercase hex into out[2*nbytes+1]. */
void token_random_hex(char *out, size_t nbytes);
/* Unkeyed BLAKE2b of a session token, hex; what the database stores. */
void token_hash(const char *token, char out[65]);

#endif
