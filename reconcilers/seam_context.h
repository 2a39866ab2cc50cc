#pragma once
// What every reconciler operation needs besides the seam itself. Borrowed references: the
// caller (tools/) owns the store, keys and clock and keeps them alive for the call.

#include <string>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/event_store.h"
#include "core/hook_runner.h"

namespace seam {

struct SeamContext {
  EventStore& store;
  const KeyRing& keys;
  const Clock& clock;
  std::string actor;  // recorded on every event appended: "seamctl:alice@host"
  HookRunner* hooks = nullptr;  // runs on_repair commands; required when a side sets one
};

// Runs `side`'s on_repair command, if it has one, through ctx.hooks.
Status RunOnRepairHook(SeamContext& ctx, const SeamConfig& seam, const SideConfig& side);

}  // namespace seam
