/* cmd_admin.c — init, user, routes: the administrator's commands (backup and
 * restore are in cmd_ops.c). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/mem.h"
#include "crypto/pii.h"
#include "db/db.h"
#include "platform/module.h"
#include "http/server.h"
#include "user/user.h"

#define DEFAULT_DB "dangjian.db"

int cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 'd'}, {"admin", required_argument, 0, 'a'},
		{"password-file", required_argument, 0, 'p'}, {"key", required_argument, 0, 'k'},
		{"migrate", no_argument, 0, 'm'}, {"help", no_argument, 0, 'h'}, {0}};
	const char *db_url = DEFAULT_DB, *admin = NULL, *pwfile = NULL, *key = NULL;
	bool migrate = false;
	int o;
	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'd': db_url = optarg; break;
		case 'a': admin = optarg; break;
		case 'p': pwfile = optarg; break;
		case 'k': key = optarg; break;
		case 'm': migrate = true; break;
		case 'h':
			printf("usage: dangjian init --db DB [--admin NAME [--password-file FILE]] [--key FILE] [--migrate]\n\n"
			       "Creates the schema and the key file for personal data (default: DB.key beside a SQLite\n"
			       "file, ./dangjian.key for PostgreSQL; keep it out of the database backups' reach) and,\n"
			       "with --admin, the first system administrator (password from FILE or asked for).\n"
			       "A database that already holds data is left alone unless --migrate is given,\n"
			       "which applies the schema steps it lacks.\n");
			return EXIT_OK;
		default: return cli_usage_error("init", "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage_error("init", "unexpected argument \"%s\"", argv[optind]);
	struct db *db;
	int rc = cli_open("init", db_url, key, true, &db);
	if (rc)
		return rc;
	struct dj_error err = {0};
	int ver = db_schema_version(db);
	if (ver < 0) {
		db_close(db);
		return cli_usage_error("init", "%s holds tables that are not dangjian's; refusing to touch it", db_url);
	}
	if (ver > 0 && !migrate) {
		db_close(db);
		return cli_usage_error("init", "%s is already initialized (schema version %d); use --migrate to upgrade it",
				       db_url, ver);
	}
	char *kp = key ? xstrdup(key) : pii_default_key_path(db_url);
	if ((rc = modules_migrate(db, &err)) || (rc = pii_key_check(db, kp, &err))) {
		free(kp);
		db_close(db);
		return cli_fail("init", &err);
	}
	free(kp);
	printf("schema at version %d\n", db_latest_version());
	if (admin) {
		char *pw = cli_read_password(pwfile, "password for the administrator: ");
		if (!pw) {
			db_close(db);
			return cli_usage_error("init", "no password given for %s", admin);
		}
		json_t *in = json_pack("{s:s, s:s, s:s, s:s}", "username", admin, "display_name", "系统管理员",
				       "password", pw, "role", "admin");
		struct actor a = actor_cli();
		int64_t id;
		rc = user_create(db, &a, in, &id, &err);
		json_decref(in);
		free(pw);
		if (rc) {
			db_close(db);
			return cli_fail("init", &err);
		}
		printf("administrator \"%s\" created\n", admin);
	}
	db_close(db);
	return EXIT_OK;
}

int cmd_user(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 'd'}, {"username", required_argument, 0, 'u'},
		{"role", required_argument, 0, 'r'}, {"org", required_argument, 0, 'o'},
		{"member", required_argument, 0, 'M'}, {"display-name", required_argument, 0, 'n'},
		{"password-file", required_argument, 0, 'p'}, {"key", required_argument, 0, 'k'},
		{"help", no_argument, 0, 'h'}, {0}};
	const char *db_url = DEFAULT_DB, *username = NULL, *role = NULL, *org = NULL, *member = NULL, *name = NULL,
		   *pwfile = NULL, *key = NULL;
	if (argc < 2 || cli_wants_help(argc, argv)) {
		printf("usage: dangjian user add --db DB --username U --role admin|org_admin|branch_admin|member\n"
		       "                         [--org ORG] [--member ID] [--display-name NAME] [--password-file F]\n"
		       "       dangjian user passwd --db DB --username U [--password-file F]\n"
		       "       dangjian user disable|enable --db DB --username U\n");
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	const char *verb = argv[1];
	int o;
	optind = 2;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'd': db_url = optarg; break;
		case 'u': username = optarg; break;
		case 'r': role = optarg; break;
		case 'o': org = optarg; break;
		case 'M': member = optarg; break;
		case 'n': name = optarg; break;
		case 'p': pwfile = optarg; break;
		case 'k': key = optarg; break;
		default: return cli_usage_error("user", "unknown option");
		}
	}
	if (strcmp(verb, "add") && strcmp(verb, "passwd") && strcmp(verb, "disable") && strcmp(verb, "enable"))
		return cli_usage_error("user", "unknown action \"%s\" (add, passwd, disable, enable)", verb);
	if (!username)
		return cli_usage_error("user", "--username is required");
	struct db *db;
	int rc = cli_open("user", db_url, key, false, &db);
	if (rc)
		return rc;
	struct dj_error err = {0};
	struct actor a = actor_cli();
	if (strcmp(verb, "add") == 0) {
		if (!role) {
			db_close(db);
			return cli_usage_error("user", "--role is required");
		}
		int64_t org_id = 0;
		if (org && (rc = cli_org("user", db, org, &org_id))) {
			db_close(db);
			return rc;
		}
		char *pw = cli_read_password(pwfile, "password: ");
		json_t *in = json_pack("{s:s, s:s?, s:s?, s:s}", "username", username, "display_name", name, "password", pw,
				       "role", role);
		if (org_id)
			json_object_set_new(in, "org_id", json_integer(org_id));
		if (member)
			json_object_set_new(in, "member_id", json_integer(strtoll(member, NULL, 10)));
		int64_t id;
		rc = user_create(db, &a, in, &id, &err);
		json_decref(in);
		free(pw);
		if (!rc)
			printf("user \"%s\" created (id %lld)\n", username, (long long)id);
	} else {
		int64_t id = 0;
		if (user_id_by_name(db, username, &id, &err)) {
			db_close(db);
			return cli_fail("user", &err);
		}
		if (!id) {
			db_close(db);
			return cli_usage_error("user", "no user \"%s\"", username);
		}
		if (strcmp(verb, "passwd") == 0) {
			char *pw = cli_read_password(pwfile, "new password: ");
			rc = user_set_password(db, &a, id, pw ? pw : "", &err);
			free(pw);
			if (!rc)
				printf("password of \"%s\" changed\n", username);
		} else {
			json_t *in = json_pack("{s:b}", "disabled", strcmp(verb, "disable") == 0);
			rc = user_update(db, &a, id, in, &err);
			json_decref(in);
			if (!rc)
				printf("user \"%s\" %sd\n", username, verb);
		}
	}
	db_close(db);
	return rc ? cli_fail("user", &err) : EXIT_OK;
}

int cmd_routes(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		printf("usage: dangjian routes\n\nLists METHOD PATH of every API route (as in docs/openapi.json).\n");
		return EXIT_OK;
	}
	for (const struct module *const *m = modules; *m; m++)
		for (const struct route *r = (*m)->routes; r && r->method; r++) {
			printf("%s ", r->method);
			for (const char *p = r->pattern; *p; p++) {
				if (*p == ':' || *p == '~') {	/* ":id" → "{id}", as OpenAPI writes it */
					putchar('{');
					while (p[1] && p[1] != '/')
						putchar(*++p);
					putchar('}');
				} else {
					putchar(*p);
				}
			}
			putchar('\n');
		}
	return EXIT_OK;
}
