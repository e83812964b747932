/* attach_module.c — the attachment store in the module table (platform/module.h). */
#include "attach/attach.h"

#include "platform/module.h"

extern const struct route attach_routes[];

/* The scopes a write to each table moves (the read cache, db/db_scope.h). */
static const struct db_table_scope attach_tables[] = {
	{"attachment", DEP(ATTACH)},
	{"attach_blob", DEP(ATTACH)},
	{0},
};

/* The bytes themselves, used with PostgreSQL (attach.c); empty on SQLite. */
static const char *const attach_migrations[] = {
	"CREATE TABLE attach_blob (\n"
	"  sha256 TEXT NOT NULL, seq BIGINT NOT NULL,\n"
	"  data {{IF_PG}}BYTEA{{END}}{{IF_SQLITE}}BLOB{{END}} NOT NULL,\n"
	"  PRIMARY KEY (sha256, seq));\n",
	NULL,
};

const struct module attach_module = {
	.name = "attach",
	.label = "附件",
	.routes = attach_routes,
	.tables = attach_tables,
	.migrations = attach_migrations,
};
