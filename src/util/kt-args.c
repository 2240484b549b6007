/* SPDX-License-Identifier: EUPL-1.2 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "kt-args.h"
#include "kt-config.h"
#include "kt-log.h"
#include "kt-strutil.h"

void
kt_args_version(const char *program)
{
	printf("%s %s\n", program, KT_VERSION);
}

void
kt_args_bad_option(const char *cmd, const char *help, int c, char **argv, const struct option *opts)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "?";
	const char *pre = cmd ? cmd : "", *colon = cmd ? ": " : "";
	bool is_long = !strncmp(arg, "--", 2);
	size_t len = is_long ? strcspn(arg + 2, "=") : 0;
	const struct option *found = NULL;
	unsigned n_prefix = 0;
	char esc[100];

	for (const struct option *o = opts; is_long && o->name; o++)
		if (!strncmp(o->name, arg + 2, len)) {
			n_prefix++;
			if (strlen(o->name) == len || !found)
				found = o;
		}
	if (!is_long && c == ':')
		log_error("%s%soption '-%c' needs a value", pre, colon, optopt);
	else if (!is_long && optopt > 0x20 && optopt < 0x7f)
		log_error("%s%sunknown option '-%c'", pre, colon, optopt);
	else if (!is_long)
		log_error("%s%sunknown option '-\\x%02x'", pre, colon, (unsigned char)optopt);
	else if (c == ':')
		log_error("%s%soption '--%s' needs a value", pre, colon,
			  found ? found->name : arg + 2);
	else if (found && arg[2 + len] == '=' && found->has_arg == no_argument)
		log_error("%s%soption '--%s' takes no value", pre, colon, found->name);
	else if (n_prefix > 1)
		log_error("%s%soption '%s' is ambiguous", pre, colon,
			  kt_escape(esc, sizeof(esc), arg));
	else
		log_error("%s%sunknown option '%s'", pre, colon, kt_escape(esc, sizeof(esc), arg));
	fprintf(stderr, "Try '%s --help'.\n", help);
}

/* "--root" for 'r' if it has a long name, else "-r" (buf: 64 bytes) */
static const char *
opt_name(char *buf, const struct option *opts, int c)
{
	for (const struct option *op = opts; op->name; op++)
		if (op->val == c) {
			snprintf(buf, 64, "--%s", op->name);
			return buf;
		}
	snprintf(buf, 64, "-%c", c);
	return buf;
}

static void
seen_add(struct kt_args_seen *s, int c, const char *value)
{
	if (s->n < sizeof(s->opt) / sizeof(s->opt[0])) {
		s->opt[s->n] = c;
		s->value[s->n++] = value;
	}
}

bool
kt_args_given_twice(struct kt_args_seen *s, const struct option *opts, int c, const char *value)
{
	char name[64];

	for (unsigned i = 0; i < s->n; i++) {
		if (s->opt[i] != c)
			continue;
		if (!strcmp(s->value[i], value))
			return false;
		log_error("%s given twice ('%s', then '%s'): give it once", opt_name(name, opts, c),
			  s->value[i], value);
		return true;
	}
	seen_add(s, c, value);
	return false;
}

bool
kt_args_opposite(struct kt_args_seen *s, const struct option *opts, int c, int other)
{
	char a[64], b[64];

	for (unsigned i = 0; i < s->n; i++)
		if (s->opt[i] == other) {
			log_error("%s and %s: give one of them", opt_name(a, opts, other),
				  opt_name(b, opts, c));
			return true;
		}
	for (unsigned i = 0; i < s->n; i++)
		if (s->opt[i] == c)
			return false; /* (-u is repeatable: noted once) */
	seen_add(s, c, "");
	return false;
}
