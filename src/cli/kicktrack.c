/* SPDX-License-Identifier: EUPL-1.2 */
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "kt-cli.h"
#include "util/kt-args.h"
#include "util/kt-log.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "process", kt_cmd_process, "compute every player's metrics and reports from vest logs" },
	{ "report", kt_cmd_report, "re-render charts, PDFs and index.html of an output folder" },
	{ "decode", kt_cmd_decode, "print the fixes and IMU samples of logs as CSV" },
	{ "status", kt_cmd_status, "show the docking station: vests, downloads, latest report" },
	{ "live", kt_cmd_live, "show live numbers of vests streamed through gpsd" },
};

int
kt_cli_version(void)
{
	kt_args_version("kicktrack");
	return KT_EXIT_OK;
}

int
kt_cli_bad_option(const char *cmd, int c, char **argv, const struct option *opts)
{
	char help[64];

	snprintf(help, sizeof(help), "kicktrack %s", cmd);
	kt_args_bad_option(cmd, help, c, argv, opts);
	return KT_EXIT_USAGE;
}

bool
kt_cli_empty_name(const char *cmd, const char *opt, const char *value)
{
	if (*value)
		return false;
	log_error("%s: %s was given an empty name (try 'kicktrack %s --help')", cmd, opt, cmd);
	return true;
}

static void
usage(FILE *f)
{
	fprintf(f,
		"Usage: kicktrack COMMAND [OPTIONS] ...\n"
		"GPS/IMU player tracking for football clubs.\n\n"
		"Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f,
		"\n'kicktrack COMMAND --help' describes a command's options.\n"
		"Options for all commands: -h, --help; -V, --version.\n"
		"Exit codes: 0 done, 1 failed, 2 usage error, 3 partial result.\n"
		"See kicktrack(1).\n");
}

int
main(int argc, char **argv)
{
	/* Numbers are always parsed and printed in the C locale; LC_CTYPE only
	 * so that UTF-8 names pass through. */
	setlocale(LC_CTYPE, "");
	kt_log_set_program("kicktrack");
	/* Reports hold minors' data: nothing we (or gnuplot, our child) create
	 * is readable by others, whatever the caller's umask. */
	mode_t old = umask(0);
	umask(old | 027);

	if (argc < 2) {
		usage(stderr);
		return KT_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return KT_EXIT_OK;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version"))
		return kt_cli_version();
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	log_error("unknown command '%s' (try 'kicktrack --help')", argv[1]);
	return KT_EXIT_USAGE;
}
