#!/bin/bash
# SPDX-License-Identifier: EUPL-1.2
exit 77
