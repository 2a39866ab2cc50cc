// seamctl notify test [NAME]: one test notification to each [[notify]] target (or NAME), sent
// now from this process, so a person can see the pager ring before a drift does it at 3 a.m.
#include <iostream>

#include "core/clock.h"
#include "tools/common/notify_target.h"
#include "tools/common/state_context.h"
#include "tools/seamctl/commands.h"

namespace seam::seamctl {

int RunNotifyTest(const GlobalOptions& g, const std::string& name) {
  Result<std::unique_ptr<StateContext>> loaded = LoadConfigOnly(g.config);
  if (!loaded.ok()) return Fail(loaded.status());
  const Config& config = (*loaded)->config;
  if (config.notify.empty()) {
    return Fail(Status::InvalidArgument(config.file.string() + " has no [[notify]] table"));
  }
  const nlohmann::ordered_json test = {{"seq", 0},         {"time", FormatTimeMicros(SystemClock().NowMicros())},
                                       {"kind", "test"},   {"event", "NotifyTest"},
                                       {"seam", nullptr},  {"stream", nullptr},
                                       {"side", nullptr},  {"actor", DefaultActor("seamctl")},
                                       {"details", {{"text", "a test notification from `seamctl notify test`"}}}};
  int sent = 0;
  for (const NotifyConfig& n : config.notify) {
    if (!name.empty() && n.name != name) continue;
    Result<std::unique_ptr<NotifyTarget>> target = NotifyTarget::Make(n, config.hook_path);
    if (!target.ok()) return Fail(target.status());
    if (!n.alertmanager.empty()) {
      // An alert that resolves itself in five minutes, so the test leaves nothing firing.
      const std::int64_t now = SystemClock().NowMicros();
      const nlohmann::ordered_json alert = nlohmann::ordered_json::array(
          {{{"labels", {{"alertname", "SeamNotifyTest"}, {"notify", n.name}}},
            {"annotations", {{"summary", "a test alert from `seamctl notify test`"}}},
            {"startsAt", FormatTimeMicros(now)},
            {"endsAt", FormatTimeMicros(now + 300'000'000)}}});
      if (Status posted = (*target)->PostAlerts(alert); !posted.ok()) return Fail(Status::IoError(posted.message()));
      std::cout << "notify " << n.name << ": delivered\n";
      ++sent;
      continue;
    }
    // Not delivered is trouble (exit 2), not a race to retry.
    if (Status delivered = (*target)->Deliver(test); !delivered.ok()) return Fail(Status::IoError(delivered.message()));
    std::cout << "notify " << n.name << ": delivered\n";
    ++sent;
  }
  if (sent == 0) return Fail(Status::InvalidArgument("no [[notify]] table named `" + name + "` in " + config.file.string()));
  return 0;
}

}  // namespace seam::seamctl
