#pragma once
// What every reconciler operation needs besides the seam itself, and the steps the reconcile
// pass and the operations share. Borrowed references: the caller (tools/) owns the store, keys
// and clock and keeps them alive for the call.

#include <functional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/confirmation_book.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/event_store.h"
#include "core/hook_runner.h"
#include "reconcilers/record_state.h"

namespace seam {

struct SeamContext {
  EventStore& store;
  const KeyRing& keys;
  const Clock& clock;
  std::string actor;  // recorded on every event appended: "seamctl:alice@host"
  HookRunner* hooks = nullptr;  // runs on_repair commands; required when a side sets one
  // Where repair passes note when each side was last seen in sync (drift brackets); optional.
  ConfirmationBook* confirmations = nullptr;
  // The epoch of the seam's ownership lease this agent holds (core/ownership.h): every append of
  // the pass is fenced by it, refused when the lease was taken over or ran out. 0: unfenced (a
  // store one host keeps, or an agent writing only the sides named for it).
  std::int64_t epoch = 0;
};

// Appends `drafts` (one append, in order) to `stream` at the state's version and folds them in.
// A Conflict means another writer appended first: the caller reports it, and the next pass
// starts from the new state. Nothing to append is Ok. `once_appended`, if set, runs when the
// append succeeded, before the catch-up read (which may still fail).
Status AppendAndCatchUp(SeamContext& ctx, const std::string& stream, RecordState& state,
                        std::vector<EventDraft> drafts, const std::function<void()>& once_appended = {});

// Runs `side`'s on_repair command, if it has one, through ctx.hooks.
Status RunOnRepairHook(SeamContext& ctx, const SeamConfig& seam, const SideConfig& side);

// Judges what `side` of `seam` holds against `state`: through the side's transform and over
// the fields it maps; `expiring` per the seam's renew_before and the context's clock.
Judgement JudgeSide(const SeamContext& ctx, const SeamConfig& seam, const RecordState& state,
                    const SideConfig& side, const Observation& observation);

// The event taking what `side` holds (`observation`) into the log as the seam's new value:
// the current record with the side's fields in place of the log's. InvalidArgument when the
// kind cannot be adopted or the side stores a digest; FailedPrecondition when the side holds
// no value or the result would have no secret field.
Result<EventDraft> AdoptionDraft(SeamContext& ctx, const SeamConfig& seam, const RecordState& state,
                                 const SideConfig& side, const Observation& observation,
                                 const std::string& reason);

// The fields a side held (a cereal map of field -> value), sealed under `stream` and `version`
// (the event that overwrites them), so a value the log never had is never lost.
Result<std::string> SealObservedFields(SeamContext& ctx, const std::string& stream,
                                       std::int64_t version, const Observation& observation);

}  // namespace seam
