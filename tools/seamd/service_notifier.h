#pragma once
// ServiceNotifier: seamd's side of systemd's notify protocol (sd_notify(3), libsystemd), for
// the unit's Type=notify:
//   READY=1      once the start-up pass has run on every seam (drift found while seamd was down
//                is repaired, pending operations completed): `systemctl start` returns then,
//                so units ordered After=seamd start on an agreed state;
//   RELOADING=1  on SIGHUP, READY=1 again when the new config runs (or was refused);
//   STOPPING=1   on SIGTERM/SIGINT;
//   STATUS=...   a one-line summary `systemctl status` shows;
//   WATCHDOG=1   every half WatchdogSec, when the unit sets one, from the daemon's one thread: a
//                thread stuck in a pass stops the pings and systemd restarts seamd.
// Without $NOTIFY_SOCKET (not run by systemd) every call does nothing.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <string>

namespace seam::seamd {

class ServiceNotifier {
 public:
  explicit ServiceNotifier(boost::asio::io_context& io);

  void Ready(const std::string& status);
  void Reloading();
  void Stopping();
  void Status(const std::string& status);
  // Starts the watchdog pings when the service manager asked for them.
  void StartWatchdog();
  void StopWatchdog();

 private:
  void Send(const std::string& state);
  void ArmWatchdog();

  boost::asio::steady_timer watchdog_timer_;
  std::uint64_t watchdog_usec_ = 0;
  bool warned_ = false;  // a failed notification is logged once
};

}  // namespace seam::seamd
