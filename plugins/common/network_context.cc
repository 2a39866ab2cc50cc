#include "plugins/common/network_context.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <exception>
#include <thread>

namespace seam {
namespace {

thread_local bool on_network_thread = false;

struct Network {
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> keep{io.get_executor()};

  Network() {
    std::thread([this] {
      on_network_thread = true;
      // A handler that throws (only allocation failures can) is logged and the loop goes on:
      // the thread must outlive every request.
      for (;;) {
        try {
          io.run();
          return;
        } catch (const std::exception& e) {
          std::fprintf(stderr, "network thread: %s\n", e.what());
        }
      }
    }).detach();
  }
};

}  // namespace

boost::asio::io_context& NetworkContext() {
  // Never destroyed: see the header.
  static Network* network = new Network;
  return network->io;
}

bool OnNetworkThread() { return on_network_thread; }

}  // namespace seam
