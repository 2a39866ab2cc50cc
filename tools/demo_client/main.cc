// demo-client: the demo's device. Reads paired.json (device_id, token, gateway_url), posts a
// digest request to <gateway_url>/api/digest with the token as a bearer credential, prints the
// answer, and exits 0 on 200, 1 on any other answer or when the gateway cannot be reached, 2 on
// bad input. The token is never printed.

#include <CLI/CLI.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr auto kTimeout = std::chrono::seconds(2);
constexpr std::uint64_t kResponseLimit = 1024 * 1024;

struct Paired {
  std::string device_id;
  std::string token;
  std::string host;
  std::string port;
  std::string base_path;  // without a trailing slash
};

struct InputError {
  std::string message;
};

std::string Field(const nlohmann::json& doc, const char* key) {
  const auto it = doc.find(key);
  if (it == doc.end() || it->is_null()) throw InputError{std::string("missing field `") + key + "`"};
  if (!it->is_string() || it->get<std::string>().empty()) {
    throw InputError{std::string("field `") + key + "` must be a non-empty string"};
  }
  return it->get<std::string>();
}

Paired ReadPaired(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError{"cannot read " + path};
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::parse_error& e) {
    // Not e.what(): the parser quotes the text it read last, which may be the token.
    throw InputError{path + ": invalid JSON at byte " + std::to_string(e.byte)};
  }
  if (!doc.is_object()) throw InputError{path + ": not a JSON object"};
  Paired p;
  try {
    p.device_id = Field(doc, "device_id");
    p.token = Field(doc, "token");
    const std::string url = Field(doc, "gateway_url");
    constexpr std::string_view kScheme = "http://";
    if (!url.starts_with(kScheme)) {
      throw InputError{"field `gateway_url` must be an http:// URL, got `" + url + "`"};
    }
    const std::string rest = url.substr(kScheme.size());
    const std::size_t slash = rest.find('/');
    const std::string authority = rest.substr(0, slash);
    p.base_path = slash == std::string::npos ? "" : rest.substr(slash);
    while (!p.base_path.empty() && p.base_path.back() == '/') p.base_path.pop_back();
    const std::size_t colon = authority.rfind(':');
    const bool has_port = colon != std::string::npos && authority.find(']', colon) == std::string::npos;
    p.host = has_port ? authority.substr(0, colon) : authority;
    p.port = has_port ? authority.substr(colon + 1) : "80";
    if (p.host.size() >= 2 && p.host.front() == '[') p.host = p.host.substr(1, p.host.size() - 2);
    if (p.host.empty() || p.port.empty()) throw InputError{"field `gateway_url` has no host"};
  } catch (const InputError& e) {
    throw InputError{path + ": " + e.message};
  }
  return p;
}

// One request with a 2-second total deadline: everything runs async on one io_context, and
// run_for() bounds the whole exchange (resolve, connect, write, read).
struct Exchange {
  asio::io_context ioc;
  tcp::resolver resolver{ioc};
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
  http::request<http::string_body> request;
  std::optional<http::response_parser<http::string_body>> parser;
  beast::error_code error;
  bool done = false;

  void Run(const Paired& p) {
    parser.emplace();
    parser->body_limit(kResponseLimit);
    stream.expires_after(kTimeout);
    resolver.async_resolve(p.host, p.port, [this](beast::error_code ec, tcp::resolver::results_type r) {
      if (ec) return Finish(ec);
      stream.async_connect(r, [this](beast::error_code ec2, const tcp::endpoint&) {
        if (ec2) return Finish(ec2);
        http::async_write(stream, request, [this](beast::error_code ec3, std::size_t) {
          if (ec3) return Finish(ec3);
          http::async_read(stream, buffer, *parser,
                           [this](beast::error_code ec4, std::size_t) { Finish(ec4); });
        });
      });
    });
    ioc.run_for(kTimeout);
    if (!done) error = beast::error::timeout;
  }

  void Finish(beast::error_code ec) {
    error = ec;
    done = true;
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  }
};

// Never echo the token, even if a (strange) server sends it back.
std::string Redact(std::string text, const std::string& token) {
  static constexpr std::string_view kRedacted = "[redacted]";
  if (token.empty()) return text;
  // Search on after the replacement: a token that occurs inside "[redacted]" must not loop.
  for (std::size_t at = text.find(token); at != std::string::npos;
       at = text.find(token, at + kRedacted.size())) {
    text.replace(at, token.size(), kRedacted);
  }
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "demo-client: posts a digest request to the paired gateway.\n"
      "Exit 0 on 200, 1 on any other answer or when the gateway cannot be reached, 2 on bad "
      "input."};
  std::string paired_path;
  std::string data = "hello from demo-client";
  app.add_option("--paired", paired_path, "paired.json with device_id, token, gateway_url")
      ->required();
  app.add_option("--data", data, "text to digest");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "demo-client: error: " << e.what() << '\n';
    return 2;
  }

  Paired paired;
  try {
    paired = ReadPaired(paired_path);
  } catch (const InputError& e) {
    std::cerr << "demo-client: error: " << e.message << '\n';
    return 2;
  }

  Exchange ex;
  ex.request = http::request<http::string_body>{http::verb::post, paired.base_path + "/api/digest", 11};
  ex.request.set(http::field::host, paired.host + ":" + paired.port);
  ex.request.set(http::field::user_agent, "demo-client");
  ex.request.set(http::field::content_type, "application/json");
  ex.request.set(http::field::authorization, "Bearer " + paired.token);
  ex.request.keep_alive(false);
  ex.request.body() = nlohmann::json{{"device_id", paired.device_id}, {"data", data}}.dump();
  ex.request.prepare_payload();
  ex.Run(paired);
  if (ex.error) {  // including end_of_stream: closed before a whole response
    std::cout << "gateway unreachable at http://" << paired.host << ':' << paired.port << ": "
              << ex.error.message() << '\n';
    return 1;
  }

  const auto& response = ex.parser->get();
  const unsigned status = response.result_int();
  const std::string reason(response.reason());
  std::string detail;
  const nlohmann::json body = nlohmann::json::parse(response.body(), nullptr, false);
  if (body.is_object() && status == 200 && body.contains("digest") && body["digest"].is_string()) {
    detail = "digest " + body["digest"].get<std::string>();
  } else if (body.is_object() && body.contains("error") && body["error"].is_string()) {
    detail = body["error"].get<std::string>();
  } else {
    detail = response.body().substr(0, std::min<std::size_t>(response.body().size(), 200));
    if (const std::size_t nl = detail.find('\n'); nl != std::string::npos) detail.resize(nl);
  }
  std::cout << Redact(std::to_string(status) + " " + reason + ": " + detail, paired.token) << '\n';
  return status == 200 ? 0 : 1;
}
