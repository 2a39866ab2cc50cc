#include "tests/tools/harness.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <optional>
#include <thread>

#include "tests/support/temp_dir.h"

namespace seam::tools_test {
namespace {

namespace fs = std::filesystem;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// fork + exec with stdout/stderr appended to files; stdin is /dev/null.
pid_t Spawn(const std::vector<std::string>& argv, const fs::path& out, const fs::path& err) {
  std::vector<std::string> args = argv;
  std::vector<char*> ptrs;
  for (std::string& a : args) ptrs.push_back(a.data());
  ptrs.push_back(nullptr);
  const std::string out_s = out.string();
  const std::string err_s = err.string();
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int in_fd = ::open("/dev/null", O_RDONLY);
    const int out_fd = ::open(out_s.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    const int err_fd = ::open(err_s.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (in_fd < 0 || out_fd < 0 || err_fd < 0) _exit(126);
    ::dup2(in_fd, 0);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    ::execv(ptrs[0], ptrs.data());
    _exit(127);
  }
  return pid;
}

int DecodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Waits for `pid` until `deadline`; nullopt if it is still running then. Polls in 2 ms steps:
// the wait ends as soon as the child does.
std::optional<int> WaitUntil(pid_t pid, Clock::time_point deadline) {
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return DecodeStatus(status);
    if (r < 0 && errno != EINTR) return -1;
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

}  // namespace

RunResult RunProgram(const std::vector<std::string>& argv, const fs::path& scratch,
              std::chrono::milliseconds timeout) {
  static int counter = 0;
  const std::string stem = "run-" + std::to_string(++counter);
  const fs::path out = scratch / (stem + ".out");
  const fs::path err = scratch / (stem + ".err");
  RunResult result;
  const pid_t pid = Spawn(argv, out, err);
  std::optional<int> code = WaitUntil(pid, Clock::now() + timeout);
  if (!code) {
    ::kill(pid, SIGKILL);
    code = WaitUntil(pid, Clock::now() + std::chrono::seconds(10));
  }
  result.exit_code = code.value_or(-1);
  result.out = seam::testing::ReadFile(out);
  result.err = seam::testing::ReadFile(err);
  return result;
}

Gateway::Gateway(fs::path dir, fs::path db) : dir_(std::move(dir)), db_(std::move(db)) {}

Gateway::~Gateway() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    WaitUntil(pid_, Clock::now() + std::chrono::seconds(10));
  }
}

bool Gateway::Start(const std::vector<std::string>& extra) {
  const std::string run = std::to_string(++runs_);
  const fs::path port_file = dir_ / ("gateway-" + run + ".port");
  std::vector<std::string> argv = {DEMO_GATEWAY_PATH, "--listen", "127.0.0.1:0", "--db",
                                   db_.string(), "--port-file", port_file.string()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  pid_ = Spawn(argv, dir_ / ("gateway-" + run + ".out"), dir_ / ("gateway-" + run + ".err"));
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  for (;;) {
    const std::string text = seam::testing::ReadFile(port_file);
    if (!text.empty() && text.back() == '\n') {
      port_ = static_cast<unsigned short>(std::stoul(text));
      return true;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      ADD_FAILURE() << "demo-gateway exited with " << DecodeStatus(status) << ": " << Output();
      return false;
    }
    if (Clock::now() >= deadline) {
      ADD_FAILURE() << "demo-gateway did not report its port within 10 s: " << Output();
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

int Gateway::Stop() {
  if (pid_ <= 0) return last_exit_;
  ::kill(pid_, SIGTERM);
  std::optional<int> code = WaitUntil(pid_, Clock::now() + std::chrono::seconds(10));
  if (!code) {
    ::kill(pid_, SIGKILL);
    code = WaitUntil(pid_, Clock::now() + std::chrono::seconds(10));
    code = -2;  // did not stop on SIGTERM
  }
  pid_ = -1;
  last_exit_ = *code;
  return last_exit_;
}

std::string Gateway::Output() const {
  std::string all;
  for (int i = 1; i <= runs_; ++i) {
    for (const char* ext : {".out", ".err"}) {
      all += seam::testing::ReadFile(dir_ / ("gateway-" + std::to_string(i) + ext));
    }
  }
  return all;
}

struct HttpClient::Impl {
  asio::io_context ioc;
  tcp::socket socket{ioc};
  beast::flat_buffer buffer;

  // Runs one async operation to completion with a 5 s deadline (then cancels it).
  template <class Op>
  beast::error_code Await(Op op) {
    bool done = false;
    beast::error_code result;
    op([&](beast::error_code ec, auto&&...) {
      result = ec;
      done = true;
    });
    ioc.restart();
    ioc.run_for(std::chrono::seconds(5));
    if (!done) {
      beast::error_code ignored;
      socket.cancel(ignored);
      ioc.restart();
      ioc.run();
      result = beast::error::timeout;
    }
    return result;
  }

  HttpResponse ReadResponse() {
    HttpResponse out;
    http::response_parser<http::string_body> parser;
    parser.body_limit(1024 * 1024);
    const beast::error_code ec =
        Await([&](auto handler) { http::async_read(socket, buffer, parser, handler); });
    if (ec) return out;  // status 0: closed or failed
    const auto& res = parser.get();
    out.status = res.result_int();
    for (const auto& field : res) {
      std::string name(field.name_string().data(), field.name_string().size());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.headers[name] = std::string(field.value().data(), field.value().size());
    }
    out.body = res.body();
    out.keep_alive = res.keep_alive();
    return out;
  }
};

HttpClient::HttpClient(unsigned short port) : impl_(std::make_unique<Impl>()) {
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
  const beast::error_code ec =
      impl_->Await([&](auto handler) { impl_->socket.async_connect(endpoint, handler); });
  EXPECT_FALSE(ec) << "connect to port " << port << ": " << ec.message();
}

HttpClient::~HttpClient() = default;

HttpResponse HttpClient::Request(const std::string& method, const std::string& target,
                                 const std::string& body,
                                 const std::map<std::string, std::string>& headers) {
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "127.0.0.1");
  for (const auto& [name, value] : headers) req.set(name, value);
  if (!body.empty() || method == "PUT" || method == "POST") {
    req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
  }
  const beast::error_code ec =
      impl_->Await([&](auto handler) { http::async_write(impl_->socket, req, handler); });
  if (ec) return {};
  return impl_->ReadResponse();
}

HttpResponse HttpClient::Raw(const std::string& bytes) {
  const beast::error_code ec = impl_->Await(
      [&](auto handler) { asio::async_write(impl_->socket, asio::buffer(bytes), handler); });
  if (ec) return {};
  return impl_->ReadResponse();
}

bool HttpClient::WaitClosed(std::chrono::milliseconds deadline) {
  std::array<char, 256> scratch{};
  bool done = false;
  beast::error_code result;
  impl_->socket.async_read_some(asio::buffer(scratch), [&](beast::error_code ec, std::size_t) {
    result = ec;
    done = true;
  });
  impl_->ioc.restart();
  impl_->ioc.run_for(deadline);
  if (!done) {
    beast::error_code ignored;
    impl_->socket.cancel(ignored);
    impl_->ioc.restart();
    impl_->ioc.run();
    return false;
  }
  return result == asio::error::eof || result == asio::error::connection_reset;
}

unsigned short HttpClient::local_port() const {
  beast::error_code ec;
  return impl_->socket.local_endpoint(ec).port();
}

std::string Sha256Hex(const std::string& data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), md.data(), &size, EVP_sha256(), nullptr);
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) {
    hex.push_back(kDigits[md[i] >> 4]);
    hex.push_back(kDigits[md[i] & 0x0f]);
  }
  return hex;
}

}  // namespace seam::tools_test
