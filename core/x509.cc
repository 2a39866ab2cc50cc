#include "core/x509.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <limits>
#include <memory>
#include <utility>

#include "core/crypto.h"

namespace seam {
namespace {

// unique_ptr deleters for OpenSSL objects. (OpenSSL's macros are avoided throughout: many of
// them expand to old-style casts, which -Werror refuses.)
template <auto Free>
struct FreeWith {
  template <class T>
  void operator()(T* p) const {
    Free(p);
  }
};
using BioPtr = std::unique_ptr<BIO, FreeWith<BIO_free>>;
using X509Ptr = std::unique_ptr<X509, FreeWith<X509_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, FreeWith<EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, FreeWith<EVP_PKEY_CTX_free>>;
using BnPtr = std::unique_ptr<BIGNUM, FreeWith<BN_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, FreeWith<X509_EXTENSION_free>>;

constexpr std::string_view kBeginCert = "-----BEGIN CERTIFICATE-----";
constexpr std::string_view kEndCert = "-----END CERTIFICATE-----";
constexpr std::string_view kBeginAny = "-----BEGIN ";

// OpenSSL's error queue is per thread; a failure we turned into a Status must not leak into
// the next caller's error reports.
struct ErrorQueueCleaner {
  ~ErrorQueueCleaner() { ERR_clear_error(); }
};

BioPtr ReadBio(std::string_view bytes) {
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) return nullptr;
  return BioPtr(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::size_t SkipSpace(std::string_view s, std::size_t pos) {
  while (pos < s.size() && IsSpace(s[pos])) ++pos;
  return pos;
}

// The label of a "-----BEGIN LABEL-----" line at the start of `s`, when it looks like a PEM
// label (upper-case letters, digits, spaces; at most 40). Empty otherwise. Labels are
// public ("PRIVATE KEY"), never the content.
std::string PemLabelAt(std::string_view s) {
  if (!s.starts_with(kBeginAny)) return {};
  s.remove_prefix(kBeginAny.size());
  std::size_t end = s.find("-----");
  if (end == std::string_view::npos || end == 0 || end > 40) return {};
  std::string_view label = s.substr(0, end);
  bool plain = std::all_of(label.begin(), label.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ';
  });
  return plain ? std::string(label) : std::string();
}

// Unix seconds of an ASN1_TIME (UTCTime or GeneralizedTime, always UTC in certificates).
bool ToUnix(const ASN1_TIME* t, std::int64_t* out) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return false;
  using namespace std::chrono;
  const sys_days day = year{tm.tm_year + 1900} / month{static_cast<unsigned>(tm.tm_mon + 1)} /
                       std::chrono::day{static_cast<unsigned>(tm.tm_mday)};
  *out = std::int64_t{day.time_since_epoch().count()} * 86400 + std::int64_t{tm.tm_hour} * 3600 +
         std::int64_t{tm.tm_min} * 60 + std::int64_t{tm.tm_sec};
  return true;
}

// Shown in one-line messages and log lines: control characters (a newline in a hostile
// certificate) become '?', and it is bounded.
std::string OneLine(std::string text) {
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  if (text.size() > 256) text.resize(256);
  return text;
}

std::string IssuerName(X509* cert) {
  BIO* out = BIO_new(BIO_s_mem());
  if (out == nullptr) return {};
  std::string name;
  if (X509_NAME_print_ex(out, X509_get_issuer_name(cert), 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
    char* data = nullptr;
    const long len = BIO_get_mem_data(out, &data);
    if (len > 0 && data != nullptr) name.assign(data, static_cast<std::size_t>(len));
  }
  BIO_free(out);
  return OneLine(std::move(name));
}

// DNS names and IP addresses (as text) of the subjectAltName extension.
std::vector<std::string> AltNames(X509* cert) {
  std::vector<std::string> out;
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names) && out.size() < 100; ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
    if (n->type == GEN_DNS) {
      const ASN1_STRING* s = n->d.dNSName;
      out.push_back(OneLine(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                        static_cast<std::size_t>(ASN1_STRING_length(s)))));
    } else if (n->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* ip = n->d.iPAddress;
      const unsigned char* b = ASN1_STRING_get0_data(ip);
      char text[64] = {0};
      if (ASN1_STRING_length(ip) == 4) {
        std::snprintf(text, sizeof text, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
      } else if (ASN1_STRING_length(ip) == 16) {
        int at = 0;
        for (int k = 0; k < 16; k += 2) {
          at += std::snprintf(text + at, sizeof text - static_cast<std::size_t>(at), k == 0 ? "%x" : ":%x",
                              (b[k] << 8) | b[k + 1]);
        }
      }
      if (text[0] != '\0') out.emplace_back(text);
    }
  }
  GENERAL_NAMES_free(names);
  return out;
}

