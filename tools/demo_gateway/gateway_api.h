#pragma once
// Routing and handlers of the demo gateway's HTTP API. Pure request -> response over the store:
// no sockets here (gateway_server owns those), so every answer is decided in one place.
// The gateway plays a third-party component: it links no seam library on purpose (hence its
// own small SHA-256 helper), so the demo shows seam reaching a program it does not control.
//
//   GET    /healthz              200 {"status":"ok","boot_id":…,"started_at":…}
//   GET    /pairings/{device}    200 pairing object + boot_id, started_at + ETag (of the row) | 404
//   PUT    /pairings/{device}    200 as GET | 400 | 412 (If-Match / If-None-Match); boot_id and
//                                started_at in the body are ignored
//   DELETE /pairings/{device}    204 | 404 | 412 (If-Match)
//   POST   /api/digest           200 {"digest":…} | 400 | 401 | 403

#include <boost/beast/http.hpp>

#include <string>
#include <string_view>

#include "tools/demo_gateway/gateway_store.h"

namespace seam::demo {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);
// `bytes` random bytes (OpenSSL RAND_bytes) as lower-case hex.
std::string RandomHex(std::size_t bytes);
// Now, UTC, RFC 3339 with a Z suffix and whole seconds.
std::string NowRfc3339();

// A JSON response {"error": message} with the request's HTTP version and keep-alive.
Response ErrorResponse(http::status status, std::string_view message, unsigned version,
                       bool keep_alive);

class GatewayApi {
 public:
  GatewayApi(GatewayStore& store, std::string boot_id, std::string started_at);

  // Never throws: store failures become 500 with the reason (never a token).
  Response Handle(const Request& request);

 private:
  Response Route(const Request& request);
  Response Healthz(const Request& request);
  Response GetPairing(const Request& request, const std::string& device);
  Response PutPairing(const Request& request, const std::string& device);
  Response DeletePairing(const Request& request, const std::string& device);
  Response Digest(const Request& request);

  GatewayStore& store_;
  std::string boot_id_;
  std::string started_at_;
};

}  // namespace seam::demo
