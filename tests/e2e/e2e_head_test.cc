// A head kept outside the log: `seamctl head` prints the chain's head, `seamctl verify --head
// SEQ:HASH` checks that the log still extends it. The two attacks the chain alone cannot see are
// played here with file access: dropping the tail, and rewriting an event and re-chaining every
// hash after it with seam's own hash function. Plain `verify` calls both logs intact; with the
// kept head both are caught and explained.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cctype>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/event.h"
#include "core/hash_chain.h"
#include "tests/e2e/e2e_fixture.h"

namespace seam::e2e {
namespace {

const std::string kZeros(64, '0');

struct KeptHeadOut {
  std::int64_t seq = -1;
  std::string hash;
  std::string Arg() const { return std::to_string(seq) + ":" + hash; }
};

// Reads every event, lets `alter` change the one at `seq`, then writes it and every later event
// back with prev_hash and hash recomputed by seam's chain function: the log that someone with
// file access (and seam's source) leaves behind. Only the update trigger is in the way.
void RewriteAndRechain(const fs::path& db_path, std::int64_t seq, const std::function<void(Event&)>& alter) {
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open_v2(db_path.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  const std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
  ASSERT_EQ(sqlite3_exec(db.get(), "DROP TRIGGER events_no_update; BEGIN IMMEDIATE;", nullptr, nullptr, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db.get());

  std::vector<Event> events;
  sqlite3_stmt* select = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db.get(),
                               "SELECT seq, stream, version, type, time_us, actor, payload FROM events ORDER BY seq",
                               -1, &select, nullptr),
            SQLITE_OK);
  auto text = [&](int col) {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_blob(select, col));
    return p == nullptr ? std::string() : std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(select, col)));
  };
  while (sqlite3_step(select) == SQLITE_ROW) {
    Event e;
    e.seq = sqlite3_column_int64(select, 0);
    e.stream = text(1);
    e.version = sqlite3_column_int64(select, 2);
    e.type = text(3);
    e.time_us = sqlite3_column_int64(select, 4);
    e.actor = text(5);
    e.payload = text(6);
    events.push_back(std::move(e));
  }
  sqlite3_finalize(select);
  ASSERT_FALSE(events.empty());

  sqlite3_stmt* update = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db.get(),
                               "UPDATE events SET actor = ?1, payload = ?2, prev_hash = ?3, hash = ?4 WHERE seq = ?5",
                               -1, &update, nullptr),
            SQLITE_OK);
  Hash prev = kGenesisHash;
  int rewritten = 0;
  for (Event& e : events) {
    if (e.seq == seq) alter(e);
    e.prev_hash = prev;
    e.hash = ComputeEventHash(e);
    prev = e.hash;
    if (e.seq < seq) continue;
    sqlite3_bind_text(update, 1, e.actor.data(), static_cast<int>(e.actor.size()), SQLITE_TRANSIENT);
    sqlite3_bind_blob(update, 2, e.payload.data(), static_cast<int>(e.payload.size()), SQLITE_TRANSIENT);
    sqlite3_bind_blob(update, 3, e.prev_hash.data(), static_cast<int>(e.prev_hash.size()), SQLITE_TRANSIENT);
    sqlite3_bind_blob(update, 4, e.hash.data(), static_cast<int>(e.hash.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(update, 5, e.seq);
    EXPECT_EQ(sqlite3_step(update), SQLITE_DONE) << sqlite3_errmsg(db.get());
    sqlite3_reset(update);
    ++rewritten;
  }
  sqlite3_finalize(update);
  ASSERT_GT(rewritten, 0);
  ASSERT_EQ(sqlite3_exec(db.get(), "COMMIT;", nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db.get());
}

class HeadTest : public SeamctlTest {
 protected:
  // As e2e_tamper_test.cc: issued, then twice rotated and repaired. The head after each of the
  // three steps is kept in heads_, as someone would keep it elsewhere. Seqs are taken from the
  // heads, not assumed: how many events a step records is not this test's business.
  void MakeLog() {
    ASSERT_NO_FATAL_FAILURE(InitAndIssue());
    heads_.push_back(Head());
    for (int i = 0; i < 2; ++i) {
      ASSERT_EQ(Seamctl({"token", "rotate", kSeam}).exit_code, 0);
      SetCliToken("drift-" + std::to_string(i));
      ASSERT_EQ(Seamctl({"repair"}).exit_code, 0);
      heads_.push_back(Head());
    }
    ASSERT_EQ(heads_.size(), 3U);
    ASSERT_GT(heads_[0].seq, 0);
    // At least two events between heads, so that one can be changed strictly inside.
    ASSERT_GT(heads_[1].seq, heads_[0].seq + 1);
    ASSERT_GT(heads_[2].seq, heads_[1].seq + 1);
    ASSERT_EQ(LogEvents().size(), static_cast<std::size_t>(heads_[2].seq));
    first_ = heads_[0].seq;
    mid_ = heads_[1].seq;
    last_ = heads_[2].seq;
  }
  static std::string S(std::int64_t seq) { return std::to_string(seq); }
  // `head --json`, parsed; a test failure unless it is exactly {seq, hash}.
  KeptHeadOut Head() {
    ProcessResult r = Seamctl({"head", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(r.err, "");
    const nlohmann::json j = nlohmann::json::parse(r.out, nullptr, false);
    KeptHeadOut head;
    if (j.is_discarded() || !j.is_object() || j.size() != 2 || !j.contains("seq") || !j.contains("hash") ||
        !j["seq"].is_number_integer() || !j["hash"].is_string()) {
      ADD_FAILURE() << "head --json is not {seq, hash}: " << r.out;
      return head;
    }
    head.seq = j["seq"].get<std::int64_t>();
    head.hash = j["hash"].get<std::string>();
    return head;
  }
  nlohmann::json VerifyJson(const std::vector<std::string>& extra, int* code) {
    std::vector<std::string> args{"verify", "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    ProcessResult r = Seamctl(args);
    *code = r.exit_code;
    nlohmann::json j = nlohmann::json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.out << r.err;
    return j;
  }
  void Sql(const std::string& sql) {
    ProcessResult r = RunSqlite(DbFile(), sql);
    ASSERT_EQ(r.exit_code, 0) << sql << "\n" << r.err;
  }
  std::vector<KeptHeadOut> heads_;
  std::int64_t first_ = 0, mid_ = 0, last_ = 0;  // the seqs of heads_
};

// What every JSON report keeps from plain verify, plus head_check when a head is given
// (nlohmann::json keeps keys sorted, so sorted is what is compared).
void ExpectVerifyKeys(const nlohmann::json& j, bool with_head_check) {
  std::vector<std::string> keys{"events_checked", "first_bad_seq", "head", "intact", "reason"};
  if (with_head_check) keys.emplace(keys.begin() + 3, "head_check");
  std::vector<std::string> got;
  for (auto it = j.begin(); it != j.end(); ++it) got.push_back(it.key());
  EXPECT_EQ(got, keys) << j.dump(2);
  if (with_head_check) {
    std::vector<std::string> check_keys;
    for (auto it = j["head_check"].begin(); it != j["head_check"].end(); ++it) check_keys.push_back(it.key());
    EXPECT_EQ(check_keys, (std::vector<std::string>{"hash", "ok", "reason", "seq"})) << j.dump(2);
  }
}

// (e) head --json schema; the text form and its hint; the empty log.
TEST_F(HeadTest, HeadPrintsSeqAndHashOfTheLastEvent) {
  ASSERT_NO_FATAL_FAILURE(InitStandard());
  const KeptHeadOut empty = Head();
  EXPECT_EQ(empty.seq, 0);
  EXPECT_EQ(empty.hash, kZeros);
  ProcessResult empty_text = Seamctl({"head"});
  EXPECT_EQ(empty_text.exit_code, 0) << empty_text.err;
  EXPECT_EQ(empty_text.out.substr(0, empty_text.out.find('\n')), "seq 0 hash " + kZeros);

  ProcessResult issue = Seamctl({"token", "issue", kSeam});
  ASSERT_EQ(issue.exit_code, 0) << issue.err;
  const KeptHeadOut head = Head();
  const std::vector<nlohmann::json> events = LogEvents();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(head.seq, static_cast<std::int64_t>(events.size()));
  EXPECT_EQ(head.seq, events.back()["seq"]);
  EXPECT_EQ(head.hash, events.back()["hash"]);
  EXPECT_EQ(head.hash.find_first_not_of("0123456789abcdef"), std::string::npos) << head.hash;
  int code = -1;
  EXPECT_EQ(VerifyJson({}, &code)["head"]["hash"], head.hash);

  // The head --json line as printed: one line, {"seq":N,"hash":"HEX"}.
  ProcessResult json = Seamctl({"head", "--json"});
  EXPECT_EQ(json.out, "{\"seq\":" + S(head.seq) + ",\"hash\":\"" + head.hash + "\"}\n");

  // Text: the head on one line, then a hint naming where to keep it and the verify to run.
  ProcessResult text = Seamctl({"head"});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_EQ(text.err, "");
  const std::string first = text.out.substr(0, text.out.find('\n'));
  EXPECT_EQ(first, "seq " + S(head.seq) + " hash " + head.hash);
  EXPECT_TRUE(Contains(text.out, "another machine")) << text.out;
  EXPECT_TRUE(Contains(text.out, "seamctl verify --head " + head.Arg())) << text.out;
}

// (a) A kept head stays valid while the log grows; --head-file reads `head --json` output.
TEST_F(HeadTest, LogThatGrewPastTheKeptHeadVerifies) {
  ASSERT_NO_FATAL_FAILURE(MakeLog());
  const Snapshot before = TakeSnapshot(Root());
  for (const KeptHeadOut& kept : heads_) {
    ProcessResult text = Seamctl({"verify", "--head", kept.Arg()});
    EXPECT_EQ(text.exit_code, 0) << text.out << text.err;
    EXPECT_TRUE(Contains(text.out, "log intact: " + S(last_) + " events, head seq " + S(last_) + " " +
                                       heads_.back().hash + "\n"))
        << text.out;
    EXPECT_TRUE(Contains(text.out, "extends the head kept outside: seq " + std::to_string(kept.seq) + " " + kept.hash))
        << text.out;

    int code = -1;
    const nlohmann::json j = VerifyJson({"--head", kept.Arg()}, &code);
    EXPECT_EQ(code, 0);
    ExpectVerifyKeys(j, true);
    EXPECT_EQ(j["intact"], true);
    EXPECT_TRUE(j["first_bad_seq"].is_null());
    EXPECT_EQ(j["head_check"]["seq"], kept.seq);
    EXPECT_EQ(j["head_check"]["hash"], kept.hash);
    EXPECT_EQ(j["head_check"]["ok"], true);
    EXPECT_TRUE(j["head_check"]["reason"].is_null());
  }
  // Upper-case hex is the same hash; the empty log's head is extended by every log.
  std::string upper = heads_[0].hash;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(Seamctl({"verify", "--head", S(first_) + ":" + upper}).exit_code, 0);
  EXPECT_EQ(Seamctl({"verify", "--head", "0:" + kZeros}).exit_code, 0);
  // Without --head the JSON is exactly as before.
  int code = -1;
  ExpectVerifyKeys(VerifyJson({}, &code), false);
  EXPECT_EQ(code, 0);
  EXPECT_EQ(SnapshotDiff(before, TakeSnapshot(Root())), "");

  // `seamctl head --json > FILE` is what --head-file reads.
  const fs::path kept_file = Root() / "kept-head.json";
  {
    ProcessResult saved = Seamctl({"head", "--json"});
    ASSERT_EQ(saved.exit_code, 0);
    std::ofstream(kept_file) << saved.out;
  }
  const nlohmann::json from_file = VerifyJson({"--head-file", kept_file.string()}, &code);
  EXPECT_EQ(code, 0) << from_file.dump(2);
  EXPECT_EQ(from_file["head_check"]["seq"], last_);
  EXPECT_EQ(from_file["head_check"]["ok"], true);
}

// (b) Dropping the tail leaves a perfectly chained shorter log: only the kept head shows it.
TEST_F(HeadTest, TruncatedTailIsCaughtOnlyWithTheKeptHead) {
  ASSERT_NO_FATAL_FAILURE(MakeLog());
  ASSERT_NO_FATAL_FAILURE(Sql("DROP TRIGGER events_no_delete; DELETE FROM events WHERE seq > " + S(mid_) + ";"));
  const Snapshot before = TakeSnapshot(Root());

  ProcessResult plain = Seamctl({"verify"});
  EXPECT_EQ(plain.exit_code, 0) << plain.out << plain.err;
  EXPECT_TRUE(Contains(plain.out, "log intact: " + S(mid_) + " events, head seq " + S(mid_) + " ")) << plain.out;

  const std::string arg = heads_[2].Arg();
  ProcessResult text = Seamctl({"verify", "--head", arg});
  EXPECT_EQ(text.exit_code, 1) << text.out << text.err;
  EXPECT_EQ(text.err, "");
  EXPECT_TRUE(Contains(text.out, "log BROKEN at seq " + S(mid_ + 1) + ": the log ends at seq " + S(mid_) +
                                     " but the head kept outside says seq " + S(last_) + ": events " + S(mid_ + 1) +
                                     ".." + S(last_) + " were removed (tail truncated)\n"))
      << text.out;
  EXPECT_TRUE(Contains(text.out, "the hash chain itself is intact: " + S(mid_) + " events")) << text.out;

  int code = -1;
  const nlohmann::json j = VerifyJson({"--head", arg}, &code);
  EXPECT_EQ(code, 1);
  ExpectVerifyKeys(j, true);
  EXPECT_EQ(j["intact"], false);
  EXPECT_EQ(j["first_bad_seq"], mid_ + 1);
  EXPECT_EQ(j["events_checked"], mid_);
  EXPECT_EQ(j["head"]["seq"], mid_);
  EXPECT_EQ(j["head"]["hash"], heads_[1].hash);
  EXPECT_EQ(j["head_check"]["seq"], last_);
  EXPECT_EQ(j["head_check"]["hash"], heads_[2].hash);
  EXPECT_EQ(j["head_check"]["ok"], false);
  EXPECT_EQ(j["reason"], j["head_check"]["reason"]);
  EXPECT_TRUE(Contains(j["head_check"]["reason"].get<std::string>(), "tail truncated")) << j.dump(2);

  // Heads at or before the cut are still extended: the truncation is after them.
  EXPECT_EQ(Seamctl({"verify", "--head", heads_[1].Arg()}).exit_code, 0);
  EXPECT_EQ(Seamctl({"verify", "--head", heads_[0].Arg()}).exit_code, 0);
  EXPECT_EQ(SnapshotDiff(before, TakeSnapshot(Root())), "");

  // One event gone reads as one event.
  ASSERT_NO_FATAL_FAILURE(Sql("DELETE FROM events WHERE seq = " + S(mid_) + ";"));
  ProcessResult one = Seamctl({"verify", "--head", heads_[1].Arg()});
  EXPECT_EQ(one.exit_code, 1);
  EXPECT_TRUE(Contains(one.out, "the log ends at seq " + S(mid_ - 1) + " but the head kept outside says seq " +
                                    S(mid_) + ": event " + S(mid_) + " was removed (tail truncated)"))
      << one.out;
}

// (c) Rewriting an event and re-chaining every hash after it: the chain is intact again.
TEST_F(HeadTest, RewrittenAndRechainedLogIsCaughtOnlyWithTheKeptHead) {
  ASSERT_NO_FATAL_FAILURE(MakeLog());
  // An event of the first rotation (after the first kept head, before the second) gets another
  // payload; it and every event after it are re-chained.
  const std::int64_t changed = first_ + 2;
  ASSERT_NO_FATAL_FAILURE(
      RewriteAndRechain(DbFile(), changed, [](Event& e) { e.payload = std::string(1, '\0') + e.payload; }));
  const Snapshot before = TakeSnapshot(Root());

  ProcessResult plain = Seamctl({"verify"});
  EXPECT_EQ(plain.exit_code, 0) << plain.out << plain.err;
  EXPECT_TRUE(Contains(plain.out, "log intact: " + S(last_) + " events, head seq " + S(last_) + " ")) << plain.out;
  const KeptHeadOut now = Head();
  ASSERT_EQ(now.seq, last_);
  ASSERT_NE(now.hash, heads_[2].hash);

  const std::string arg = heads_[2].Arg();
  ProcessResult text = Seamctl({"verify", "--head", arg});
  EXPECT_EQ(text.exit_code, 1) << text.out << text.err;
  EXPECT_TRUE(Contains(text.out, "log BROKEN at seq " + S(last_) + ": event seq " + S(last_) + " has hash " +
                                     now.hash + " but the head kept outside says " + heads_[2].hash +
                                     ": the log was rewritten at or before seq " + S(last_) + " (re-chained)\n"))
      << text.out;
  EXPECT_TRUE(Contains(text.out, "the hash chain itself is intact: " + S(last_) + " events")) << text.out;

  int code = -1;
  const nlohmann::json j = VerifyJson({"--head", arg}, &code);
  EXPECT_EQ(code, 1);
  ExpectVerifyKeys(j, true);
  EXPECT_EQ(j["intact"], false);
  EXPECT_EQ(j["first_bad_seq"], last_);
  EXPECT_EQ(j["events_checked"], last_);
  EXPECT_EQ(j["head_check"]["ok"], false);
  EXPECT_TRUE(Contains(j["head_check"]["reason"].get<std::string>(), "re-chained")) << j.dump(2);

  // The second kept head also sees it; the first, kept before the changed event, does not.
  ProcessResult mid = Seamctl({"verify", "--head", heads_[1].Arg()});
  EXPECT_EQ(mid.exit_code, 1);
  EXPECT_TRUE(Contains(mid.out, "the log was rewritten at or before seq " + S(mid_) + " (re-chained)")) << mid.out;
  EXPECT_EQ(Seamctl({"verify", "--head", heads_[0].Arg()}).exit_code, 0);
  EXPECT_EQ(SnapshotDiff(before, TakeSnapshot(Root())), "");
}

// A chain that is broken itself: verify names the break first (as without --head); a kept
// head after the break cannot be checked and says so. head refuses to print a head.
TEST_F(HeadTest, BrokenChainIsNamedFirstAndHasNoHeadWorthKeeping) {
  ASSERT_NO_FATAL_FAILURE(MakeLog());
  const std::int64_t bad = mid_ + 2;  // between the second and the third kept head
  ASSERT_NO_FATAL_FAILURE(Sql("DROP TRIGGER events_no_update; UPDATE events SET actor='x' WHERE seq=" + S(bad) + ";"));
  const Snapshot before = TakeSnapshot(Root());

  ProcessResult text = Seamctl({"verify", "--head", heads_[2].Arg()});
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_EQ(text.out.rfind("log BROKEN at seq " + S(bad) + ": ", 0), 0U) << text.out;
  EXPECT_TRUE(Contains(text.out, "head kept outside (seq " + S(last_) + "): not checked: the chain is broken at seq " +
                                     S(bad)))
      << text.out;

  int code = -1;
  const nlohmann::json j = VerifyJson({"--head", heads_[2].Arg()}, &code);
  EXPECT_EQ(code, 1);
  ExpectVerifyKeys(j, true);
  EXPECT_EQ(j["first_bad_seq"], bad);
  EXPECT_EQ(j["head_check"]["ok"], false);
  // A head kept before the break is checked on the intact part.
  const nlohmann::json early = VerifyJson({"--head", heads_[1].Arg()}, &code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(early["first_bad_seq"], bad);
  EXPECT_EQ(early["head_check"]["ok"], true) << early.dump(2);

  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{{"head"}, {"head", "--json"}}) {
    ProcessResult head = Seamctl(args);
    EXPECT_EQ(head.exit_code, 1);
    EXPECT_EQ(head.out, "");
    EXPECT_EQ(head.err.rfind("seamctl: error: the log is BROKEN at seq " + S(bad) + " ", 0), 0U) << head.err;
    EXPECT_EQ(head.err.find('\n'), head.err.size() - 1) << head.err;
  }
  EXPECT_EQ(SnapshotDiff(before, TakeSnapshot(Root())), "");
}

// (d) A malformed kept head: exit 2, one line naming the flag, nothing printed, nothing opened.
TEST_F(HeadTest, MalformedKeptHeadIsRefusedInOneLine) {
  ASSERT_NO_FATAL_FAILURE(MakeLog());
  const std::string h = heads_[2].hash;
  const std::string n = S(last_);
  const Snapshot before = TakeSnapshot(Root());
  struct Bad {
    std::string value;
    std::string needle;
  };
  const std::vector<Bad> bad{
      {"", "SEQ:HASH"},
      {n, "SEQ:HASH"},
      {h, "SEQ:HASH"},
      {":" + h, "digits"},
      {"x:" + h, "digits"},
      {"-1:" + h, "digits"},
      {"+" + n + ":" + h, "digits"},
      {" " + n + ":" + h, "digits"},
      {"99999999999999999999:" + h, "too large"},
      {n + ":", "64 hex"},
      {n + ":" + h.substr(1), "64 hex"},
      {n + ":" + h + "0", "64 hex"},
      {n + ":" + h + "\n", "64 hex"},
      {n + ":" + std::string(64, 'g'), "not all hex"},
      {n + ":" + h + ":" + h, "64 hex"},
      {"0:" + h, "seq 0 is the empty log"},
      {n + ":" + kZeros, "only the empty log"},
  };
  for (const Bad& b : bad) {
    for (bool json : {false, true}) {
      std::vector<std::string> args{"verify", "--head", b.value};
      if (json) args.emplace_back("--json");
      ProcessResult r = Seamctl(args);
      EXPECT_TRUE(IsCleanError(r, "--head")) << "--head '" << b.value << "'";
      EXPECT_TRUE(Contains(r.err, b.needle)) << "--head '" << b.value << "': " << r.err;
      EXPECT_EQ(r.out, "") << b.value;
    }
  }

  const fs::path file = Root() / "kept-head.json";
  EXPECT_TRUE(IsCleanError(Seamctl({"verify", "--head-file", file.string()}), "--head-file " + file.string() + ": cannot read"));
  for (const std::string& content : {n + ":" + h, "{\"seq\":\"" + n + "\",\"hash\":\"" + h + "\"}",
                                     "{\"seq\":" + n + "}", std::string("[11, \"") + h + "\"]",
                                     std::string("{\"seq\":-1,\"hash\":\"") + h + "\"}", std::string(5000, ' ')}) {
    std::ofstream(file) << content;
    ProcessResult r = Seamctl({"verify", "--head-file", file.string()});
    EXPECT_TRUE(IsCleanError(r, "--head-file " + file.string())) << content;
    EXPECT_EQ(r.out, "");
  }
  std::ofstream(file) << "{\"seq\":0,\"hash\":\"" << h << "\"}";
  EXPECT_TRUE(IsCleanError(Seamctl({"verify", "--head-file", file.string()}), "seq 0 is the empty log"));
  fs::remove(file);
  EXPECT_TRUE(IsCleanError(Seamctl({"verify", "--head", heads_[2].Arg(), "--head-file", file.string()}), "excludes"));
  EXPECT_EQ(SnapshotDiff(before, TakeSnapshot(Root())), "");
}

}  // namespace
}  // namespace seam::e2e
