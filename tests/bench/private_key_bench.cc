// Figure: reading one private key, what a certificate seam does each pass to check that the key
// matches the leaf (core/x509.h ValidatePrivateKeyPem, on an EC P-256 PKCS#8 key), beside
// OpenSSL's own PEM_read_bio_PrivateKey on the same text. Information, no goal: OpenSSL 3.0
// builds a new decoder chain on each call, seam keeps one per thread (core/x509.cc,
// KeyDecoder), so the ratio is what that saves per key read.
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <ctime>
#include <string>

#include <benchmark/benchmark.h>

#include "core/x509.h"
#include "tests/bench/bench_main.h"
#include "tests/bench/summary.h"

namespace seam::bench {
namespace {

Result<SelfSigned> MadeKey() { return MakeSelfSignedCertificate("bench.example", 2, std::time(nullptr)); }

void SeamReadKey(benchmark::State& state) {
  Result<SelfSigned> made = MadeKey();
  if (!made.ok()) {
    state.SkipWithError(made.status().ToString().c_str());
    return;
  }
  for (auto _ : state) {
    Status read = ValidatePrivateKeyPem(made->key_pem);
    if (!read.ok()) {
      state.SkipWithError(read.ToString().c_str());
      break;
    }
  }
  state.counters[kRateCounter] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void OpenSslReadKey(benchmark::State& state) {
  Result<SelfSigned> made = MadeKey();
  if (!made.ok()) {
    state.SkipWithError(made.status().ToString().c_str());
    return;
  }
  const std::string_view pem = made->key_pem.Reveal();
  for (auto _ : state) {
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    if (key == nullptr) {
      state.SkipWithError("PEM_read_bio_PrivateKey read no key");
      break;
    }
    EVP_PKEY_free(key);
  }
  state.counters[kRateCounter] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

}  // namespace

void RegisterPrivateKeyBenchmarks() {
  benchmark::RegisterBenchmark(kSeamReadPrivateKey, SeamReadKey)
      ->UseRealTime()->MinTime(0.5)->Repetitions(3)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark(kRawReadPrivateKey, OpenSslReadKey)
      ->UseRealTime()->MinTime(0.5)->Repetitions(3)->Unit(benchmark::kMicrosecond);
}

}  // namespace seam::bench
