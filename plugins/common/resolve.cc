#include "plugins/common/resolve.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>

#include "plugins/common/network_context.h"

namespace seam {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using ErrorCode = boost::system::error_code;

net::awaitable<Result<tcp::resolver::results_type>> ResolveByDeadline(std::string host, std::string port,
                                                                      std::chrono::steady_clock::time_point deadline,
                                                                      std::chrono::milliseconds shown_timeout) {
  ErrorCode ec;
  net::ip::make_address(host, ec);
  if (!ec) {
    // Numeric host and service: no lookup, nothing that blocks.
    tcp::resolver resolver(co_await net::this_coro::executor);
    auto endpoints = resolver.resolve(host, port, tcp::resolver::numeric_host | tcp::resolver::numeric_service, ec);
    if (ec) co_return Status::Unavailable("cannot resolve " + host + ": " + ec.message());
    co_return endpoints;
  }
  // Shared by this coroutine and the resolver thread; the timer is the coroutine's wake-up:
  // it expires at the deadline, or the thread's answer cancels it. Every reference the thread
  // holds is dropped on the network thread (it always posts), so the timer dies there.
  struct State {
    explicit State(net::any_io_executor ex) : wake(ex) {}
    std::mutex mu;
    bool done = false;
    ErrorCode ec;
    tcp::resolver::results_type endpoints;
    net::steady_timer wake;
  };
  auto state = std::make_shared<State>(co_await net::this_coro::executor);
  state->wake.expires_at(deadline);
  try {
    std::thread([state, host, port] {
      net::io_context ioc;
      tcp::resolver resolver(ioc);
      ErrorCode rec;
      auto endpoints = resolver.resolve(host, port, tcp::resolver::numeric_service, rec);
      {
        std::lock_guard<std::mutex> lock(state->mu);
        state->ec = rec;
        state->endpoints = std::move(endpoints);
        state->done = true;
      }
      net::post(NetworkContext(), [state] { state->wake.cancel(); });
    }).detach();
  } catch (const std::system_error& e) {
    co_return Status::Unavailable("cannot resolve " + host + ": " + e.what());
  }
  ErrorCode waited;
  co_await state->wake.async_wait(net::redirect_error(net::use_awaitable, waited));
  std::lock_guard<std::mutex> lock(state->mu);
  if (!state->done) {
    co_return Status::Unavailable("cannot resolve " + host + ": timed out after " +
                                  std::to_string(shown_timeout.count()) + " ms");
  }
  if (state->ec) co_return Status::Unavailable("cannot resolve " + host + ": " + state->ec.message());
  co_return state->endpoints;
}

}  // namespace seam
