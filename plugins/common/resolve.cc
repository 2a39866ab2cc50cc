#include "plugins/common/resolve.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>

namespace seam {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using ErrorCode = boost::system::error_code;

Result<tcp::resolver::results_type> ResolveByDeadline(const std::string& host, const std::string& port,
                                                      std::chrono::steady_clock::time_point deadline,
                                                      std::chrono::milliseconds shown_timeout) {
  ErrorCode ec;
  net::ip::make_address(host, ec);
  if (!ec) {
    net::io_context ioc;
    tcp::resolver resolver(ioc);
    auto endpoints = resolver.resolve(host, port, tcp::resolver::numeric_host | tcp::resolver::numeric_service, ec);
    if (ec) return Status::Unavailable("cannot resolve " + host + ": " + ec.message());
    return endpoints;
  }
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    ErrorCode ec;
    tcp::resolver::results_type endpoints;
  };
  auto state = std::make_shared<State>();
  try {
    std::thread([state, host, port] {
      net::io_context ioc;
      tcp::resolver resolver(ioc);
      ErrorCode rec;
      auto endpoints = resolver.resolve(host, port, tcp::resolver::numeric_service, rec);
      std::lock_guard<std::mutex> lock(state->mu);
      state->ec = rec;
      state->endpoints = std::move(endpoints);
      state->done = true;
      state->cv.notify_all();
    }).detach();
  } catch (const std::system_error& e) {
    return Status::Unavailable("cannot resolve " + host + ": " + e.what());
  }
  std::unique_lock<std::mutex> lock(state->mu);
  if (!state->cv.wait_until(lock, deadline, [&] { return state->done; })) {
    return Status::Unavailable("cannot resolve " + host + ": timed out after " + std::to_string(shown_timeout.count()) +
                               " ms");
  }
  if (state->ec) return Status::Unavailable("cannot resolve " + host + ": " + state->ec.message());
  return state->endpoints;
}

}  // namespace seam
