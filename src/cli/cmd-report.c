/* SPDX-License-Identifier: EUPL-1.2 */
#include "kt-cli.h"
#include "util/kt-log.h"

int
kt_cmd_report(int argc, char **argv)
{
	log_error("'kicktrack report' is not implemented yet");
	return KT_EXIT_FAILURE;
}
