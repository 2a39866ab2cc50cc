#pragma once
// seamctl's commands. Each returns the process exit code:
//   0 ok / all in sync, 1 drift remains / log broken, 2 trouble (bad input, unreadable side,
//   store error), 3 retryable (another writer won or holds the seam/log; retry).
// Errors are printed by the command as one line "seamctl: error: ..." on stderr.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/event_store.h"
#include "core/status.h"
#include "reconcilers/certificate/certificate_operations.h"
#include "reconcilers/operations.h"
#include "reconcilers/pairing/pairing_operations.h"
#include "reconcilers/token/token_operations.h"

namespace seam::seamctl {

struct GlobalOptions {
  std::string config;     // -c/--config
  std::string log_level;  // --log-level
  // --wait on operations: how long to wait for the sides other agents write (README "Many hosts").
  int wait_s = 30;
};

int RunInit(const GlobalOptions& g);
// seamctl init --start-over REASON: the SQLite log moved aside (kept), a new chain begun with
// LogStarted naming it; a missing key file is made anew (README "Recovery").
int RunInitStartOver(const GlobalOptions& g, const std::string& reason);
int RunTokenIssue(const GlobalOptions& g, const std::string& seam);
int RunTokenRotate(const GlobalOptions& g, const std::string& seam);
int RunTokenRevoke(const GlobalOptions& g, const std::string& seam, const std::string& reason);
int RunPair(const GlobalOptions& g, const std::string& seam, const PairRequest& request);
int RunUnpair(const GlobalOptions& g, const std::string& seam, const std::string& reason);
int RunCertImport(const GlobalOptions& g, const std::string& seam, const std::string& cert_file,
                  const std::string& key_file);
int RunCertIssue(const GlobalOptions& g, const std::string& seam, const std::string& common_name, int days);
int RunAdopt(const GlobalOptions& g, const std::string& seam, const std::string& from);
// `value set`: exactly one source of the value.
struct ValueInput {
  std::optional<std::string> value;  // --value (refused on a secret seam)
  std::string from_file;             // --from-file
  bool from_stdin = false;           // --stdin
  bool generate = false;             // --generate ([seam.format])
};
int RunValueSet(const GlobalOptions& g, const std::string& seam, const ValueInput& input);
int RunValueUnset(const GlobalOptions& g, const std::string& seam, const std::string& reason);
// Writes the certificate pair event `seq` keeps (a SideRepaired's overwritten pair, or a
// version of the seam) to DIR/chain.pem (0644) and DIR/key.pem (0600); refuses existing files.
int RunRestore(const GlobalOptions& g, const std::string& seam, std::int64_t seq, const std::string& dir);
// Runs `command` (no shell, stdio and environment inherited) under the seam's lock between two
// observations of every side; adopts what it changed (reconcilers/wrap.h). The command's exit
// code when it failed, else 0 in sync / 1 drift / 2 trouble / 3 retry.
int RunWrap(const GlobalOptions& g, const std::string& seam, const std::vector<std::string>& command);
// `deadline_arg`: `--deadline DURATION` ("" when not given).
int RunCheck(const GlobalOptions& g, const std::vector<std::string>& seams, bool json,
             const std::string& deadline_arg);
int RunRepair(const GlobalOptions& g, const std::vector<std::string>& seams, bool dry_run, bool json,
              bool force);
int RunLog(const GlobalOptions& g, const std::string& seam, bool json);

// `seamctl audit SEAM`: the seam's timeline from its own stream (tools/common/audit_timeline.h),
// oldest first, then its drifts; `--json` prints the audit object (schema in README).
// 0 ok, 2 bad input (unknown seam, a TIME that does not parse, since after until).
struct AuditOptions {
  std::string since;  // --since TIME (tools/common/time_arg.h)
  std::string until;  // --until TIME
  bool since_given = false;
  bool until_given = false;
  bool json = false;
  std::string html;         // --html FILE: the one-page picture (tools/common/audit_html.h)
  bool html_given = false;
  bool all = false;         // --all: every seam of the config (no SEAM)
};
// `seamctl audit SEAM|--all [--since T] [--until T] [--json] [--html FILE]`.
int RunAudit(const GlobalOptions& g, const std::string& seam, const AuditOptions& options);
// `seamctl drift SEAM`: the seam's open drift (else its most recent one) in one paragraph;
// `--json` {"seam", "drift", "operation", "text", "open"}. 0 no drift open, 1 one is open, 2 trouble.
int RunDrift(const GlobalOptions& g, const std::string& seam, bool json);

// A head kept outside the log (tools/seamctl/cmd_head.cc): what `seamctl head` printed, given
// back to `verify` as --head SEQ:HASH (`value`) or --head-file PATH (`file`: head --json).
struct KeptHeadFlags {
  std::string value;
  std::string file;
  bool value_given = false;  // the flag was there (an empty value is malformed, not absent)
  bool file_given = false;
  bool given() const { return value_given || file_given; }
};
struct KeptHead {
  std::int64_t seq = 0;  // 0 with the genesis hash: the empty log
  Hash hash{};
};
// The head the flags name; InvalidArgument (one line, naming the flag or file) when malformed.
Result<KeptHead> ParseKeptHead(const KeptHeadFlags& flags);
// Whether the log still extends `kept`, judged on the chain `chain` (a Verify() of `store`).
struct HeadCheck {
  bool ok = false;
  std::int64_t bad_seq = 0;  // when !ok and the chain was intact: the first removed seq, or kept.seq
  std::string reason;        // when !ok
};
Result<HeadCheck> CheckKeptHead(EventStore& store, const VerifyReport& chain, const KeptHead& kept);

// `seamctl head`: the verified chain's head, to keep outside (text, or --json {seq, hash}).
int RunHead(const GlobalOptions& g, bool json);
// `store copy --to URL`: the whole verified log into an empty store, byte for byte (cmd_store.cc).
int RunStoreCopy(const GlobalOptions& g, const std::string& to_url);
// seamctl backup FILE: the whole log, verified, into a new SQLite file (tools/seamctl/cmd_backup.cc).
int RunBackup(const GlobalOptions& g, const std::string& file);
// seamctl store restore --from FILE: a backup into the configured store, which must hold no log.
int RunStoreRestore(const GlobalOptions& g, const std::string& from);
// `seamctl verify`: the chain; with a kept head also that the log still extends it.
int RunVerify(const GlobalOptions& g, bool json, const KeptHeadFlags& head = {});
// Asks a running seamd (`daemon_url`, else the config's [daemon] listen) for GET /status and
// prints it (--json: as the daemon sent it). 0 all in sync, 1 drift, 2 trouble (the daemon not
// reachable: one line naming the URL).
// seamctl notify test [NAME] (cmd_notify.cc).
int RunNotifyTest(const GlobalOptions& g, const std::string& name);

// `seamctl discover PATH... [--json | --toml] [--exclude GLOB]... [--include-plain]`
// (cmd_discover.cc, tools/discover): 0 nothing found, 1 candidates (a group with a place the
// config does not keep, or a near miss), 2 trouble (a PATH that does not exist, a bad config).
struct DiscoverFlags {
  std::vector<std::string> paths;
  std::vector<std::string> excludes;
  std::vector<std::string> probe_tls;  // HOST:PORT
  bool include_plain = false;
  bool json = false;
  bool toml = false;
};
int RunDiscover(const GlobalOptions& g, const DiscoverFlags& flags);

int RunStatus(const GlobalOptions& g, const std::string& daemon_url, const std::string& token_file, bool json,
              bool watch);

// Runs one operation under the seam's writer lock (held from replay to the last side write)
// and prints what it did; exit 0 only when every side confirmed the new state.
using OperationFn = std::function<Result<OperationReport>(SeamContext&, const SeamConfig&)>;
int RunOperation(const GlobalOptions& g, const std::string& seam_name, const OperationFn& op);

// Prints "seamctl: error: <message>" and returns the exit code for the status.
int Fail(const Status& status);
// Exit code for a status: Conflict and Unavailable (busy) -> 3, everything else -> 2.
int ExitCodeFor(const Status& status);

}  // namespace seam::seamctl
