/* SPDX-License-Identifier: EUPL-1.2 */
#include "kt-pipeline.h"
