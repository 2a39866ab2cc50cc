#pragma once
// The process's network thread: one io_context, run by one thread started on first use and never
// stopped, on which every HTTP exchange (http-json) and TLS probe (tls-endpoint) runs as
// asynchronous operations, each with its own deadlines.
//
// Why one thread and not a thread per request: a daemon watching a hundred endpoints that all
// hang holds a hundred sockets and timers here, not a hundred blocked threads, and a blocking
// caller (seamctl, a worker) waits on a future while the exchange runs here. The context is never
// destroyed (like the idle-connection pool, it may be used during static destruction), so a
// name-resolution thread left running past its deadline can always post its result back.
//
// Rule: nothing that runs on the network thread may wait for the network thread (a blocking
// Fetch there would wait on itself; such calls fail instead, see OnNetworkThread).

namespace boost::asio {
class io_context;
}

namespace seam {

// Started on the first call; thread-safe.
boost::asio::io_context& NetworkContext();

// Whether the calling thread is the network thread.
bool OnNetworkThread();

}  // namespace seam
