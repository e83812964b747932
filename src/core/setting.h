/* setting.h — the platform's settings (table `setting`: key, value, note),
 * read by every module.  Kept in core so no module depends on another for
 * its configuration. */
#ifndef DJ_SETTING_H
#define DJ_SETTING_H

#include <stdint.h>

struct db;

/* The integer value of setting `key`, or `def` when it is not set. */
int64_t setting_int(struct db *db, const char *key, int64_t def);

#endif
