// seamctl: the command line of seam. Parses arguments with CLI11 and dispatches to cmd_*.cc.
#include <CLI/CLI.hpp>

#include <iostream>

#include "tools/common/logging.h"
#include "tools/seamctl/commands.h"

namespace seam::seamctl {
namespace {

int Main(int argc, char** argv) {
  CLI::App app{"seamctl: record, check and repair state shared between components"};
  app.require_subcommand(1);
  // Global options are accepted after the subcommand too: `seamctl repair --log-level debug`.
  app.fallthrough();
  GlobalOptions g;
  app.add_option("-c,--config", g.config, "config file (default: $SEAM_CONFIG, else ./seam.toml)");
  app.add_option("--log-level", g.log_level, "trace|debug|info|warn|error|off (default: $SEAM_LOG_LEVEL, else warn)");

  int code = 0;
  // Operations write this host's sides; other agents' seamd write theirs (README "Many hosts").
  auto add_wait = [&g](CLI::App* op) {
    op->add_option("--wait", g.wait_s,
                   "seconds to wait for the sides other agents write to be confirmed (default 30; 0: do not wait)")
        ->check(CLI::Range(0, 86400));
  };
  auto* init = app.add_subcommand("init", "create the state directory, key file and event log");
  std::string start_over;
  init->add_option("--start-over", start_over,
                   "keep the log aside and start a new one from the sides (a lost key, a tampered log); REASON is recorded")
      ->option_text("REASON");
  init->callback([&] { code = start_over.empty() && init->count("--start-over") == 0 ? RunInit(g) : RunInitStartOver(g, start_over); });

  auto* token = app.add_subcommand("token", "issue, rotate or revoke a seam's token (rotate: pairings too)");
  token->require_subcommand(1);
  token->fallthrough();
  std::string seam;
  std::string reason = "revoked with seamctl";
  auto* issue = token->add_subcommand("issue", "issue the first token and write it to every side");
  issue->add_option("SEAM", seam, "seam name")->required();
  add_wait(issue);
  issue->callback([&] { code = RunTokenIssue(g, seam); });
  auto* rotate = token->add_subcommand("rotate", "replace the token and write it to every side");
  rotate->add_option("SEAM", seam, "seam name")->required();
  add_wait(rotate);
  rotate->callback([&] { code = RunTokenRotate(g, seam); });
  auto* revoke = token->add_subcommand("revoke", "revoke the token and remove it from every side");
  revoke->add_option("SEAM", seam, "seam name")->required();
  revoke->add_option("--reason", reason, "why (recorded in the log)");
  add_wait(revoke);
  revoke->callback([&] { code = RunTokenRevoke(g, seam, reason); });

  PairRequest pair_request;
  auto* pair = app.add_subcommand("pair", "pair a device: record a new pairing and write it to every side");
  pair->add_option("SEAM", seam, "seam name (kind = \"pairing\")")->required();
  pair->add_option("--device", pair_request.device_id, "the device id")->required();
  pair->add_option("--gateway-url", pair_request.gateway_url, "the gateway the device talks to");
  add_wait(pair);
  pair->callback([&] { code = RunPair(g, seam, pair_request); });
  std::string unpair_reason = "unpaired with seamctl";
  auto* unpair = app.add_subcommand("unpair", "remove the pairing from the log and every side");
  unpair->add_option("SEAM", seam, "seam name (kind = \"pairing\")")->required();
  unpair->add_option("--reason", unpair_reason, "why (recorded in the log)");
  add_wait(unpair);
  unpair->callback([&] { code = RunUnpair(g, seam, unpair_reason); });

  auto* cert = app.add_subcommand("cert", "record a certificate and its key, then write every side");
  cert->require_subcommand(1);
  cert->fallthrough();
  std::string cert_file, key_file, common_name;
  int days = 90;
  bool self_signed = false;
  auto* cert_import = cert->add_subcommand("import", "record the chain and key from PEM files (renews when the seam has one)");
  cert_import->add_option("SEAM", seam, "seam name (kind = \"certificate\")")->required();
  cert_import->add_option("--cert", cert_file, "PEM chain, leaf first")->required();
  cert_import->add_option("--key", key_file, "PEM private key of the leaf")->required();
  add_wait(cert_import);
  cert_import->callback([&] { code = RunCertImport(g, seam, cert_file, key_file); });
  auto* cert_issue = cert->add_subcommand("issue", "make a certificate with OpenSSL and record it");
  cert_issue->add_option("SEAM", seam, "seam name (kind = \"certificate\")")->required();
  cert_issue->add_flag("--self-signed", self_signed, "self-signed (the only issuer so far)")->required();
  cert_issue->add_option("--cn", common_name, "subject common name, also its DNS subjectAltName")->required();
  cert_issue->add_option("--days", days, "validity in days (default 90)")->check(CLI::Range(1, 36500));
  add_wait(cert_issue);
  cert_issue->callback([&] { code = RunCertIssue(g, seam, common_name, days); });

  auto* value = app.add_subcommand("value", "set or unset a value seam's value");
  value->require_subcommand(1);
  value->fallthrough();
  ValueInput value_input;
  std::string value_text;
  auto* value_set = value->add_subcommand("set", "record a new value and write it to every side");
  value_set->add_option("SEAM", seam, "seam name (kind = \"value\")")->required();
  auto* value_opt = value_set->add_option("--value", value_text, "the value itself (only when secret = \"false\")");
  value_set->add_option("--from-file", value_input.from_file, "read the value from a file (one final newline dropped)");
  value_set->add_flag("--stdin", value_input.from_stdin, "read the value from standard input (one final newline dropped)");
  value_set->add_flag("--generate", value_input.generate, "draw a new value as the seam's [seam.format] says");
  add_wait(value_set);
  value_set->callback([&] {
    if (value_opt->count() > 0) value_input.value = value_text;
    code = RunValueSet(g, seam, value_input);
  });
  std::string unset_reason = "unset with seamctl";
  auto* value_unset = value->add_subcommand("unset", "record that no value is intended and remove it from every side");
  value_unset->add_option("SEAM", seam, "seam name (kind = \"value\")")->required();
  value_unset->add_option("--reason", unset_reason, "why (recorded in the log)");
  add_wait(value_unset);
  value_unset->callback([&] { code = RunValueUnset(g, seam, unset_reason); });

  std::string from;
  auto* adopt = app.add_subcommand("adopt", "take the value a side holds into the log, then write it to the other sides");
  adopt->add_option("SEAM", seam, "seam name")->required();
  adopt->add_option("--from", from, "the side whose value to adopt")->required();
  add_wait(adopt);
  adopt->callback([&] { code = RunAdopt(g, seam, from); });

  std::int64_t restore_seq = 0;
  std::string restore_dir;
  auto* restore = app.add_subcommand("restore", "write a certificate pair the log keeps (what a repair overwrote, "
                                                "or a version) as DIR/chain.pem and DIR/key.pem");
  restore->add_option("SEAM", seam, "seam name (kind = \"certificate\")")->required();
  restore->add_option("--event", restore_seq, "seq of the event keeping it (`seamctl log SEAM`)")->required();
  restore->add_option("--to", restore_dir, "directory for chain.pem and key.pem (created if absent)")->required();
  restore->callback([&] { code = RunRestore(g, seam, restore_seq, restore_dir); });

  // Everything after `--` is the command, untouched (its own `-v`, `--`, `-c` included).
  std::vector<std::string> wrapped;
  auto* wrap = app.add_subcommand("wrap", "run a tool that changes the sides itself; adopt what it changed, repair the rest");
  wrap->add_option("SEAM", seam, "seam name")->required();
  wrap->add_option("CMD", wrapped, "after `--`: the command and its arguments (run without a shell)")->required();
  wrap->callback([&] { code = RunWrap(g, seam, wrapped); });

  std::vector<std::string> seams;
  bool json = false;
  bool watch = false;  // status --watch
  auto* check = app.add_subcommand("check", "judge every side of the seams; writes nothing");
  check->add_option("SEAM", seams, "seams to check (default: all)");
  check->add_flag("--json", json, "print the report as JSON (schema in README)");
  std::string deadline;
  check->add_option("--deadline", deadline,
                    "answer within DURATION (500ms, 5s, 2m): a side still waiting then is unreadable");
  check->callback([&] { code = RunCheck(g, seams, json, deadline); });

  bool dry_run = false;
  auto* repair = app.add_subcommand("repair", "repair lagging, foreign and missing sides per policy");
  repair->add_option("SEAM", seams, "seams to repair (default: all)");
  repair->add_flag("--dry-run", dry_run, "say what would be repaired, write nothing");
  repair->add_flag("--json", json, "print the report as JSON (schema in README)");
  bool force = false;
  repair->add_flag("--force", force, "repair a flapping seam (clears the flapping state; no repair budget this run)");
  repair->callback([&] { code = RunRepair(g, seams, dry_run, json, force); });

  std::string log_seam;
  auto* log = app.add_subcommand("log", "print the event log, secrets as fingerprints");
  log->add_option("--seam", log_seam, "only this seam's stream");
  log->add_flag("--json", json, "JSON Lines, one event per line (schema in README)");
  log->callback([&] { code = RunLog(g, log_seam, json); });

  AuditOptions audit_options;
  auto* audit = app.add_subcommand("audit", "a seam's history: operations and the sides they reached, drifts, repairs, adoptions");
  auto* audit_seam = audit->add_option("SEAM", seam, "seam name (or --all)");
  auto* since_flag = audit->add_option("--since", audit_options.since, "only events from TIME on: RFC 3339, or an age (90s, 15m, 2h, 7d)")
                         ->option_text("TIME");
  auto* until_flag = audit->add_option("--until", audit_options.until, "only events up to TIME (the audit as the log stood then)")
                         ->option_text("TIME");
  audit->add_flag("--json", audit_options.json, "print the audit as JSON (schema in README)");
  auto* html_flag = audit->add_option("--html", audit_options.html,
                                      "also write FILE: one self-contained HTML page, a time band per side "
                                      "(in sync / drift, brackets, marks)")
                        ->option_text("FILE");
  auto* all_flag = audit->add_flag("--all", audit_options.all, "every seam of the config");
  all_flag->excludes(audit_seam);
  audit->callback([&] {
    if (!audit_options.all && audit_seam->count() == 0) {
      code = Fail(Status::InvalidArgument("audit: name a SEAM, or give --all"));
      return;
    }
    audit_options.html_given = html_flag->count() > 0;
    audit_options.since_given = since_flag->count() > 0;
    audit_options.until_given = until_flag->count() > 0;
    code = RunAudit(g, seam, audit_options);
  });

  DiscoverFlags discover_flags;
  auto* discover = app.add_subcommand("discover", "find the seams nobody declared: values kept in several places "
                                                  "(never printed); writes nothing");
  discover->add_option("PATH", discover_flags.paths, "files and directories to walk")->required();
  discover->add_option("--exclude", discover_flags.excludes, "pass over files and folders matching GLOB (repeatable)")
      ->option_text("GLOB");
  discover->add_option("--probe-tls", discover_flags.probe_tls,
                       "also the certificate the TLS server at HOST:PORT presents (repeatable)")
      ->option_text("HOST:PORT");
  discover->add_flag("--include-plain", discover_flags.include_plain, "also URLs and host names, not only secrets and certificates");
  auto* discover_json = discover->add_flag("--json", discover_flags.json, "print the findings as JSON (schema in README)");
  discover->add_flag("--toml", discover_flags.toml, "print [[seam]] tables for seam.toml and the adopt commands")
      ->excludes(discover_json);
  discover->callback([&] { code = RunDiscover(g, discover_flags); });

  auto* drift = app.add_subcommand("drift", "the seam's open (else most recent) drift in one paragraph; exit 1 while one is open");
  drift->add_option("SEAM", seam, "seam name")->required();
  drift->add_flag("--json", json, "print {seam, drift, operation, text, open} (schema in README)");
  drift->callback([&] { code = RunDrift(g, seam, json); });

  KeptHeadFlags kept_head;
  auto* verify = app.add_subcommand("verify", "recompute the hash chain; exit 1 naming the first bad seq");
  verify->add_flag("--json", json, "print the result as JSON (schema in README)");
  auto* head_flag = verify->add_option("--head", kept_head.value,
                                       "SEQ:HASH from `seamctl head`, kept elsewhere: the log must still extend it")
                        ->option_text("SEQ:HASH");
  auto* head_file_flag =
      verify->add_option("--head-file", kept_head.file, "file holding `seamctl head --json` output (instead of --head)")
          ->option_text("PATH")
          ->excludes(head_flag);
  verify->callback([&] {
    // `--head ''` is given, and malformed: it must not fall back to the plain check.
    kept_head.value_given = head_flag->count() > 0;
    kept_head.file_given = head_file_flag->count() > 0;
    code = RunVerify(g, json, kept_head);
  });

  auto* head = app.add_subcommand("head", "print the log's head (seq and hash) to keep outside the log, for verify --head");
  head->add_flag("--json", json, "print {\"seq\": N, \"hash\": \"HEX\"} (what verify --head-file reads)");
  head->callback([&] { code = RunHead(g, json); });

  std::string copy_to;
  auto* store_cmd = app.add_subcommand("store", "work on the event log's store as a whole");
  store_cmd->require_subcommand(1);
  auto* store_copy = store_cmd->add_subcommand(
      "copy", "copy the whole log into an empty store (sqlite:PATH or postgresql://…), byte for byte; both ends verified");
  store_copy->add_option("--to", copy_to, "the target store's URL")->required()->option_text("URL");
  store_copy->callback([&] { code = RunStoreCopy(g, copy_to); });
  std::string restore_from;
  auto* store_restore = store_cmd->add_subcommand(
      "restore", "copy a backup (seamctl backup) into the configured store, which must hold no log; verified");
  store_restore->add_option("--from", restore_from, "the backup file")->required()->option_text("FILE");
  store_restore->callback([&] { code = RunStoreRestore(g, restore_from); });

  std::string backup_file;
  auto* backup = app.add_subcommand("backup", "copy the whole log, consistent and verified, into a new SQLite FILE (seamd may run)");
  backup->add_option("FILE", backup_file, "the new backup file (must not exist)")->required();
  backup->callback([&] { code = RunBackup(g, backup_file); });

  std::string daemon_url, token_file;
  auto* status = app.add_subcommand("status", "ask a running seamd for every seam's state (its last pass)");
  status->add_option("--daemon", daemon_url, "seamd's listener, http://HOST:PORT (default: [daemon] listen in the config)");
  status->add_option("--token-file", token_file, "file holding the bearer token (a listener started with --token-file)");
  status->add_flag("--json", json, "print the daemon's JSON (the check --json schema plus last_pass_at)");
  status->add_flag("--watch", watch, "ask every second until Ctrl-C: redraws the table on a terminal, prints it when it changes otherwise");
  status->callback([&] { code = RunStatus(g, daemon_url, token_file, json, watch); });

  std::string notify_name;
  auto* notify = app.add_subcommand("notify", "work on [[notify]] targets");
  notify->require_subcommand(1);
  auto* notify_test = notify->add_subcommand("test", "send one test notification to every [[notify]] target (or NAME)");
  notify_test->add_option("NAME", notify_name, "only the [[notify]] table of this name");
  notify_test->callback([&] { code = RunNotifyTest(g, notify_name); });

  // Logging must be set up before any callback runs, so it is configured in a parse hook.
  app.parse_complete_callback([&] {
    Status logging = SetUpLogging("seamctl", g.log_level);
    if (!logging.ok()) throw CLI::ValidationError(logging.message());
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "seamctl: error: " << e.what() << " (see seamctl --help)\n";
    return 2;
  }
  return code;
}

}  // namespace
}  // namespace seam::seamctl

int main(int argc, char** argv) { return seam::seamctl::Main(argc, argv); }