std::string CommonName(X509* cert) {
  X509_NAME* name = X509_get_subject_name(cert);
  int index = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (index < 0) return {};
  ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  unsigned char* utf8 = nullptr;
  int len = ASN1_STRING_to_UTF8(&utf8, data);
  if (len < 0) return {};
  std::string cn(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(len));
  OPENSSL_free(utf8);
  return OneLine(std::move(cn));
}

// The fields of `cert` (chain_length left to the caller); `what` names it in messages.
Result<CertificateInfo> Describe(X509* cert, const std::string& what) {
  CertificateInfo info;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (X509_digest(cert, EVP_sha256(), md, &md_len) != 1) {
    return Status::InvalidArgument(what + " cannot be encoded for its fingerprint");
  }
  info.leaf_sha256 = HexLower(md, md_len);
  if (!ToUnix(X509_get0_notAfter(cert), &info.not_after)) {
    return Status::InvalidArgument(what + " has an invalid notAfter time");
  }
  if (!ToUnix(X509_get0_notBefore(cert), &info.not_before)) {
    return Status::InvalidArgument(what + " has an invalid notBefore time");
  }
  info.subject_cn = CommonName(cert);
  info.issuer = IssuerName(cert);
  info.sans = AltNames(cert);
  return info;
}

// Parses the chain; the leaf certificate itself goes to `leaf` when not null.
Result<CertificateInfo> ParseChain(std::string_view pem, X509Ptr* leaf) {
  ErrorQueueCleaner clean;
  X509Ptr first;
  X509Ptr previous;
  std::size_t out_of_order = 0;
  std::vector<std::string> rest_sha256;
  std::int64_t rest_not_after = 0;
  std::size_t count = 0;
  std::size_t pos = 0;
  auto where = [&count] {
    return count == 0 ? std::string("before the first certificate")
                      : "after certificate " + std::to_string(count);
  };
  while ((pos = SkipSpace(pem, pos)) < pem.size()) {
    std::string_view rest = pem.substr(pos);
    if (!rest.starts_with(kBeginCert)) {
      std::string label = PemLabelAt(rest);
      if (count == 0 && pem.find(kBeginCert) == std::string_view::npos) {
        return Status::InvalidArgument(
            "no PEM certificate found" +
            (label.empty() ? std::string() : " (the first PEM block is " + label + ")"));
      }
      if (!label.empty()) {
        return Status::InvalidArgument("a " + label + " block " + where() +
                                       " (only certificates may be in a chain)");
      }
      return Status::InvalidArgument("data that is not a PEM certificate " + where());
    }
    const std::string nth = "certificate " + std::to_string(count + 1) + " of the chain";
    std::size_t end = rest.find(kEndCert);
    if (end == std::string_view::npos) return Status::InvalidArgument(nth + " has no END line");
    end += kEndCert.size();
    BioPtr bio = ReadBio(rest.substr(0, end));
    X509Ptr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!cert) return Status::InvalidArgument(nth + " does not parse");
    if (count > 0 && out_of_order == 0 && X509_check_issued(cert.get(), previous ? previous.get() : first.get()) != X509_V_OK) {
      out_of_order = count + 1;
    }
    if (!first) {
      first = std::move(cert);
    } else {
      SEAM_ASSIGN_OR_RETURN(CertificateInfo after_leaf, Describe(cert.get(), nth));
      rest_sha256.push_back(std::move(after_leaf.leaf_sha256));
      if (rest_not_after == 0 || after_leaf.not_after < rest_not_after) rest_not_after = after_leaf.not_after;
      previous = std::move(cert);
    }
    ++count;
    pos += end;
  }
  if (count == 0) return Status::InvalidArgument("no PEM certificate found");
  SEAM_ASSIGN_OR_RETURN(CertificateInfo info, Describe(first.get(), "the leaf certificate"));
  info.chain_length = count;
  info.out_of_order = out_of_order;
  info.rest_sha256 = std::move(rest_sha256);
  info.rest_not_after = rest_not_after;
  if (leaf != nullptr) *leaf = std::move(first);
  return info;
}

int RefusePassphrase(char*, int, int, void* asked) {
  *static_cast<bool*>(asked) = true;
  return -1;
}

// Reads a private key as PEM_read_bio_PrivateKey does: PEM blocks that hold no key it can
// decode (a certificate, a public key, a broken key) are passed over; the first key, or an
// encrypted one (its passphrase refused), ends the search (tests/plugins/pem_file/
// private_key_test.cc holds the two side by side). Why not call it: OpenSSL 3.0
// assembles a new decoder chain from every provider's decoders on each call, about 0.3-0.5 ms
// before the first byte is read and ten times the decoding itself (3.1 caches the chain). So
// each thread builds the chain once and reuses it. Only private keys are asked for, so a
// PUBLIC KEY block is passed over like a certificate.
class KeyDecoder {
 public:
  KeyDecoder()
      : ctx_(OSSL_DECODER_CTX_new_for_pkey(&out_, "PEM", nullptr, nullptr, OSSL_KEYMGMT_SELECT_PRIVATE_KEY, nullptr,
                                           nullptr)) {}
  ~KeyDecoder() {
    OSSL_DECODER_CTX_free(ctx_);
    EVP_PKEY_free(out_);
  }
  KeyDecoder(const KeyDecoder&) = delete;
  KeyDecoder& operator=(const KeyDecoder&) = delete;

