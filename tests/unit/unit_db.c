/* unit_db.c — see unit_db.h. */
#include <stdio.h>
#include <unistd.h>

#include "core/collate.h"
#include "core/err.h"
#include "crypto/pii.h"
#include "db/db.h"
#include "platform/module.h"
#include "unit_db.h"

static char unit_path[96];

static void unit_db_unlink(void)
{
	static const char *const tails[] = {"", ".key", "-wal", "-shm"};
	char p[128];
	for (size_t i = 0; i < sizeof tails / sizeof *tails; i++) {
		snprintf(p, sizeof p, "%s%s", unit_path, tails[i]);
		unlink(p);
	}
}

int unit_db_open(const char *tag, struct db **db)
{
	snprintf(unit_path, sizeof unit_path, "unit-%s-%d.db", tag, (int)getpid());
	unit_db_unlink();
	char key[128];
	snprintf(key, sizeof key, "%s.key", unit_path);
	struct dj_error e = {0};
	if (pii_load_key(key, true, &e) || db_open(unit_path, db, &e) || modules_migrate(*db, &e)) {
		fprintf(stderr, "setup: %s\n", e.msg);
		return -1;
	}
	return 0;
}

void unit_db_close(struct db *db)
{
	db_close(db);
	collate_shutdown();
	unit_db_unlink();
}
