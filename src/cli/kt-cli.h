/* SPDX-License-Identifier: EUPL-1.2 */
/* The kicktrack subcommands. Each returns an exit code (see man/kicktrack.1). */
#ifndef KT_CLI_H
#define KT_CLI_H

#include <stdbool.h>

enum kt_exit {
	KT_EXIT_OK = 0,        /* everything done */
	KT_EXIT_FAILURE = 1,   /* nothing (useful) produced: no input could be used */
	KT_EXIT_USAGE = 2,     /* wrong command line or config file */
	KT_EXIT_PARTIAL = 3,   /* done, but some inputs or outputs are missing (see messages) */
};

struct option;

/* -V, --version of every command: prints what 'kicktrack --version' prints.
 * Returns KT_EXIT_OK. An option given twice: kt_args_given_twice()
 * (util/kt-args.h). */
int kt_cli_version(void);
/* After getopt_long() (opterr = 0, optstring starting with ':') returned
 * '?' or ':': kt_args_bad_option() with "Try 'kicktrack CMD --help'.".
 * Returns KT_EXIT_USAGE. */
int kt_cli_bad_option(const char *cmd, int c, char **argv, const struct option *opts);

/* value, given for opt (a file or folder), is "" (an unset shell variable,
 * say): says so in one line and returns true. */
bool kt_cli_empty_name(const char *cmd, const char *opt, const char *value);

int kt_cmd_decode(int argc, char **argv);
int kt_cmd_process(int argc, char **argv);
int kt_cmd_report(int argc, char **argv);
int kt_cmd_status(int argc, char **argv);
int kt_cmd_live(int argc, char **argv);

#endif
