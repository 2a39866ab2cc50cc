#include "tools/demo_gateway/gateway_api.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <boost/beast/core/string.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <utility>
#include <vector>

namespace seam::demo {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view kPairingsPrefix = "/pairings/";

std::string ToHex(const unsigned char* data, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 0x0f]);
  }
  return out;
}

bool ValidDevice(std::string_view device) {
  if (device.empty() || device.size() > 128) return false;
  for (const char c : device) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-' || c == ':' || c == '@';
    if (!ok) return false;
  }
  return true;
}

// 64 hex digits, returned lower-cased; nullopt otherwise.
std::optional<std::string> NormaliseSha256Hex(std::string_view value) {
  if (value.size() != 64) return std::nullopt;
  std::string out(value);
  for (char& c : out) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Response JsonResponse(http::status status, const Json& body, unsigned version, bool keep_alive) {
  Response res{status, version};
  res.set(http::field::server, "demo-gateway");
  res.set(http::field::content_type, "application/json");
  res.keep_alive(keep_alive);
  res.body() = body.dump() + "\n";
  res.prepare_payload();
  return res;
}

Response Error(const Request& req, http::status status, std::string_view message) {
  return ErrorResponse(status, message, req.version(), req.keep_alive());
}

Response MethodNotAllowed(const Request& req, std::string_view allow) {
  Response res = Error(req, http::status::method_not_allowed, "method not allowed");
  res.set(http::field::allow, std::string(allow));
  return res;
}

Json PairingJson(const Pairing& p) {
  Json j;
  j["device_id"] = p.device;
  j["token_sha256"] = p.token_sha256;
  j["gateway_url"] = p.gateway_url ? Json(*p.gateway_url) : Json(nullptr);
  j["paired_at"] = p.paired_at ? Json(*p.paired_at) : Json(nullptr);
  return j;
}

// A strong entity tag of the stored row: the first 16 hex of SHA-256 of its JSON form. The run
// members of the response are not in it: the row is what If-Match guards, and a restart that
// changed no row leaves every ETag (and so every client's compare-and-swap) as it was.
std::string ETagOf(const Pairing& p) { return "\"" + Sha256Hex(PairingJson(p).dump()).substr(0, 16) + "\""; }

// The run of this process, the same as /healthz reports.
struct Run {
  const std::string& boot_id;
  const std::string& started_at;
};

// The stored row plus the run serving it, so a reader of one pairing can tell a restart.
Response PairingResponse(const Request& req, const Pairing& p, const Run& run) {
  Json body = PairingJson(p);
  body["boot_id"] = run.boot_id;
  body["started_at"] = run.started_at;
  Response res = JsonResponse(http::status::ok, body, req.version(), req.keep_alive());
  res.set(http::field::etag, ETagOf(p));
  return res;
}

// If-Match: "*" or a comma-separated list of strong entity tags (weak ones never match).
bool IfMatchSatisfied(std::string_view header, const std::optional<Pairing>& current) {
  if (!current) return false;
  const std::string etag = ETagOf(*current);
  while (!header.empty()) {
    const std::size_t comma = header.find(',');
    const std::string_view item = Trim(header.substr(0, comma));
    if (item == "*" || item == etag) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

Response PreconditionFailed(const Request& req, const std::optional<Pairing>& current) {
  Response res = Error(req, http::status::precondition_failed,
                       current ? "precondition failed: the pairing changed"
                               : "precondition failed: no such pairing");
  if (current) res.set(http::field::etag, ETagOf(*current));
  return res;
}

// Optional string-or-null member: keeps `out` when absent. False (with `error`) on another type.
bool ReadOptionalString(const Json& body, const char* key, std::optional<std::string>& out,
                        std::string& error) {
  const auto it = body.find(key);
  if (it == body.end()) return true;
  if (it->is_null()) {
    out.reset();
  } else if (it->is_string()) {
    out = it->get<std::string>();
  } else {
    error = std::string("`") + key + "` must be a string or null";
    return false;
  }
  return true;
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), md.data(), &size, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  return ToHex(md.data(), size);
}

std::string RandomHex(std::size_t bytes) {
  std::vector<unsigned char> buf(bytes);
  if (RAND_bytes(buf.data(), static_cast<int>(buf.size())) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  return ToHex(buf.data(), buf.size());
}

std::string NowRfc3339() {
  // Microseconds: two runs started within one second must not look like one (started_at is a
  // restart marker).
  const auto now = std::chrono::system_clock::now();
  const std::time_t secs = std::chrono::system_clock::to_time_t(now);
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 1000000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[48];
  std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  n += static_cast<std::size_t>(std::snprintf(buf + n, sizeof buf - n, ".%06lldZ", static_cast<long long>(micros)));
  return std::string(buf, n);
}

Response ErrorResponse(http::status status, std::string_view message, unsigned version,
                       bool keep_alive) {
  return JsonResponse(status, Json{{"error", message}}, version, keep_alive);
}

GatewayApi::GatewayApi(GatewayStore& store, std::string boot_id, std::string started_at)
    : store_(store), boot_id_(std::move(boot_id)), started_at_(std::move(started_at)) {}

Response GatewayApi::Handle(const Request& request) {
  try {
    return Route(request);
  } catch (const std::exception& e) {
    return Error(request, http::status::internal_server_error, e.what());
  }
}

Response GatewayApi::Route(const Request& req) {
  std::string_view path(req.target().data(), req.target().size());
  path = path.substr(0, path.find('?'));
  const http::verb method = req.method();
  if (path == "/healthz") {
    if (method != http::verb::get) return MethodNotAllowed(req, "GET");
    return Healthz(req);
  }
  if (path == "/api/digest") {
    if (method != http::verb::post) return MethodNotAllowed(req, "POST");
    return Digest(req);
  }
  if (path.starts_with(kPairingsPrefix)) {
    const std::string device(path.substr(kPairingsPrefix.size()));
    if (!ValidDevice(device)) {
      return Error(req, http::status::bad_request,
                   "invalid device id (1-128 of A-Z a-z 0-9 . _ - : @)");
    }
    switch (method) {
      case http::verb::get: return GetPairing(req, device);
      case http::verb::put: return PutPairing(req, device);
      case http::verb::delete_: return DeletePairing(req, device);
      default: return MethodNotAllowed(req, "GET, PUT, DELETE");
    }
  }
  return Error(req, http::status::not_found, "no such endpoint");
}

Response GatewayApi::Healthz(const Request& req) {
  // Healthy means "the process runs and answers", not "its tokens agree with anyone": the demo
  // shows a client refused while this endpoint says ok.
  const Json body{{"status", "ok"}, {"boot_id", boot_id_}, {"started_at", started_at_}};
  return JsonResponse(http::status::ok, body, req.version(), req.keep_alive());
}

Response GatewayApi::GetPairing(const Request& req, const std::string& device) {
  const std::optional<Pairing> p = store_.Get(device);
  if (!p) {
    // The run members here too: a reader can tell "revoked in this run" from "a process that
    // came back from a backup taken before the pairing".
    const Json body{{"error", "no pairing for device " + device}, {"boot_id", boot_id_}, {"started_at", started_at_}};
    return JsonResponse(http::status::not_found, body, req.version(), req.keep_alive());
  }
  return PairingResponse(req, *p, Run{boot_id_, started_at_});
}

Response GatewayApi::PutPairing(const Request& req, const std::string& device) {
  const Json body = Json::parse(req.body(), nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return Error(req, http::status::bad_request, "invalid JSON body");
  if (!body.is_object()) return Error(req, http::status::bad_request, "body must be a JSON object");
  // `boot_id` and `started_at` are the run members of a GET response: a client that PUTs back
  // the document it fetched (seam's http-json side does) sends them too. They describe this
  // process, not the pairing, so they are accepted and ignored.
  for (const auto& [key, value] : body.items()) {
    if (key != "device_id" && key != "token_sha256" && key != "token" && key != "gateway_url" &&
        key != "paired_at" && key != "boot_id" && key != "started_at") {
      return Error(req, http::status::bad_request, "unknown key `" + key + "`");
    }
  }
  if (const auto it = body.find("device_id"); it != body.end()) {
    if (!it->is_string() || it->get<std::string>() != device) {
      return Error(req, http::status::bad_request, "`device_id` must equal the device in the path");
    }
  }
  const bool has_hash = body.contains("token_sha256");
  const bool has_token = body.contains("token");
  if (has_hash && has_token) {
    return Error(req, http::status::bad_request, "give `token_sha256` or `token`, not both");
  }
  std::optional<std::string> new_hash;
  if (has_hash) {
    const Json& v = body["token_sha256"];
    if (v.is_string()) new_hash = NormaliseSha256Hex(v.get<std::string>());
    if (!new_hash) {
      return Error(req, http::status::bad_request, "`token_sha256` must be 64 hex digits");
    }
  } else if (has_token) {
    const Json& v = body["token"];
    if (!v.is_string() || v.get<std::string>().empty()) {
      return Error(req, http::status::bad_request, "`token` must be a non-empty string");
    }
    new_hash = Sha256Hex(v.get<std::string>());  // the plaintext goes no further than here
  }

  StoreTransaction tx(store_);
  const std::optional<Pairing> current = store_.Get(device);
  if (const auto it = req.find(http::field::if_match); it != req.end()) {
    if (!IfMatchSatisfied(std::string_view(it->value().data(), it->value().size()), current)) {
      return PreconditionFailed(req, current);
    }
  }
  if (const auto it = req.find(http::field::if_none_match); it != req.end()) {
    if (current && Trim(std::string_view(it->value().data(), it->value().size())) == "*") {
      return PreconditionFailed(req, current);
    }
  }
  Pairing next = current.value_or(Pairing{device, "", std::nullopt, std::nullopt});
  if (new_hash) {
    next.token_sha256 = *new_hash;
  } else if (!current) {
    return Error(req, http::status::bad_request,
                 "`token_sha256` or `token` is required to create a pairing");
  }
  std::string error;
  if (!ReadOptionalString(body, "gateway_url", next.gateway_url, error) ||
      !ReadOptionalString(body, "paired_at", next.paired_at, error)) {
    return Error(req, http::status::bad_request, error);
  }
  store_.Put(next);
  tx.Commit();
  return PairingResponse(req, next, Run{boot_id_, started_at_});
}

Response GatewayApi::DeletePairing(const Request& req, const std::string& device) {
  StoreTransaction tx(store_);
  const std::optional<Pairing> current = store_.Get(device);
  if (const auto it = req.find(http::field::if_match); it != req.end()) {
    if (!IfMatchSatisfied(std::string_view(it->value().data(), it->value().size()), current)) {
      return PreconditionFailed(req, current);
    }
  }
  if (!current) return Error(req, http::status::not_found, "no pairing for device " + device);
  store_.Remove(device);
  tx.Commit();
  Response res{http::status::no_content, req.version()};
  res.set(http::field::server, "demo-gateway");
  res.keep_alive(req.keep_alive());  // no Content-Length: a 204 never has a body (RFC 9110)
  return res;
}

Response GatewayApi::Digest(const Request& req) {
  std::string_view auth;
  if (const auto it = req.find(http::field::authorization); it != req.end()) {
    auth = Trim(std::string_view(it->value().data(), it->value().size()));
  }
  const std::size_t space = auth.find(' ');
  const std::string_view scheme = auth.substr(0, space);
  const std::string_view token =
      space == std::string_view::npos ? std::string_view{} : Trim(auth.substr(space + 1));
  if (!boost::beast::iequals(boost::beast::string_view(scheme.data(), scheme.size()), "Bearer") || token.empty()) {
    Response res = Error(req, http::status::unauthorized, "missing bearer token");
    res.set(http::field::www_authenticate, "Bearer realm=\"demo-gateway\"");
    return res;
  }
  const Json body = Json::parse(req.body(), nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    return Error(req, http::status::bad_request, "body must be a JSON object");
  }
  const auto device = body.find("device_id");
  const auto data = body.find("data");
  if (device == body.end() || !device->is_string() || data == body.end() || !data->is_string()) {
    return Error(req, http::status::bad_request,
                 "body needs string members `device_id` and `data`");
  }
  const std::optional<Pairing> p = store_.Get(device->get<std::string>());
  const std::string presented = Sha256Hex(token);
  // The stored digest may have been written by another program: normalise, then compare in
  // constant time. An unknown device is refused exactly like a wrong token.
  const std::optional<std::string> stored =
      p ? NormaliseSha256Hex(p->token_sha256) : std::optional<std::string>{};
  if (!stored || CRYPTO_memcmp(stored->data(), presented.data(), presented.size()) != 0) {
    return Error(req, http::status::forbidden, "token rejected");
  }
  const Json out{{"digest", Sha256Hex(data->get<std::string>())}};
  return JsonResponse(http::status::ok, out, req.version(), req.keep_alive());
}

}  // namespace seam::demo
