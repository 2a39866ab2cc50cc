// seamctl audit and seamctl drift: a seam's history folded from its own stream (reconcilers/
// audit_fold.h), rendered as text or JSON (tools/common/audit_timeline.h). Both open the log
// read-only and need the key file (fingerprints); neither writes anything.
#include <iostream>
#include <memory>

#include "core/clock.h"
#include "plugins/common/atomic_file.h"
#include "reconcilers/reconcile_pass.h"
#include "tools/common/report_output.h"
#include "tools/common/audit_html.h"
#include "tools/common/audit_timeline.h"
#include "tools/common/state_context.h"
#include "tools/common/time_arg.h"
#include "tools/seamctl/commands.h"

namespace seam::seamctl {
namespace {

using Json = nlohmann::ordered_json;

std::string Text(const Json& j, const std::string& if_null) { return j.is_string() ? j.get<std::string>() : if_null; }

// "still open" / "repaired at T by X" / ...: how a drift of the audit ended.
std::string Ending(const Json& closed) {
  if (closed.is_null()) return "still open";
  const std::string how = closed["how"].get<std::string>();
  const std::string at = Text(closed["at"], "an unknown time");
  if (how == "repaired") return "repaired at " + at + (closed["by"].is_string() ? " by " + closed["by"].get<std::string>() : "");
  if (how == "adopted") return "adopted at " + at + " (" + closed["cause"].get<std::string>() + ")";
  if (how == "external") return "back in sync at " + at + " without seam writing it (external)";
  return how + " at " + at;
}

void PrintAuditText(const Json& a, std::ostream& out) {
  out << "seam " << a["seam"].get<std::string>() << " (" << a["stream"].get<std::string>() << "), sides";
  for (const Json& s : a["sides"]) out << " " << s.get<std::string>();
  const Json& intended = a["intended"];
  out << "; intended: " << intended["state"].get<std::string>();
  if (intended.contains("revision") && !intended["revision"].is_null()) {
    out << " rev " << intended["revision"].dump() << " (log version " << intended["version"].dump() << ")";
  } else if (!intended["version"].is_null()) {
    out << " version " << intended["version"].dump();
  }
  if (!intended["fingerprint"].is_null()) out << " " << intended["fingerprint"].get<std::string>();
  out << "\n";
  if (!a["window"]["since"].is_null() || !a["window"]["until"].is_null()) {
    out << "window: " << Text(a["window"]["since"], "the beginning") << " .. " << Text(a["window"]["until"], "now") << "\n";
  }
  for (const Json& e : a["entries"]) {
    out << e["time"].get<std::string>() << "  v" << e["version"].dump() << "  " << e["event"].get<std::string>() << " by "
        << e["actor"].get<std::string>() << "  " << e["summary"].get<std::string>() << "\n";
  }
  if (a["entries"].empty()) out << "(no events in this window)\n";
  out << "drifts:\n";
  for (const Json& d : a["drifts"]) {
    out << "  v" << d["opened_version"].dump() << " " << d["side"].get<std::string>() << " " << d["verdict"].get<std::string>();
    if (!d["holds_version"].is_null()) out << " (holds v" << d["holds_version"].dump() << ")";
    if (!d["fingerprint"].is_null() && d["verdict"] != "lagging") out << " (" << d["fingerprint"].get<std::string>() << ")";
    out << ": began between " << Text(d["last_in_sync_at"], "an unknown time") << " and "
        << d["first_seen_at"].get<std::string>();
    if (!d["side_changed_at"].is_null()) out << " (the side says " << d["side_changed_at"].get<std::string>() << ")";
    if (!d["during_unreadable"].is_null()) {
      out << ", while unreadable from " << d["during_unreadable"]["since"].get<std::string>();
    }
    if (!d["missed_operation"].is_null()) {
      out << "; missed " << d["missed_operation"]["event"].get<std::string>() << " v" << d["missed_operation"]["version"].dump();
    }
    out << "; " << Ending(d["closed"]) << "\n";
  }
  if (a["drifts"].empty()) out << "  (none)\n";
  if (!a["flapping"].empty()) {
    out << "flapping:\n";
    for (const Json& f : a["flapping"]) {
      out << "  " << f["side"].get<std::string>() << " since " << f["since"].get<std::string>() << "; "
          << (f["cleared_at"].is_null() ? std::string("repairs stopped until `seamctl repair --force`")
                                        : "cleared at " + f["cleared_at"].get<std::string>())
          << "\n";
    }
  }
  if (!a["unreadable"].empty()) {
    out << "unreadable:\n";
    for (const Json& u : a["unreadable"]) {
      out << "  " << u["side"].get<std::string>() << " from " << u["since"].get<std::string>() << " "
          << (u["until"].is_null() ? std::string("(still unreadable)") : "to " + u["until"].get<std::string>()) << ": "
          << u["reason"].get<std::string>() << "\n";
    }
  }
}

// Events that did not decode were listed, not hidden; still they are trouble (like `log`).
int FinishOutput(std::int64_t errors, const std::string& stream) {
  std::cout.flush();
  if (!std::cout) return Fail(Status::IoError("cannot write to standard output"));
  if (errors > 0) {
    return Fail(Status::Corruption(std::to_string(errors) + " events of " + stream +
                                   " do not decode or unseal: wrong key file, or the log was altered; run `seamctl verify`"));
  }
  return -1;
}

Result<Json> OpenAndBuild(const GlobalOptions& g, const std::string& seam_name, const AuditWindow& window,
                          std::int64_t now_us) {
  // Only this seam's table is parsed when the config index knows the config (one of 10,000).
  SEAM_ASSIGN_OR_RETURN(std::unique_ptr<StateContext> ctx, OpenState(g.config, OpenMode{.key = true, .read_only = true, .only_seam = seam_name, .agent = {}, .all_sides = false}));
  SEAM_ASSIGN_OR_RETURN(const SeamConfig* seam, ctx->FindSeam(seam_name));
  return BuildAudit(ctx->log(), *ctx->keys, *seam, window, now_us);
}

// Every seam of the config (--all), in config order.
Result<std::vector<Json>> OpenAndBuildAll(const GlobalOptions& g, const AuditWindow& window, std::int64_t now_us) {
  SEAM_ASSIGN_OR_RETURN(std::unique_ptr<StateContext> ctx, OpenState(g.config, OpenMode{.key = true, .read_only = true, .only_seam = {}, .agent = {}, .all_sides = false}));
  std::vector<Json> audits;
  for (const SeamConfig& seam : ctx->config.seams) {
    SEAM_ASSIGN_OR_RETURN(Json audit, BuildAudit(ctx->log(), *ctx->keys, seam, window, now_us));
    audits.push_back(std::move(audit));
  }
  return audits;
}

// Checked before any work, so a page that cannot be written costs nothing and leaves nothing.
Status CheckHtmlTarget(const std::string& path) {
  if (path.empty()) return Status::InvalidArgument("--html needs a file name");
  Status ok = CheckReplaceable(path);
  if (!ok.ok()) return Status::InvalidArgument("--html " + ok.message());
  return Status::Ok();
}

}  // namespace

int RunAudit(const GlobalOptions& g, const std::string& seam_name, const AuditOptions& options) {
  // Bad times are refused before anything is opened.
  const std::int64_t now = SystemClock().NowMicros();
  AuditWindow window;
  if (options.since_given) {
    Result<std::int64_t> since = ParseTimeArg("--since", options.since, now);
    if (!since.ok()) return Fail(since.status());
    window.since_us = *since;
  }
  if (options.until_given) {
    Result<std::int64_t> until = ParseTimeArg("--until", options.until, now);
    if (!until.ok()) return Fail(until.status());
    window.until_us = *until;
  }
  if (options.since_given && options.until_given && window.since_us > window.until_us) {
    return Fail(Status::InvalidArgument("--since " + FormatTimeMicros(window.since_us) + " is after --until " +
                                        FormatTimeMicros(window.until_us)));
  }
  const bool html = options.html_given;
  if (html) {
    if (Status target = CheckHtmlTarget(options.html); !target.ok()) return Fail(target);
  }
  std::vector<Json> audits;
  if (options.all) {
    Result<std::vector<Json>> all = OpenAndBuildAll(g, window, now);
    if (!all.ok()) return Fail(all.status());
    audits = std::move(*all);
  } else {
    Result<Json> one = OpenAndBuild(g, seam_name, window, now);
    if (!one.ok()) return Fail(one.status());
    audits.push_back(std::move(*one));
  }
  if (html) {
    HtmlOptions page;
    page.title = options.all ? "seam timeline: every seam" : "seam timeline: " + seam_name;
    // The page holds fingerprints and names only, like `log`; 0644 so a web server may serve it.
    Status written = WriteFileAtomically(options.html, RenderAuditHtml(audits, page), 0644);
    if (!written.ok()) return Fail(written);
  }
  if (options.json) {
    if (options.all) {
      Json all = Json::array();
      for (const Json& a : audits) all.push_back(a);
      std::cout << DumpJson(Json{{"seams", std::move(all)}}, 2) << "\n";
    } else {
      std::cout << DumpJson(audits.front(), 2) << "\n";
    }
  } else {
    for (std::size_t i = 0; i < audits.size(); ++i) {
      if (i > 0) std::cout << "\n";
      PrintAuditText(audits[i], std::cout);
    }
    if (html) std::cout << "wrote " << options.html << "\n";
  }
  int code = 0;
  for (const Json& a : audits) {
    const int failed = FinishOutput(a.value("errors", std::int64_t{0}), a["stream"].get<std::string>());
    if (failed >= 0) code = failed;
  }
  return code;
}

int RunDrift(const GlobalOptions& g, const std::string& seam_name, bool json) {
  Result<std::unique_ptr<StateContext>> ctx =
      OpenState(g.config, OpenMode{.key = true, .read_only = true, .only_seam = seam_name, .agent = {}, .all_sides = false});
  if (!ctx.ok()) return Fail(ctx.status());
  Result<const SeamConfig*> seam = (*ctx)->FindSeam(seam_name);
  if (!seam.ok()) return Fail(seam.status());
  Result<AuditTimeline> timeline = FoldAudit((*ctx)->log(), *(*ctx)->keys, **seam, AuditWindow{});
  if (!timeline.ok()) return Fail(timeline.status());
  Json drift = CurrentDrift(*timeline);
  const bool open = drift["open"].get<bool>();
  // The log holds no open drift: look at the sides now, as `check` does, so that `drift` and
  // `check` never disagree about whether the seam drifts; a drift no repair pass has recorded
  // yet is named as such.
  Json unrecorded = Json::array();
  if (!open) {
    SeamContext sc = (*ctx)->Seam();
    Result<SeamReport> now = RunPass(sc, **seam, PassMode::kCheck, {}, {});
    if (now.ok()) {
      std::string list;
      for (const SideReport& side : now->sides) {
        if (!IsDrift(side.judgement.verdict) || side.drift) continue;
        unrecorded.push_back({{"side", side.name},
                              {"verdict", VerdictName(side.judgement.verdict)},
                              {"holds_version", side.judgement.holds_version == 0 ? Json(nullptr) : Json(side.judgement.holds_version)},
                              {"fingerprint", side.judgement.fingerprint.empty() ? Json(nullptr) : Json(side.judgement.fingerprint)},
                              {"detail", side.judgement.detail}});
        list += (list.empty() ? "" : "; ") + side.name + " " + VerdictName(side.judgement.verdict) +
                (side.judgement.detail.empty() ? "" : " (" + side.judgement.detail + ")");
      }
      if (!list.empty()) {
        drift["text"] = drift["text"].get<std::string>() + " Drifting now, not recorded yet: " + list +
                        ". The next repair pass (seamd, or `seamctl repair " + seam_name + "`) records it.";
      }
    }
  }
  drift["unrecorded"] = unrecorded;
  if (json) {
    std::cout << DumpJson(drift, 2) << "\n";
  } else {
    std::cout << drift["text"].get<std::string>() << "\n";
  }
  const int failed = FinishOutput(timeline->errors, (**seam).stream());
  if (failed >= 0) return failed;
  return open || !unrecorded.empty() ? 1 : 0;
}

}  // namespace seam::seamctl
