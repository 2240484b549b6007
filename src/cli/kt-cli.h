/* SPDX-License-Identifier: EUPL-1.2 */
/* The kicktrack subcommands. Each returns an exit code (see man/kicktrack.1). */
#ifndef KT_CLI_H
#define KT_CLI_H

enum kt_exit {
	KT_EXIT_OK = 0,        /* everything done */
	KT_EXIT_FAILURE = 1,   /* nothing (useful) produced: no input could be used */
	KT_EXIT_USAGE = 2,     /* wrong command line or config file */
	KT_EXIT_PARTIAL = 3,   /* done, but some inputs or outputs are missing (see messages) */
};

int kt_cmd_decode(int argc, char **argv);
int kt_cmd_process(int argc, char **argv);
int kt_cmd_report(int argc, char **argv);
int kt_cmd_status(int argc, char **argv);
int kt_cmd_live(int argc, char **argv);

#endif
