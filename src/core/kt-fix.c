/* SPDX-License-Identifier: EUPL-1.2 */
#include <math.h>

#include "kt-fix.h"

bool
kt_fix_is_valid(const struct kt_fix *f)
{
	return f->quality != KT_FIX_NONE && f->quality != KT_FIX_DR &&
	       !isnan(f->lat_deg) && !isnan(f->lon_deg) && !isnan(f->speed_mps);
}
