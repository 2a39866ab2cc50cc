#pragma once
// Name resolution with a deadline, for the sides that connect (http-json, tls-endpoint), as a
// coroutine on the network thread (plugins/common/network_context.h).
//
// getaddrinfo cannot be cancelled, and asio's async_resolve runs it on a thread the io_context
// joins when destroyed, so a name is resolved on a detached thread of its own that posts its
// answer back, and is left to finish (and free its state) when the deadline passes first.
// Literal addresses are converted in place, with no thread and no lookup.

#include <utility>  // before Asio's awaitable.hpp, which uses std::exchange without it

#include <chrono>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "core/status.h"

namespace seam {

// The endpoints of host:port (port: decimal digits), by `deadline`. Unavailable, one line:
// "cannot resolve <host>: <reason>", "cannot resolve <host>: timed out after <shown_timeout> ms".
// Runs on the network context (the detached resolver posts to it).
boost::asio::awaitable<Result<boost::asio::ip::tcp::resolver::results_type>> ResolveByDeadline(
    std::string host, std::string port, std::chrono::steady_clock::time_point deadline,
    std::chrono::milliseconds shown_timeout);

}  // namespace seam
