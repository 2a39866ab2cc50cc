#pragma once
// An in-process TCP server on 127.0.0.1 (ephemeral port) for the tls-endpoint tests, running
// on its own thread. Only tls_test_server.cc includes Boost.Asio.
//   kTls:     completes a TLS handshake with the certificate loaded now, then waits for the
//             client to close. Reload() swaps the certificate for later connections, as a
//             server reload does.
//   kHang:    accepts and never says a word.
//   kGarbage: reads what the client sends, answers plain-text HTTP and stops sending.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace seam::testing {

class TlsTestServer {
 public:
  enum class Mode { kTls, kHang, kGarbage };

  // For kTls, `chain_pem` / `key_pem` are the certificate to serve first.
  explicit TlsTestServer(Mode mode, const std::string& chain_pem = {}, const std::string& key_pem = {});
  ~TlsTestServer();
  TlsTestServer(const TlsTestServer&) = delete;
  TlsTestServer& operator=(const TlsTestServer&) = delete;

  std::uint16_t port() const;
  // Serves `chain_pem` with `key_pem` from the next connection on. Aborts on PEM it cannot load.
  void Reload(const std::string& chain_pem, const std::string& key_pem);
  // The SNI name of each completed handshake, in order ("" when the client sent none).
  std::vector<std::string> ServerNames() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// A port on 127.0.0.1 that nothing listens on (bound, then closed).
std::uint16_t UnusedLoopbackPort();

}  // namespace seam::testing
