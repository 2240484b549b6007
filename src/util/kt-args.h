/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * What the command lines of all our programs (kicktrack, kicktrackd, the
 * simulator, the vest emulator) have in common: the version line, one
 * message for a bad option, and a single-valued option given twice.
 */
#ifndef KT_UTIL_ARGS_H
#define KT_UTIL_ARGS_H

#include <stdbool.h>

struct option;

/* -V, --version: prints "PROGRAM VERSION" (the project's version) on stdout. */
void kt_args_version(const char *program);

/* After getopt_long() (opterr = 0, optstring starting with ':') returned
 * '?' or ':': one line naming the bad option and what is wrong with it
 * ("unknown option '--x'", "option '-r' needs a value", ...; after "CMD: "
 * when cmd is not NULL), then "Try 'HELP --help'." (help: "kicktrackd",
 * "kicktrack process"). */
void kt_args_bad_option(const char *cmd, const char *help, int c, char **argv,
			const struct option *opts);

/* Each option's value so far, for kt_args_given_twice(). Zero-initialise. */
struct kt_args_seen {
	int opt[32];
	const char *value[32];
	unsigned n;
};

/* An option with a value (c, as getopt_long() returned it) given a second
 * time with another value: getopt would quietly take the last, so this says
 * so in one line ("--lang given twice ('de', then 'en'): give it once") and
 * returns true. The same value twice is fine. Not for repeatable options. */
bool kt_args_given_twice(struct kt_args_seen *s, const struct option *opts, int c,
			 const char *value);

/* A flag c (no value) whose opposite is other (--erase and --no-erase):
 * getopt would quietly take the last one given, so once both were given
 * this says so in one line ("--erase and --no-erase: give one of them", in
 * the order given) and returns true. Call it for each of the two flags
 * with the other one; the same flag twice is fine. */
bool kt_args_opposite(struct kt_args_seen *s, const struct option *opts, int c, int other);

#endif
