#pragma once
// Registration entry points, called explicitly from main() (no static-initialiser magic).

namespace seam::bench {

void RegisterAppendBenchmarks();  // append_bench.cc: figures 1 and 2
void RegisterReplayBenchmarks();  // replay_bench.cc: figures 3 and 4
void RegisterCheckBenchmarks();   // check_bench.cc: one check pass over 1,000 pairing seams
void RegisterSeamdBenchmarks();   // seamd_bench.cc: seamd's detection latency and scale
void PrintSeamdFigures();         // seamd_bench.cc: its figures beside their baselines
void RegisterAuditBenchmarks();   // audit_bench.cc: audit / drift of one seam at 1M events
void PrintAuditFigures();         // audit_bench.cc: their figures beside the raw stream read
void RegisterPgBenchmarks();      // pg_bench.cc: the PostgreSQL store beside raw libpq
void RegisterCertBenchmarks();    // cert_bench.cc: a renewal to nginx serving it, seamd running
void PrintCertFigures();          // cert_bench.cc: the distribution beside reloading by hand
void RegisterAgentsBenchmarks();  // agents_bench.cc: seamd agents on PostgreSQL (rotation, failover)
void PrintAgentsFigures();        // agents_bench.cc: their figures beside their baselines
void RegisterNotifyBenchmarks();  // notify_bench.cc: repair with a webhook target; a 10,000-seam storm
void PrintNotifyFigures();        // notify_bench.cc: their figures beside their baselines
void RegisterFileSideBenchmarks();  // file_side_bench.cc: one json-file observation beside a raw read
void RegisterPrivateKeyBenchmarks();  // private_key_bench.cc: a key read beside PEM_read_bio_PrivateKey
void RegisterDiscoverBenchmarks();  // discover_bench.cc: seamctl discover over 100,000 files
void PrintDiscoverFigures();        // discover_bench.cc: beside grep over the same tree

}  // namespace seam::bench
