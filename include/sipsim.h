/* sipsim — chiplet system-in-package composer and evaluator.  Umbrella header.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef SIPSIM_H
#define SIPSIM_H

#include "sipsim/status.h"
#include "sipsim/version.h"
#include "sipsim/model.h"
#include "sipsim/config.h"
#include "sipsim/netsim.h"
#include "sipsim/tpp.h"
#include "sipsim/cost.h"
#include "sipsim/check.h"
#include "sipsim/graph.h"
#include "sipsim/ucie.h"
#include "sipsim/traffic.h"
#include "sipsim/thermal.h"
#include "sipsim/sweep.h"
#include "sipsim/eval.h"
#include "sipsim/report.h"
#include "sipsim/kernels.h"
#include "sipsim/import.h"
#include "sipsim/quant.h"
#include "sipsim/system.h"

#endif
