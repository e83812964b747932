/* unit_db.h — the real SQLite file a unit test works on: a fresh database
 * in the current directory, named after the test and the process, with its
 * own key, migrated as `init` migrates it (the base schema and every
 * module's steps); removed with its key, WAL and shared-memory files. */
#ifndef DJ_UNIT_DB_H
#define DJ_UNIT_DB_H

struct db;

/* Open `unit-<tag>-<pid>.db`; prints why and returns -1 if it cannot. */
int unit_db_open(const char *tag, struct db **db);
/* Close it and remove its files. */
void unit_db_close(struct db *db);

#endif
