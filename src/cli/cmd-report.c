/* SPDX-License-Identifier: EUPL-1.2 */
/* kicktrack report OUTDIR: re-render charts, PDFs and index.html of an
 * output folder written by `kicktrack process`, without reading the logs. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kt-cli.h"
#include "kt-config.h"
#include "report/kt-charts.h"
#include "report/kt-gnuplot.h"
#include "util/kt-args.h"
#include "util/kt-fileio.h"
#include "util/kt-ini.h"
#include "util/kt-log.h"

#define DEFAULT_CONFIG KT_SYSCONFDIR "/kicktrack/kicktrack.conf"

struct report_conf {
	char *lang;
	char *process_lang;   /* [process] lang: used when [report] has none */
	char *gnuplot;
};

static void
usage(FILE *f)
{
	fprintf(f,
		"Usage: kicktrack report [OPTIONS] OUTDIR\n"
		"Draw the charts, PDFs and index.html of OUTDIR (written by 'kicktrack process')\n"
		"again, from its team.csv, session.json and players/*/ CSV files.\n\n"
		"  -l, --lang de|en     language of labels; de also uses the decimal comma\n"
		"                       (config [report] lang, else [process] lang, else the\n"
		"                       language OUTDIR was made in, else en)\n"
		"      --gnuplot PROG   gnuplot program to run (config [report] gnuplot;\n"
		"                       default 'gnuplot' on PATH)\n"
		"      --config FILE    config file (default " DEFAULT_CONFIG ")\n"
		"      --no-config      read no config file\n"
		"  -q, --quiet          only errors\n"
		"  -h, --help           this text\n"
		"  -V, --version        the version\n\n"
		"Writes players/<vest_id>/{heatmap,speed,zones,accel}.png and report.pdf,\n"
		"team_{distance,sprints,hsr,heatmap}.png, team.pdf and index.html.\n"
		"Exit status: 0 all made; 1 OUTDIR unusable (or being written by another\n"
		"kicktrack run); 2 usage or config error;\n"
		"3 partial: some charts are missing (each named with the reason).\n");
}

static int
conf_cb(const char *path, unsigned line, const char *section, const char *key, const char *value,
	void *userdata)
{
	struct report_conf *c = userdata;
	char **dst = NULL;

	if (!strcmp(section, "process") && !strcmp(key, "lang")) {
		free(c->process_lang);
		c->process_lang = strdup(value);
		return c->process_lang ? 0 : -ENOMEM;
	}
	if (strcmp(section, "report") != 0)
		return 0;
	if (!strcmp(key, "lang")) {
		if (strcmp(value, "de") && strcmp(value, "en")) {
			log_error("%s:%u: [report] lang must be de or en, not '%s'", path, line, value);
			return -EINVAL;
		}
		dst = &c->lang;
	} else if (!strcmp(key, "gnuplot"))
		dst = &c->gnuplot;
	else {
		log_error("%s:%u: unknown key '%s' in [report]", path, line, key);
		return -EINVAL;
	}
	free(*dst);
	*dst = strdup(value);
	return *dst ? 0 : -ENOMEM;
}

int
kt_cmd_report(int argc, char **argv)
{
	enum { OPT_GNUPLOT = 0x100, OPT_CONFIG, OPT_NO_CONFIG };
	static const struct option options[] = {
		{ "lang", required_argument, NULL, 'l' },
		{ "gnuplot", required_argument, NULL, OPT_GNUPLOT },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "no-config", no_argument, NULL, OPT_NO_CONFIG },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{}
	};
	struct report_conf conf = { 0 };
	struct kt_report_opts o;
	const char *lang = NULL, *gnuplot = NULL, *config = DEFAULT_CONFIG;
	bool config_given = false, no_config = false, quiet = false;
	int c, r, ret, lock_fd = -1;
	struct kt_args_seen seen = { 0 };

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":l:qhV", options, NULL)) >= 0) {
		if (optarg && kt_args_given_twice(&seen, options, c, optarg))
			return KT_EXIT_USAGE;
		switch (c) {
		case 'l':
			if (strcmp(optarg, "de") && strcmp(optarg, "en")) {
				log_error("--lang must be de or en, not '%s'", optarg);
				return KT_EXIT_USAGE;
			}
			lang = optarg;
			break;
		case OPT_GNUPLOT:
			gnuplot = optarg;
			break;
		case OPT_CONFIG:
			config = optarg;
			config_given = true;
			break;
		case OPT_NO_CONFIG:
			no_config = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			usage(stdout);
			return KT_EXIT_OK;
		case 'V':
			return kt_cli_version();
		default:
			return kt_cli_bad_option("report", c, argv, options);
		}
	}
	if (optind + 1 != argc) {
		log_error("expected exactly one OUTDIR (try 'kicktrack report --help')");
		return KT_EXIT_USAGE;
	}
	if (kt_cli_empty_name("report", "OUTDIR", argv[optind]))
		return KT_EXIT_USAGE;
	if (!no_config) {
		/* no system config: defaults (kt_ini_parse names any other problem) */
		r = config_given || access(config, F_OK) == 0 ? kt_ini_parse(config, conf_cb, &conf) : 0;
		if (r < 0) {
			ret = KT_EXIT_USAGE;
			goto out;
		}
	}

	kt_report_opts_default(&o);
	o.quiet = quiet;
	if (lang)
		o.lang = lang;
	else if (conf.lang)
		o.lang = conf.lang;
	else if (conf.process_lang && (!strcmp(conf.process_lang, "de") || !strcmp(conf.process_lang, "en")))
		o.lang = conf.process_lang;
	if (gnuplot)
		o.gnuplot = gnuplot;
	else if (conf.gnuplot)
		o.gnuplot = conf.gnuplot;

	/* without a gnuplot to run, redrawing would replace every chart and PDF
	 * of the folder, drawn from this same data, by a "chart missing" note */
	{
		char why[160];
		const char *prog = o.gnuplot && *o.gnuplot ? o.gnuplot : "gnuplot";

		if (kt_gnuplot_findable(prog, why, sizeof(why)) < 0) {
			log_error("cannot run '%s': %s: the charts, PDFs and index.html in %s were left as they were",
				  prog, why, argv[optind]);
			ret = KT_EXIT_FAILURE;
			goto out;
		}
	}

	/* not while kicktrack process (or another report) writes there; a
	 * folder that is missing or read-only is for the renderer to name */
	r = kt_dir_lock(argv[optind], &lock_fd);
	if (r == -EBUSY) {
		log_error("%s is being written by another kicktrack run (process or report): "
			  "nothing changed; run again once it has finished", argv[optind]);
		ret = KT_EXIT_FAILURE;
		goto out;
	}
	if (r == -EACCES || r == -EROFS || r == -EPERM) {
		/* one line, not a missing-chart message for every chart */
		log_error("cannot write to %s: %s: nothing changed", argv[optind], strerror(-r));
		ret = KT_EXIT_FAILURE;
		goto out;
	}
	r = kt_report_render(argv[optind], &o);
	if (r < 0)
		ret = KT_EXIT_FAILURE;
	else if (r > 0)
		ret = KT_EXIT_PARTIAL;
	else {
		if (!quiet)
			printf("%s/index.html\n", argv[optind]);
		ret = KT_EXIT_OK;
	}
out:
	kt_dir_unlock(lock_fd);
	free(conf.lang);
	free(conf.process_lang);
	free(conf.gnuplot);
	return ret;
}
