#include "tools/seamd/service_notifier.h"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <cstring>
#include <ctime>

namespace seam::seamd {

ServiceNotifier::ServiceNotifier(boost::asio::io_context& io) : watchdog_timer_(io) {}

void ServiceNotifier::Send(const std::string& state) {
  // unset_environment = 0: a reload's notifications need $NOTIFY_SOCKET again.
  const int rc = sd_notify(0, state.c_str());
  if (rc < 0 && !warned_) {
    warned_ = true;
    spdlog::warn("notifying the service manager ({}) failed: {}", state.substr(0, state.find('\n')),
                 std::strerror(-rc));
  }
}

void ServiceNotifier::Ready(const std::string& status) { Send("READY=1\nSTATUS=" + status); }

void ServiceNotifier::Reloading() {
  // MONOTONIC_USEC: systemd 253+ requires it with RELOADING=1 (Type=notify-reload); older
  // managers ignore it.
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  const long long usec = static_cast<long long>(now.tv_sec) * 1'000'000 + now.tv_nsec / 1000;
  Send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec) + "\nSTATUS=reloading the config");
}

void ServiceNotifier::Stopping() { Send("STOPPING=1\nSTATUS=stopping"); }

void ServiceNotifier::Status(const std::string& status) { Send("STATUS=" + status); }

void ServiceNotifier::StartWatchdog() {
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return;
  watchdog_usec_ = usec;
  spdlog::info("systemd watchdog: pinging every {} ms", usec / 2000);
  Send("WATCHDOG=1");
  ArmWatchdog();
}

void ServiceNotifier::StopWatchdog() {
  watchdog_usec_ = 0;
  watchdog_timer_.cancel();
}

void ServiceNotifier::ArmWatchdog() {
  watchdog_timer_.expires_after(std::chrono::microseconds(watchdog_usec_ / 2));
  watchdog_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || watchdog_usec_ == 0) return;
    Send("WATCHDOG=1");
    ArmWatchdog();
  });
}

}  // namespace seam::seamd
