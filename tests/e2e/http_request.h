#pragma once
// One HTTP/1.1 request on a fresh connection to 127.0.0.1 (Boost.Beast), as an admin's curl or
// a monitoring scraper sends it: for the e2e suites' real servers (seamd's status listener, the
// demo gateway).

#include <boost/beast/http/verb.hpp>
#include <string>
#include <utility>
#include <vector>

namespace seam::e2e {

struct HttpReply {
  int status = 0;  // 0: no answer (the error is in body)
  std::string body;
  std::string content_type;
  std::string location, set_cookie;  // those headers, as sent ("" when absent)
};

// `headers`: more request headers, e.g. {{"Cookie", "a=b"}, {"Content-Type", "…"}}.
HttpReply Http(unsigned short port, boost::beast::http::verb method, const std::string& target,
               const std::string& bearer = "", const std::string& body = "",
               const std::vector<std::pair<std::string, std::string>>& headers = {});

}  // namespace seam::e2e
