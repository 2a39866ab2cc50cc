#pragma once
// StateContext: the opened state a command works on: config, store (core/store.h: the log, the
// writer locks, the confirmation book), key ring, clock, actor. Built in one place so every command validates its inputs in the same order: config
// first, then key file, then database; nothing is written until all three are good.

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/event_store.h"
#include "core/side_registry.h"
#include "core/store.h"
#include "reconcilers/seam_context.h"

namespace seam {

struct StateContext {
  SideRegistry registry;
  Config config;
  std::unique_ptr<Store> store;  // store::Open (store/open.h), by [store] url
  std::shared_ptr<KeyRing> keys;  // shared with the probing sides' ProbeLog
  SystemClock clock;
  std::string actor;
  // The agent this process acts as (core/agent.h), resolved by OpenState.
  std::string agent;
  // By seam name: the sides OpenState left out because they are other agents' (OpenMode
  // all_sides false), each {side, agent}, in the seam's side order.
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> sides_elsewhere;
  std::unique_ptr<HookRunner> hooks;  // on_repair commands, run in the config file's directory
  // When sides were last seen in sync (drift brackets); set by OpenConfirmations.
  std::unique_ptr<ConfirmationBook> confirmations;

  EventStore& log() { return store->Log(); }
  SeamContext Seam() { return SeamContext{store->Log(), *keys, clock, actor, hooks.get(), confirmations.get()}; }
  // Opens the store's confirmation book. The book only narrows drift brackets: callers report a
  // failure as a warning and go on without it.
  Status OpenConfirmations();
  // Writes the config index (tools/common/config_for_seam.h) for the config file's current
  // text, unless it is already for it. Logs what it did; a failure is a warning (a cache).
  void UpdateConfigIndex() const;
  // The seam named `name`, or InvalidArgument listing the configured ones.
  Result<const SeamConfig*> FindSeam(const std::string& name) const;

  // The seam's writer lock (Store::LockStream), waiting DefaultLockWait().
  Result<std::unique_ptr<WriterLock>> LockSeam(const SeamConfig& seam) const;
};

// What a command needs opened besides the config.
struct OpenMode {
  bool key = true;         // read the key file (verify does not need it)
  bool read_only = false;  // open the event log read-only (check, log, verify)
  // Non-empty: the command is about this seam only (audit, drift), and the config is loaded
  // through the config index (tools/common/config_for_seam.h): `config.seams` may then hold
  // just this seam.
  std::string only_seam;
  // The agent name given on the command line (--agent); empty: $SEAM_AGENT, [agent] name, the
  // host name (ResolveAgentName).
  std::string agent;
  // false (seamctl): each seam keeps only the sides this agent acts on: those named for it and
  // those named for no agent (a person's command writes them, as on one host); sides named for
  // other agents are theirs to write. true (seamd): every side, for the daemon to choose per
  // pass by ownership.
  bool all_sides = false;
};

// Loads the config, then the key file, then the (existing) event log.
Result<std::unique_ptr<StateContext>> OpenState(const std::string& config_flag, OpenMode mode = {});

// Loads the config only (for commands that do not need the log); `only_seam` as in OpenMode.
Result<std::unique_ptr<StateContext>> LoadConfigOnly(const std::string& config_flag,
                                                     const std::string& only_seam = "");

// How long seamctl waits for a seam's lock: $SEAM_LOCK_WAIT_MS, else 10 s. Operations take
// milliseconds, so a longer wait means a stuck or very slow holder.
std::chrono::milliseconds DefaultLockWait();

// $SEAM_ACTOR, else "seamctl:<user>@<host>".
std::string DefaultActor(const std::string& program);

}  // namespace seam
