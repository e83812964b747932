/* cmd_ops.c — backup, restore and attach-move: the operator's commands.
 *
 * SQLite: the online backup API copies the file page by page while servers
 * write, and the attachment directory is copied beside it (FILE.files; its
 * files are named by their hash and never change, so a copy taken after the
 * database holds every file the copy refers to).  PostgreSQL: pg_dump's custom format, taken in one snapshot (so the
 * roster, the attachments in attach_blob and the audit agree), and
 * pg_restore into an empty database.  Neither copies the key file. */
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <getopt.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attach/attach.h"
#include "cli/cli.h"
#include "core/mem.h"
#include "crypto/pii.h"
#include "db/db.h"

#define DEFAULT_DB "dangjian.db"

extern char **environ;

/* Run a PostgreSQL client program; its own messages go to stderr. */
static int run_tool(const char *cmd, char *const argv[])
{
	pid_t pid;
	int rc = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
	if (rc != 0) {
		fprintf(stderr, "dangjian %s: cannot run %s: %s (install postgresql-client)\n", cmd, argv[0], strerror(rc));
		return EXIT_FAIL;
	}
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "dangjian %s: %s failed (exit %d)\n", cmd, argv[0], WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static int copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wb") : NULL;
	char buf[65536];
	size_t n;
	int rc = in && out ? 0 : -1;
	while (!rc && (n = fread(buf, 1, sizeof buf, in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			rc = -1;
	if (in)
		fclose(in);
	if (out && fclose(out))
		rc = -1;
	return rc;
}

/* The attachment directory (two levels: xx/hash) into `to`; what is there
 * already is the same bytes and is kept.  A missing source is no files. */
static int copy_files(const char *cmd, const char *from, const char *to)
{
	DIR *d = opendir(from);
	if (!d)
		return 0;
	int rc = mkdir(to, 0700) && errno != EEXIST ? -1 : 0;
	struct dirent *e;
	while (!rc && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *src = xasprintf("%s/%s", from, e->d_name), *dst = xasprintf("%s/%s", to, e->d_name);
		struct stat sb;
		if (stat(src, &sb) == 0 && S_ISDIR(sb.st_mode))
			rc = copy_files(cmd, src, dst);
		else if (stat(dst, &sb) != 0)
			rc = copy_file(src, dst);
		if (rc)
			fprintf(stderr, "dangjian %s: cannot copy %s to %s: %s\n", cmd, src, dst, strerror(errno));
		free(src);
		free(dst);
	}
	closedir(d);
	return rc;
}

/* The files the SQLite backup `db` lists that `dir` (its FILE.files) lacks
 * or holds cut short: their count, and the first one's path (caller frees). */
static int files_missing(struct db *db, const char *dir, int64_t *n, char **first, struct dj_error *err)
{
	*n = 0;
	*first = NULL;
	json_t *rows = db_rows(db, "SELECT sha256, max(size) AS size FROM attachment GROUP BY sha256", DB_NOARGS, err);
	if (!rows)
		return err->code;
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		const char *hex = json_string_value(json_object_get(r, "sha256"));
		char *path = xasprintf("%s/%.2s/%s", dir, hex, hex);
		struct stat sb;
		if (stat(path, &sb) != 0 || sb.st_size != json_integer_value(json_object_get(r, "size"))) {
			if (!(*n)++) {
				*first = path;
				continue;
			}
		}
		free(path);
	}
	json_decref(rows);
	return 0;
}

static char *files_dir_of(const char *db_url)
{
	char *kp = pii_default_key_path(db_url);
	attach_set_dir_for(db_url, kp);
	free(kp);
	return xstrdup(attach_dir());
}

/* What a backup file holds, by its first bytes. */
enum dump_kind { DUMP_OTHER, DUMP_SQLITE, DUMP_PG };

static enum dump_kind dump_kind_of(const char *path)
{
	unsigned char head[16];
	FILE *f = fopen(path, "rb");
	size_t n = f ? fread(head, 1, sizeof head, f) : 0;
	if (f)
		fclose(f);
	if (n == 16 && memcmp(head, "SQLite format 3", 16) == 0)
		return DUMP_SQLITE;
	if (n >= 5 && memcmp(head, "PGDMP", 5) == 0)
		return DUMP_PG;
	return DUMP_OTHER;
}

/* A file about to be written needs its directory: a typo there is a usage
 * error, not a failure half-way. */
static bool dir_of_exists(const char *file)
{
	char *copy = xstrdup(file);
	struct stat sb;
	bool ok = stat(dirname(copy), &sb) == 0 && S_ISDIR(sb.st_mode);
	free(copy);
	return ok;
}

/* The database a backup is taken from, or restored into, must open: an
 * unknown file or URL is the caller's mistake (exit 2), and SQLite would
 * otherwise create an empty file under the mistyped name.  *ver: its schema. */
static int ops_open(const char *cmd, const char *db_url, bool must_exist, struct db **db, int *ver)
{
	struct stat sb;
	if (must_exist && !db_is_pg_url(db_url) && stat(db_url, &sb) != 0)
		return cli_usage_error(cmd, "no database file %s", db_url);
	struct dj_error err = {0};
	if (db_open(db_url, db, &err))
		return cli_usage_error(cmd, "cannot open %s: %s", db_url, err.msg);
	*ver = db_schema_version(*db);
	if (must_exist && *ver <= 0) {
		db_close(*db);
		return cli_usage_error(cmd, "%s holds no dangjian data", db_url);
	}
	return EXIT_OK;
}

int cmd_backup(int argc, char **argv)
{
	static const struct option opts[] = {{"db", required_argument, 0, 'd'}, {"out", required_argument, 0, 'o'},
					     {"output", required_argument, 0, 'o'}, {"help", no_argument, 0, 'h'}, {0}};
	const char *db_url = DEFAULT_DB, *out = NULL;
	int o;
	optind = 1;
	while ((o = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (o) {
		case 'd': db_url = optarg; break;
		case 'o': out = optarg; break;
		case 'h':
			printf("usage: dangjian backup --db DB --out FILE\n\n"
			       "Writes a consistent copy of the database while servers keep running: for a SQLite\n"
			       "file, SQLite's online backup (FILE is a SQLite database, its attachments are copied\n"
			       "to FILE.files); for a postgresql:// URL,\n"
			       "pg_dump's custom format in one snapshot (roster, attachments and audit agree).\n"
			       "`dangjian restore` brings it back.  The key file is not copied: keep it safe\n"
			       "separately, since nothing personal in the backup can be read without it.\n");
			return EXIT_OK;
		default: return cli_usage_error("backup", "unknown option");
		}
	}
	if (!out)
		return cli_usage_error("backup", "--out FILE is required");
	if (optind < argc)
		return cli_usage_error("backup", "unexpected argument \"%s\"", argv[optind]);
	struct stat sb;
	if (stat(out, &sb) == 0)
		return cli_usage_error("backup", "%s exists; refusing to overwrite it", out);
	if (!dir_of_exists(out))
		return cli_usage_error("backup", "the directory of %s does not exist", out);
	struct db *db;
	int ver, rc = ops_open("backup", db_url, true, &db, &ver);
	if (rc)
		return rc;
	if (db_is_pg_url(db_url)) {
		db_close(db);
		char *dbarg = xasprintf("--dbname=%s", db_url), *file = xasprintf("--file=%s", out);
		char *args[] = {"pg_dump", "--format=custom", "--no-owner", dbarg, file, NULL};
		rc = run_tool("backup", args);
		free(dbarg);
		free(file);
		if (rc) {
			unlink(out);	/* half a dump is no backup, and would block the next try */
			return rc;
		}
	} else {
		struct dj_error err = {0};
		rc = db_backup(db, out, &err);
		db_close(db);
		if (rc) {
			unlink(out);
			return cli_fail("backup", &err);
		}
		char *from = files_dir_of(db_url), *to = xasprintf("%s.files", out);
		rc = copy_files("backup", from, to);
		free(from);
		free(to);
		if (rc)
			return EXIT_FAIL;
	}
	printf("backed up %s to %s\n", db_url, out);
	return EXIT_OK;
}

int cmd_restore(int argc, char **argv)
{
	static const struct option opts[] = {{"db", required_argument, 0, 'd'}, {"in", required_argument, 0, 'i'},
					     {"help", no_argument, 0, 'h'}, {0}};
	const char *db_url = NULL, *in = NULL;
	int o;
	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'd': db_url = optarg; break;
		case 'i': in = optarg; break;
		case 'h':
			printf("usage: dangjian restore --db DB --in FILE\n\n"
			       "Brings a backup made by `dangjian backup` back into an empty database: a SQLite\n"
			       "file that does not exist yet, or a PostgreSQL database with no tables (create it\n"
			       "first: CREATE DATABASE …).  Start the servers with the key file of the database\n"
			       "the backup was taken from; they refuse any other.\n");
			return EXIT_OK;
		default: return cli_usage_error("restore", "unknown option");
		}
	}
	if (!in && optind < argc)
		in = argv[optind++];
	if (!db_url || !in)
		return cli_usage_error("restore", "--db DB and --in FILE are required");
	if (optind < argc)
		return cli_usage_error("restore", "unexpected argument \"%s\"", argv[optind]);
	struct stat sb;
	if (stat(in, &sb) != 0 || !S_ISREG(sb.st_mode))
		return cli_usage_error("restore", "no backup file %s", in);
	struct dj_error err = {0};
	struct db *db;
	enum dump_kind kind = dump_kind_of(in);
	int ver, rc;
	if (db_is_pg_url(db_url)) {
		if (kind != DUMP_PG)
			return cli_usage_error("restore", kind == DUMP_SQLITE
					       ? "%s is a backup of a SQLite database: restore it into a new SQLite file (--db FILE)"
					       : "%s is not a backup made by `dangjian backup`", in);
		if ((rc = ops_open("restore", db_url, false, &db, &ver)))
			return rc;
		db_close(db);
		if (ver != 0)
			return cli_usage_error("restore", "%s is not empty; restore into a new database", db_url);
		char *dbarg = xasprintf("--dbname=%s", db_url);
		char *args[] = {"pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
				dbarg, (char *)in, NULL};
		rc = run_tool("restore", args);
		free(dbarg);
		if (rc)
			return rc;
	} else {
		if (kind != DUMP_SQLITE)
			return cli_usage_error("restore", kind == DUMP_PG
					       ? "%s is a backup of a PostgreSQL database: restore it into an empty database (--db postgresql://…)"
					       : "%s is not a backup made by `dangjian backup`", in);
		if (stat(db_url, &sb) == 0 && sb.st_size > 0)
			return cli_usage_error("restore", "%s exists; restore into a new file", db_url);
		if (!dir_of_exists(db_url))
			return cli_usage_error("restore", "the directory of %s does not exist", db_url);
		if ((rc = ops_open("restore", in, true, &db, &ver)))
			return rc;
		/* A backup copied without its FILE.files was restored with exit 0
		 * and every photo gone: refused before anything is made. */
		char *from = xasprintf("%s.files", in), *lost = NULL;
		int64_t nlost = 0;
		if ((rc = files_missing(db, from, &nlost, &lost, &err)) == 0 && nlost) {
			db_close(db);
			rc = cli_usage_error("restore", "%s lacks (or holds cut short) %lld of the backup's %s (first: %s): copy the directory %s "
					     "beside %s, as `dangjian backup` wrote it", from, (long long)nlost,
					     "attachment files", lost, from, in);
			free(lost);
			free(from);
			return rc;
		}
		if (!rc)
			rc = db_backup(db, db_url, &err);
		db_close(db);
		if (rc) {
			free(from);
			return cli_fail("restore", &err);
		}
		char *to = files_dir_of(db_url);
		rc = strcmp(from, to) ? copy_files("restore", from, to) : 0;
		free(from);
		free(to);
		if (rc)
			return EXIT_FAIL;
	}
	printf("restored %s into %s\n", in, db_url);
	return EXIT_OK;
}

int cmd_attach_move(int argc, char **argv)
{
	static const struct option opts[] = {{"db", required_argument, 0, 'd'}, {"key", required_argument, 0, 'k'},
					     {"dir", required_argument, 0, 'D'}, {"help", no_argument, 0, 'h'}, {0}};
	const char *db_url = DEFAULT_DB, *key = NULL, *dir = NULL;
	int o;
	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'd': db_url = optarg; break;
		case 'k': key = optarg; break;
		case 'D': dir = optarg; break;
		case 'h':
			printf("usage: dangjian attach-move --db URL [--key FILE] [--dir DIR]\n\n"
			       "Moves the attachments of a PostgreSQL deployment that kept them in a directory\n"
			       "(DIR, default the key file's name with .files: /etc/dangjian/dangjian.files)\n"
			       "into the database, checking each file against its SHA-256, in one transaction.\n"
			       "Run it once after upgrading; it may be run again (what is there is kept).  The\n"
			       "directory is left as it was: remove it once the servers show the files.\n");
			return EXIT_OK;
		default: return cli_usage_error("attach-move", "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage_error("attach-move", "unexpected argument \"%s\"", argv[optind]);
	if (!db_is_pg_url(db_url))
		return cli_usage_error("attach-move", "--db must be a postgresql:// URL (SQLite keeps its directory)");
	struct db *db;
	int rc = cli_open("attach-move", db_url, key, false, &db);
	if (rc)
		return rc;
	struct dj_error err = {0};
	int64_t moved = 0, present = 0;
	rc = attach_move_dir(db, dir ? dir : attach_dir(), &moved, &present, &err);
	db_close(db);
	if (rc)
		return cli_fail("attach-move", &err);
	printf("moved %lld attachment files into the database (%lld were there already)\n", (long long)moved,
	       (long long)present);
	return EXIT_OK;
}