  // The key, or null; `*asked` is set when the key wanted a passphrase (which is refused).
  PkeyPtr Read(BIO* bio, bool* asked) {
    // A chain that could not be built (out of memory): OpenSSL's own reader, at its own cost.
    if (ctx_ == nullptr || OSSL_DECODER_CTX_set_pem_password_cb(ctx_, RefusePassphrase, asked) != 1) {
      return PkeyPtr(PEM_read_bio_PrivateKey(bio, nullptr, RefusePassphrase, asked));
    }
    ERR_clear_error();  // the first error of a failed decode tells why it failed
    long pos = BIO_tell(bio);
    for (;;) {
      EVP_PKEY_free(std::exchange(out_, nullptr));
      ERR_set_mark();
      if (OSSL_DECODER_from_bio(ctx_, bio) == 1 && out_ != nullptr) {
        ERR_pop_to_mark();
        return PkeyPtr(std::exchange(out_, nullptr));
      }
      // Nothing failed but "no supported data": a PEM block that holds no private key was read;
      // go on to the next. (A refused passphrase fails first with a reason of its own.)
      const bool no_key_here = ERR_GET_REASON(ERR_peek_error()) == ERR_R_UNSUPPORTED;
      ERR_pop_to_mark();
      const long next = BIO_tell(bio);
      if (!no_key_here || BIO_eof(bio) != 0 || next < 0 || next <= pos) break;
      pos = next;
    }
    EVP_PKEY_free(std::exchange(out_, nullptr));
    return nullptr;
  }

 private:
  EVP_PKEY* out_ = nullptr;  // where the decoder puts each key it decodes (ctx_ holds &out_)
  OSSL_DECODER_CTX* ctx_;
};

Result<PkeyPtr> LoadPrivateKey(const Secret& key_pem) {
  ErrorQueueCleaner clean;
  BioPtr bio = ReadBio(key_pem.Reveal());
  if (!bio) return Status::InvalidArgument("the private key does not parse");
  bool asked = false;
  thread_local KeyDecoder decoder;
  PkeyPtr key = decoder.Read(bio.get(), &asked);
  if (key) return key;
  if (asked) return Status::InvalidArgument("the private key is encrypted (passphrases are not supported)");
  // OpenSSL 3's decoders do not tell "no key block" from "a block that does not decode" by a
  // stable reason code; the armour line does ("PRIVATE KEY", "EC PRIVATE KEY", ...).
  if (key_pem.Reveal().find("PRIVATE KEY-----") == std::string_view::npos) {
    return Status::InvalidArgument("no PEM private key found");
  }
  return Status::InvalidArgument("the private key does not parse");
}

// The PEM text written to `bio` so far.
std::string DrainBio(BIO* bio) {
  std::string out(BIO_ctrl_pending(bio), '\0');
  int n = out.empty() ? 0 : BIO_read(bio, out.data(), static_cast<int>(out.size()));
  out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  return out;
}

bool IsDnsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '*';
}

Status AddExtension(X509* cert, int nid, const std::string& value) {
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, cert, cert, nullptr, nullptr, 0);
  ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &v3, nid, value.c_str()));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    return Status::Internal("cannot add the " + std::string(OBJ_nid2sn(nid)) + " extension");
  }
  return Status::Ok();
}

}  // namespace

Result<CertificateInfo> ParseCertificateChain(std::string_view pem) { return ParseChain(pem, nullptr); }

Result<CertificateInfo> ParseCertificateDer(std::string_view der) {
  ErrorQueueCleaner clean;
  if (der.size() > static_cast<std::size_t>(std::numeric_limits<long>::max())) {
    return Status::InvalidArgument("the certificate does not parse");
  }
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert) return Status::InvalidArgument("the certificate does not parse");
  if (p != reinterpret_cast<const unsigned char*>(der.data() + der.size())) {
    return Status::InvalidArgument("trailing data after the certificate");
  }
  SEAM_ASSIGN_OR_RETURN(CertificateInfo info, Describe(cert.get(), "the certificate"));
  info.chain_length = 1;
  return info;
}

