/* SPDX-License-Identifier: EUPL-1.2 */
#include "kt-charts.h"
#include "util/kt-log.h"

void
kt_report_opts_default(struct kt_report_opts *o)
{
	*o = (struct kt_report_opts){ .lang = "de", .quiet = false, .gnuplot = "gnuplot" };
}

int
kt_report_render(const char *outdir, const struct kt_report_opts *o)
{
	log_error("%s: charts are not implemented yet", outdir);
	return 1;
}
