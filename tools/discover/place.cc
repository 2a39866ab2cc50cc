#include "tools/discover/place.h"

namespace seam::discover {

const char* FormatName(Format f) {
  switch (f) {
    case Format::kJson: return "json";
    case Format::kYaml: return "yaml";
    case Format::kToml: return "toml";
    case Format::kEnv: return "env";
    case Format::kPem: return "pem";
    case Format::kSqlite: return "sqlite";
    case Format::kTls: return "tls";
  }
  return "?";
}

const char* WhyName(Why w) {
  switch (w) {
    case Why::kKeyName: return "key name";
    case Why::kEntropy: return "entropy";
    case Why::kDigest: return "digest";
    case Why::kPlain: return "plain";
    case Why::kCertificate: return "certificate";
    case Why::kPrivateKey: return "private key";
  }
  return "?";
}

}  // namespace seam::discover
