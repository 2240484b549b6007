/* SPDX-License-Identifier: EUPL-1.2 */
#include "kt-cli.h"
#include "util/kt-log.h"

int
kt_cmd_process(int argc, char **argv)
{
	log_error("'kicktrack process' is not implemented yet");
	return KT_EXIT_FAILURE;
}
