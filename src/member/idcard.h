/* idcard.h — 居民身份证号码 (GB 11643-1999): 6-digit region, 8-digit birth
 * date, 3-digit sequence (odd for men), and an ISO 7064 MOD 11-2 check digit. */
#ifndef DJ_IDCARD_H
#define DJ_IDCARD_H

#include <stdbool.h>

/* The check character for the first 17 digits. */
char idcard_check_char(const char *first17);
/* Validate; on success fill birth[11] ("YYYY-MM-DD") and *male.  On failure
 * write a message into msg[msglen]. */
bool idcard_parse(const char *id, char birth[11], bool *male, char *msg, int msglen);

#endif