Result<bool> PrivateKeyMatches(const Secret& key_pem, std::string_view chain_pem) {
  X509Ptr leaf;
  SEAM_RETURN_IF_ERROR(ParseChain(chain_pem, &leaf).status());
  SEAM_ASSIGN_OR_RETURN(PkeyPtr key, LoadPrivateKey(key_pem));
  ErrorQueueCleaner clean;
  // Compares the key's public half with the certificate's public key (type, curve, point).
  return X509_check_private_key(leaf.get(), key.get()) == 1;
}

Status ValidatePrivateKeyPem(const Secret& key_pem) { return LoadPrivateKey(key_pem).status(); }

Result<SelfSigned> MakeSelfSignedCertificate(const std::string& common_name, int days,
                                             std::int64_t now_unix) {
  if (common_name.empty() || common_name.size() > 64 ||
      !std::all_of(common_name.begin(), common_name.end(), IsDnsNameChar)) {
    return Status::InvalidArgument(
        "the common name must be a DNS name of 1 to 64 characters (letters, digits, '-', '.', "
        "'_', '*')");
  }
  if (days < 1 || days > 36500) {
    return Status::InvalidArgument("the validity must be 1 to 36500 days, got " + std::to_string(days));
  }
  ErrorQueueCleaner clean;
  auto failed = [](const char* what) { return Status::Internal(std::string("self-signed certificate: ") + what + " failed"); };

  PkeyCtxPtr kctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw_key = nullptr;
  if (!kctx || EVP_PKEY_keygen_init(kctx.get()) != 1 ||
      EVP_PKEY_CTX_set_group_name(kctx.get(), "P-256") != 1 || EVP_PKEY_generate(kctx.get(), &raw_key) != 1) {
    return failed("EC P-256 key generation");
  }
  PkeyPtr key(raw_key);

  X509Ptr cert(X509_new());
  BnPtr serial(BN_new());
  // 127 random bits with the top one set: positive, 16 bytes in DER, never zero.
  if (!cert || !serial || X509_set_version(cert.get(), 2) != 1 ||
      BN_rand(serial.get(), 127, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr) {
    return failed("making the serial number");
  }
  const auto now = static_cast<time_t>(now_unix);
  if (ASN1_TIME_set(X509_getm_notBefore(cert.get()), now) == nullptr ||
      ASN1_TIME_adj(X509_getm_notAfter(cert.get()), now, days, 0) == nullptr) {
    return failed("setting the validity");
  }
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0) != 1 ||
      X509_set_issuer_name(cert.get(), name) != 1 || X509_set_pubkey(cert.get(), key.get()) != 1) {
    return failed("setting the names");
  }
  // The common name holds no ',' (checked above), which the extension syntax would split on.
  SEAM_RETURN_IF_ERROR(AddExtension(cert.get(), NID_subject_alt_name, "DNS:" + common_name));
  SEAM_RETURN_IF_ERROR(AddExtension(cert.get(), NID_basic_constraints, "critical,CA:FALSE"));
  SEAM_RETURN_IF_ERROR(AddExtension(cert.get(), NID_ext_key_usage, "serverAuth,clientAuth"));
  SEAM_RETURN_IF_ERROR(AddExtension(cert.get(), NID_subject_key_identifier, "hash"));
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) return failed("signing");

  SelfSigned out;
  BioPtr cert_bio(BIO_new(BIO_s_mem()));
  if (!cert_bio || PEM_write_bio_X509(cert_bio.get(), cert.get()) != 1) return failed("writing the certificate");
  out.chain_pem = DrainBio(cert_bio.get());
  // The secure-heap BIO wipes its buffer when freed; the string it is drained into moves into
  // the Secret without a copy.
  BioPtr key_bio(BIO_new(BIO_s_secmem()));
  if (!key_bio || PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return failed("writing the key");
  }
  out.key_pem = Secret(DrainBio(key_bio.get()));
  return out;
}

std::string FormatUnixTime(std::int64_t unix_seconds) {
  using namespace std::chrono;
  std::int64_t day_number = unix_seconds / 86400;
  std::int64_t second_of_day = unix_seconds % 86400;
  if (second_of_day < 0) {
    second_of_day += 86400;
    --day_number;
  }
  const year_month_day ymd{sys_days{days{static_cast<days::rep>(day_number)}}};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(second_of_day / 3600), static_cast<int>(second_of_day / 60 % 60),
                static_cast<int>(second_of_day % 60));
  return buf;
}

std::int64_t RoundedDays(std::int64_t seconds) {
  return seconds >= 0 ? (seconds + 43200) / 86400 : -((-seconds + 43200) / 86400);
}

std::string DaysText(std::int64_t seconds) {
  const std::int64_t magnitude = seconds >= 0 ? seconds : -seconds;
  if (magnitude < 86400) return "less than a day";
  const std::int64_t days = RoundedDays(magnitude);
  return std::to_string(days) + (days == 1 ? " day" : " days");
}

}  // namespace seam
