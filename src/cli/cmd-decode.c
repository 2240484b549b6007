/* SPDX-License-Identifier: EUPL-1.2 */
#include "kt-cli.h"
#include "util/kt-log.h"

int
kt_cmd_decode(int argc, char **argv)
{
	log_error("'kicktrack decode' is not implemented yet");
	return KT_EXIT_FAILURE;
}
