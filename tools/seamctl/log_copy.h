#pragma once
// The whole event log copied from one store into another, byte for byte: `store copy` (SQLite to
// PostgreSQL and back), `backup` (into a new SQLite file) and `store restore` (from one).

#include <string>

#include "core/event_store.h"
#include "core/store.h"
#include "core/status.h"

namespace seam::seamctl {

// Verifies `source` (a broken chain is FailedPrecondition: it is not copied), then appends its
// events up to that head to `target`, which must hold none, each hashing to the source's hash;
// then verifies the copy to the source's head. `source_name` names the source in messages.
// Events appended to the source meanwhile are left out. Returns the source's verified head.
Result<VerifyReport> CopyWholeLog(EventStore& source, const std::string& source_name, Store& target);

}  // namespace seam::seamctl
