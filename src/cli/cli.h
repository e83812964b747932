/* cli.h — shared pieces of the subcommands. Exit status: 0 done, 1 failed
 * at run time, 2 bad arguments or bad input. */
#ifndef DJ_CLI_H
#define DJ_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

struct db;

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* Print "dangjian CMD: message" to stderr and return EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Map a domain error to a message and an exit status (2 for bad input). */
int cli_fail(const char *cmd, const struct dj_error *err);
/* Open the database and its key file (`key` may be NULL: the default). */
int cli_open(const char *cmd, const char *url, const char *key, bool create_key, struct db **db);
/* Read a password from a file's first line, or from the terminal / stdin. */
char *cli_read_password(const char *file, const char *prompt);
/* cli_open, then the org given as id or code; 0, or the exit status with a
 * message printed and the database closed (as cli_org). */
int cli_open_org(const char *cmd, const char *url, const char *key, const char *org, struct db **db, int64_t *org_id);
/* An org given as id or code into *id: 0, or the exit status with a message
 * printed (EXIT_USAGE if there is none, EXIT_FAIL if the query failed). */
int cli_org(const char *cmd, struct db *db, const char *spec, int64_t *id);
/* --help was asked for anywhere in argv. */
bool cli_wants_help(int argc, char **argv);
/* Print s left-aligned in `width` terminal columns (a Chinese character
 * takes two), as printf's %-Ns does for ASCII. */
void cli_print_padded(const char *s, int width);

int cmd_init(int argc, char **argv);
int cmd_generate(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_attach_move(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_routes(int argc, char **argv);
int cmd_figures(int argc, char **argv);
int cmd_notify(int argc, char **argv);

#endif
