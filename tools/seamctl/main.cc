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
  auto* init = app.add_subcommand("init", "create the state directory, key file and event log");
  init->callback([&] { code = RunInit(g); });

  auto* token = app.add_subcommand("token", "issue, rotate or revoke a seam's token");
  token->require_subcommand(1);
  token->fallthrough();
  std::string seam;
  std::string reason = "revoked with seamctl";
  auto* issue = token->add_subcommand("issue", "issue the first token and write it to every side");
  issue->add_option("SEAM", seam, "seam name")->required();
  issue->callback([&] { code = RunTokenIssue(g, seam); });
  auto* rotate = token->add_subcommand("rotate", "replace the token and write it to every side");
  rotate->add_option("SEAM", seam, "seam name")->required();
  rotate->callback([&] { code = RunTokenRotate(g, seam); });
  auto* revoke = token->add_subcommand("revoke", "revoke the token and remove it from every side");
  revoke->add_option("SEAM", seam, "seam name")->required();
  revoke->add_option("--reason", reason, "why (recorded in the log)");
  revoke->callback([&] { code = RunTokenRevoke(g, seam, reason); });

  std::string from;
  auto* adopt = app.add_subcommand("adopt", "take the value a side holds into the log, then write it to the other sides");
  adopt->add_option("SEAM", seam, "seam name")->required();
  adopt->add_option("--from", from, "the side whose value to adopt")->required();
  adopt->callback([&] { code = RunAdopt(g, seam, from); });

  std::vector<std::string> seams;
  bool json = false;
  auto* check = app.add_subcommand("check", "judge every side of the seams; writes nothing");
  check->add_option("SEAM", seams, "seams to check (default: all)");
  check->add_flag("--json", json, "print the report as JSON (schema in README)");
  check->callback([&] { code = RunCheck(g, seams, json); });

  bool dry_run = false;
  auto* repair = app.add_subcommand("repair", "repair lagging, foreign and missing sides per policy");
  repair->add_option("SEAM", seams, "seams to repair (default: all)");
  repair->add_flag("--dry-run", dry_run, "say what would be repaired, write nothing");
  repair->add_flag("--json", json, "print the report as JSON (schema in README)");
  repair->callback([&] { code = RunRepair(g, seams, dry_run, json); });

  std::string log_seam;
  auto* log = app.add_subcommand("log", "print the event log, secrets as fingerprints");
  log->add_option("--seam", log_seam, "only this seam's stream");
  log->add_flag("--json", json, "JSON Lines, one event per line (schema in README)");
  log->callback([&] { code = RunLog(g, log_seam, json); });

  auto* verify = app.add_subcommand("verify", "recompute the hash chain; exit 1 naming the first bad seq");
  verify->add_flag("--json", json, "print the result as JSON (schema in README)");
  verify->callback([&] { code = RunVerify(g, json); });

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
