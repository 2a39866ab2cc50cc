#pragma once
// EndpointWatch: sees a server restart the moment it happens, for the sides that read a server
// (http-json, tls-endpoint: Side::WatchEndpoint).
//
// It holds one idle TCP connection to the server and waits for the server to close it. A
// server closes its connections when it stops (a restart, a crash) and when they have been idle
// for its own timeout; either way the watch reconnects, and when the server accepts again after
// a close or a refusal (also one seen at start-up: a server that was down), `server_back` runs: the daemon then runs a pass of the seams on that
// server at once. A gateway restarted from a stale backup is repaired as soon as it accepts
// connections, not at the next poll (15 s by default). Nothing is ever sent on the connection,
// so it costs the server one idle socket, and the first connection at start-up runs nothing
// (the start-up pass looks at every side anyway).
//
// Everything is asynchronous on the daemon's io_context (resolution on Asio's resolver thread):
// it never blocks the loop. Single-threaded: `server_back` runs on the io_context's thread.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace seam::seamd {

// How long to wait before connecting again after `failures` attempts in a row failed (0: the
// server just closed the connection): every 25 ms for the first second (a restart is usually
// over by then), every 100 ms for the next two, then doubling to a 5 s ceiling, so a server that
// is down for long costs one connect attempt every 5 s.
std::chrono::milliseconds ReconnectDelay(int failures);

class EndpointWatch : public std::enable_shared_from_this<EndpointWatch> {
 public:
  EndpointWatch(boost::asio::io_context& io, std::string host, std::string port, std::function<void()> server_back);

  void Start();
  // No callback runs after this returns; the connection is closed.
  void Stop();

  // "127.0.0.1:8080", "[::1]:443".
  const std::string& name() const { return name_; }

 private:
  void Connect();
  void Connected();
  void Failed();
  void AwaitClose();
  void Retry(std::chrono::milliseconds delay);

  boost::asio::io_context& io_;
  std::string host_;
  std::string port_;
  std::string name_;
  std::function<void()> server_back_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer timer_;  // the connect deadline, then the reconnect delay
  std::array<char, 1> byte_{};
  int failures_ = 0;
  bool connecting_ = false;  // an attempt is under way (its deadline may close the socket)
  bool connected_once_ = false;
  bool lost_ = false;  // the server closed the connection or refused one since it was last up
  bool stopped_ = false;
};

}  // namespace seam::seamd
