/* main.c — `dangjian COMMAND …`: one binary for the server and the tools. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/collate.h"
#include "io/table.h"
#include "platform/module.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *what;
} commands[] = {
	{"init", cmd_init, "create the schema, the key file and the first administrator"},
	{"generate", cmd_generate, "fill a database with realistic synthetic data (demo, city, province)"},
	{"serve", cmd_serve, "serve the web UI and the JSON API"},
	{"import", cmd_import, "import members from an XLSX or CSV file"},
	{"export", cmd_export, "export members to an XLSX file"},
	{"user", cmd_user, "add users, set passwords, disable or enable accounts"},
	{"backup", cmd_backup, "write a consistent copy of a database while it is in use"},
	{"restore", cmd_restore, "bring a backup back into an empty database"},
	{"attach-move", cmd_attach_move, "move an attachment directory into a PostgreSQL database"},
	{"check", cmd_check, "print the rule findings for an organization"},
	{"figures", cmd_figures, "print the figures (every number the platform states) or the records behind one"},
	{"notify", cmd_notify, "enqueue today's 待办 e-mail and send what is due (cron)"},
	{"routes", cmd_routes, "list the HTTP API routes"},
};

static void help(FILE *f)
{
	fprintf(f, "dangjian — 党建工作管理平台\n\nusage: dangjian COMMAND [OPTIONS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].what);
	fprintf(f, "\n`dangjian COMMAND --help` describes a command.  DB is a SQLite file path\n"
		   "(default dangjian.db) or a postgresql:// URL.\n");
}

int main(int argc, char **argv)
{
	/* The internal command behind .xls reading (io/xls_read.c): never listed. */
	if (argc == 3 && strcmp(argv[1], "xls-rows") == 0)
		return table_xls_rows_main(argv[2]);
	table_xls_isolate("/proc/self/exe");
	modules_register_tables();	/* which scopes a write moves (read cache) */
	if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		if (argc >= 3 && strcmp(argv[1], "help") == 0) {
			char *hargv[] = {argv[2], "--help", NULL};
			for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
				if (strcmp(commands[i].name, argv[2]) == 0)
					return commands[i].fn(2, hargv);
		}
		help(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(commands[i].name, argv[1]) == 0) {
			int rc = commands[i].fn(argc - 1, argv + 1);
			collate_shutdown();
			return rc;
		}
	fprintf(stderr, "dangjian: unknown command \"%s\"\n\n", argv[1]);
	help(stderr);
	return EXIT_USAGE;
}
