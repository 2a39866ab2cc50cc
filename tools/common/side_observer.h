#pragma once
// Observes the sides of many seams at once: each side is one task on a small pool of threads,
// so a pass over a thousand seams waits for the slowest sides in parallel rather than for every
// side in turn. Observations do not touch the event log, so this needs no store connection;
// the reconcile pass then judges them one seam at a time (RunPass's `observed`).
//
// Each Side object is observed by one thread at a time (one task per side), which is all the
// Side contract asks.

#include <vector>

#include "core/config.h"
#include "core/side.h"

namespace seam {

// Per seam (in `seams` order), one observation per side (in `seam.sides` order). `threads` is
// capped at the number of sides; 1 observes on the calling thread. Every side is done by
// `deadline`: one still waiting then, or not started by then, is unreadable (core/side.h).
std::vector<std::vector<Observation>> ObserveAll(const std::vector<const SeamConfig*>& seams,
                                                 unsigned threads, Deadline deadline = kNoDeadline);

// The default pool size: sides mostly wait on I/O (sockets, files, other programs), so more
// threads than cores pays, up to a point.
unsigned DefaultObserverThreads();

}  // namespace seam
