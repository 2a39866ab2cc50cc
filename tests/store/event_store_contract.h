#pragma once
// EventStoreContract: the typed GoogleTest suite every EventStore runs (DESIGN.md "The log":
// one contract test suite runs on every store). It pins what core/event_store.h promises; what a
// store does beyond that (files, SQL, read-only opens, its error messages naming a path) is
// tested next to the store.
//
// A store joins by instantiating the suite with a harness type, in one source file of its test
// binary, inside `namespace seam { namespace {`:
//
//   class MyHarness {
//    public:
//     // A new handle on the harness's one log, created empty on first use; nullptr (after
//     // reporting a test failure) when it cannot be opened. Handles see each other's appends
//     // like separate processes on one log; a handle opened after another was destroyed sees
//     // everything that one appended (a reopen).
//     std::unique_ptr<EventStore> Open();
//     // Alters stored row `seq` behind the store's back, handles still open: `edit` may change
//     // any field, hash included, and nothing is re-hashed.
//     void Tamper(std::int64_t seq, const std::function<void(Event&)>& edit);
//   };
//   INSTANTIATE_TYPED_TEST_SUITE_P(My, EventStoreContract, ::testing::Types<MyHarness>);
//
// The watch tests wait up to 10 s for a wake-up and never measure time; a store that polls
// should poll often (every 20 ms or so) to keep them quick. Tests that check nothing arrives
// wait 200 ms.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "core/event_store.h"
#include "core/hash_chain.h"

namespace seam {
namespace {  // NOLINT(google-build-namespaces): one instantiating source file per test binary

// How long a test waits for something that must happen: generous, because a loaded machine is
// slow, and a correct store ends the wait as soon as it happens.
inline constexpr std::chrono::seconds kContractPatience{10};
// How long a test waits before checking that something did not happen.
inline constexpr std::chrono::milliseconds kContractQuietSpell{200};

inline EventDraft ContractDraft(std::string type, std::string actor = "seamctl:alice@host",
                                std::string payload = std::string("pay\0load\xff", 9)) {
  return EventDraft{std::move(type), std::move(actor), 1'700'000'000'000'000, std::move(payload)};
}

inline auto ContractFields(const Event& e) {
  return std::tie(e.seq, e.stream, e.version, e.epoch, e.type, e.time_us, e.actor, e.payload,
                  e.prev_hash, e.hash);
}

// Collects the head seqs an AppendWatch reports, for a test to wait on. Declare it before the
// watch, so the watch is destroyed first.
class ContractWakeLog {
 public:
  std::function<void(std::int64_t)> Callback() {
    return [this](std::int64_t head) {
      std::lock_guard<std::mutex> lock(mu_);
      heads_.push_back(head);
      cv_.notify_all();
    };
  }

  // True once some reported head is >= seq; false if none is within kContractPatience.
  bool WaitForHead(std::int64_t seq) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, kContractPatience, [&] {
      return std::any_of(heads_.begin(), heads_.end(), [seq](std::int64_t h) { return h >= seq; });
    });
  }

  std::vector<std::int64_t> Heads() {
    std::lock_guard<std::mutex> lock(mu_);
    return heads_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::int64_t> heads_;
};

template <typename Harness>
class EventStoreContract : public ::testing::Test {
 protected:
  // A new handle on the test's log; nullptr (with a test failure) if it cannot be opened.
  std::unique_ptr<EventStore> Store() {
    std::unique_ptr<EventStore> store = harness_.Open();
    EXPECT_NE(store, nullptr);
    return store;
  }

  // Five events: token/a v1..v3 at seq 1, 2, 4; token/b v1..v2 at seq 3, 5.
  static void AppendFive(EventStore& store) {
    ASSERT_TRUE(store.Append("token/a", 0, {ContractDraft("Issued"), ContractDraft("Rotated")}).ok());
    ASSERT_TRUE(store.Append("token/b", 0, {ContractDraft("Issued")}).ok());
    ASSERT_TRUE(store.Append("token/a", 2, {ContractDraft("Rotated")}).ok());
    ASSERT_TRUE(store.Append("token/b", 1, {ContractDraft("Revoked")}).ok());
  }

  // Verify on a fresh handle; an empty report (with a test failure) if it cannot run.
  VerifyReport VerifyFresh() {
    auto store = Store();
    if (store == nullptr) return {};
    auto report = store->Verify();
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? report.value() : VerifyReport{};
  }

  Harness harness_;
};

TYPED_TEST_SUITE_P(EventStoreContract);

// --- appends and reads ------------------------------------------------------------------------

TYPED_TEST_P(EventStoreContract, AppendAssignsGlobalSeqStreamVersionsAndChainsHashes) {
  auto store = this->Store();
  ASSERT_NE(store, nullptr);

  auto first = store->Append("token/a", 0, {ContractDraft("Issued"), ContractDraft("Rotated", "seamd")});
  auto second = store->Append("token/b", 0, {ContractDraft("Issued")});

  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(first->first_seq, 1);
  EXPECT_EQ(first->last_seq, 2);
  EXPECT_EQ(first->last_version, 2);
  EXPECT_EQ(second->first_seq, 3);
  EXPECT_EQ(second->last_seq, 3);
  EXPECT_EQ(second->last_version, 1);
  auto all = store->ReadAll(1);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  const std::vector<Event>& e = *all;
  EXPECT_EQ(ContractFields(e[0]),
            std::make_tuple(1, "token/a", 1, 0, "Issued", 1'700'000'000'000'000, "seamctl:alice@host",
                            std::string("pay\0load\xff", 9), kGenesisHash, ComputeEventHash(e[0])));
  EXPECT_EQ(e[1].actor, "seamd");
  EXPECT_EQ(e[1].version, 2);
  EXPECT_EQ(e[1].prev_hash, e[0].hash);
  EXPECT_EQ(e[2].stream, "token/b");
  EXPECT_EQ(e[2].version, 1);
  EXPECT_EQ(e[2].prev_hash, e[1].hash);
  for (const Event& ev : e) EXPECT_EQ(ev.hash, ComputeEventHash(ev)) << "seq " << ev.seq;
}

TYPED_TEST_P(EventStoreContract, ReopenedStoreReplaysIdenticalEvents) {
  std::vector<Event> before;
  {
    auto store = this->Store();
    ASSERT_NE(store, nullptr);
    this->AppendFive(*store);
    auto all = store->ReadAll(1);
    ASSERT_TRUE(all.ok());
    before = *all;
  }

  auto reopened = this->Store();

  ASSERT_NE(reopened, nullptr);
  auto after = reopened->ReadAll(1);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), 5u);
  for (std::size_t i = 0; i < before.size(); ++i) {
    EXPECT_EQ(ContractFields((*after)[i]), ContractFields(before[i]));
  }
  auto head = reopened->Head();
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->seq, 5);
  EXPECT_EQ(head->hash, before.back().hash);
  EXPECT_EQ(reopened->StreamVersion("token/a").value(), 3);
  EXPECT_EQ(reopened->StreamVersion("token/none").value(), 0);
}

TYPED_TEST_P(EventStoreContract, ReadStreamStartsAtFromVersionAndReadAllHonoursFromSeqAndLimit) {
  auto store = this->Store();
  ASSERT_NE(store, nullptr);
  this->AppendFive(*store);

  auto stream = store->ReadStream("token/a", 2);
  auto page = store->ReadAll(2, 2);
  auto rest = store->ReadAll(4);
  auto unlimited = store->ReadAll(1, -1);
  auto past_end = store->ReadStream("token/a", 4);

  ASSERT_TRUE(stream.ok() && page.ok() && rest.ok() && unlimited.ok() && past_end.ok());
  ASSERT_EQ(stream->size(), 2u);
  EXPECT_EQ((*stream)[0].version, 2);
  EXPECT_EQ((*stream)[1].version, 3);
  EXPECT_EQ((*stream)[1].seq, 4);
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].seq, 2);
  EXPECT_EQ((*page)[1].seq, 3);
  ASSERT_EQ(rest->size(), 2u);
  EXPECT_EQ((*rest)[0].seq, 4);
  EXPECT_EQ(unlimited->size(), 5u);
  EXPECT_TRUE(past_end->empty());
  EXPECT_TRUE(store->ReadStream("token/none")->empty());
  EXPECT_TRUE(store->ReadAll(6)->empty());
}

TYPED_TEST_P(EventStoreContract, HeadOfEmptyLogIsSeqZeroAndGenesisHash) {
  auto store = this->Store();
  ASSERT_NE(store, nullptr);

  auto head = store->Head();

  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->seq, 0);
  EXPECT_EQ(head->hash, kGenesisHash);
  EXPECT_TRUE(store->ReadAll(1)->empty());
  EXPECT_EQ(store->StreamVersion("token/a").value(), 0);
}

TYPED_TEST_P(EventStoreContract, ScanStreamVisitsEventsFromVersionInVersionOrder) {
  auto store = this->Store();
  ASSERT_NE(store, nullptr);
  this->AppendFive(*store);
  std::vector<std::tuple<std::int64_t, std::int64_t, std::string>> visited;  // seq, version, type

  Status st = store->ScanStream("token/a", 2, [&](const Event& e) {
    EXPECT_EQ(e.stream, "token/a");
    EXPECT_EQ(e.hash, ComputeEventHash(e));
    visited.emplace_back(e.seq, e.version, e.type);
    return Status::Ok();
  });
  Status none = store->ScanStream("token/none", 1, [](const Event&) {
    ADD_FAILURE() << "visited an event of a stream that has none";
    return Status::Ok();
  });

  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(visited, (std::vector<std::tuple<std::int64_t, std::int64_t, std::string>>{
                         {2, 2, "Rotated"}, {4, 3, "Rotated"}}));
  EXPECT_TRUE(none.ok()) << none.ToString();
}

TYPED_TEST_P(EventStoreContract, ScanStreamStopsAtAndReturnsTheVisitorsFirstError) {
  auto store = this->Store();
  ASSERT_NE(store, nullptr);
  this->AppendFive(*store);
  std::vector<std::int64_t> visited;

  Status st = store->ScanStream("token/a", 1, [&](const Event& e) {
    visited.push_back(e.version);
    return e.version == 2 ? Status::Internal("stop here") : Status::Ok();
  });

  EXPECT_EQ(st.code(), StatusCode::kInternal);
  EXPECT_EQ(st.message(), "stop here");
  EXPECT_EQ(visited, (std::vector<std::int64_t>{1, 2}));
}

// --- optimistic concurrency and refusals ------------------------------------------------------

TYPED_TEST_P(EventStoreContract, WrongExpectedVersionIsConflictNamingCurrentVersionAndLastActor) {
  auto store = this->Store();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store
                  ->Append("token/device-42", 0,
                           {ContractDraft("Issued"), ContractDraft("Rotated", "seamctl:bob@host")})
                  .ok());

  auto r = store->Append("token/device-42", 1, {ContractDraft("Rotated")});

  ASSERT_EQ(r.status().code(), StatusCode::kConflict);
  EXPECT_EQ(r.status().message(),
            "stream token/device-42 is at version 2 (last written by seamctl:bob@host), "
            "expected 1");
  EXPECT_EQ(store->Head()->seq, 2);
}

TYPED_TEST_P(EventStoreContract, ExpectedVersionZeroCreatesStreamAndNonZeroOnNewStreamConflicts) {
  auto store = this->Store();
  ASSERT_NE(store, nullptr);

  auto wrong = store->Append("token/new", 3, {ContractDraft("Issued")});
  auto right = store->Append("token/new", 0, {ContractDraft("Issued")});

  ASSERT_EQ(wrong.status().code(), StatusCode::kConflict);
  EXPECT_EQ(wrong.status().message(), "stream token/new is at version 0 (no events yet), expected 3");
  ASSERT_TRUE(right.ok()) << right.status().ToString();
  EXPECT_EQ(right->first_seq, 1);
  EXPECT_EQ(right->last_version, 1);
}

TYPED_TEST_P(EventStoreContract, ConflictingBatchWritesNothing) {
  auto store = this->Store();
  ASSERT_NE(store, nullptr);
  this->AppendFive(*store);
  const Hash head_before = store->Head()->hash;

  auto r = store->Append("token/a", 1,
                         {ContractDraft("Rotated"), ContractDraft("Rotated"), ContractDraft("Revoked")});

  EXPECT_EQ(r.status().code(), StatusCode::kConflict);
  EXPECT_EQ(store->Head()->seq, 5);
  EXPECT_EQ(store->Head()->hash, head_before);
  EXPECT_EQ(store->StreamVersion("token/a").value(), 3);
  EXPECT_EQ(store->ReadAll(1)->size(), 5u);
}

TYPED_TEST_P(EventStoreContract, AppendRefusesEmptyBatchNegativeVersionAndEmptyStream) {
  auto store = this->Store();
  ASSERT_NE(store, nullptr);

  EXPECT_EQ(store->Append("token/a", 0, {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store->Append("token/a", -1, {ContractDraft("Issued")}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store->Append("", 0, {ContractDraft("Issued")}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store->Append("token/a", 0, {ContractDraft("Issued")}, AppendFence{-1, false}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store->Head()->seq, 0);
  EXPECT_EQ(store->StreamVersion("token/a").value(), 0);
}

// --- epochs (AppendFence) ---------------------------------------------------------------------

// An epoch recorded (not checked: what `store copy` does) is stored in every event of the append,
// read back by every read, covered by the hash (input v2), and a later unfenced append is epoch 0
// again, hashed as v1.
TYPED_TEST_P(EventStoreContract, RecordedEpochIsStoredHashedAndReadBack) {
  {
    auto store = this->Store();
    ASSERT_NE(store, nullptr);
    auto fenced = store->Append("token/a", 0, {ContractDraft("Issued"), ContractDraft("Rotated")},
                                AppendFence{7, /*check=*/false});
    ASSERT_TRUE(fenced.ok()) << fenced.status().ToString();
    ASSERT_TRUE(store->Append("token/a", 2, {ContractDraft("Rotated")}).ok());
  }
  auto store = this->Store();  // a reopen reads what was stored, not what a handle remembers
  ASSERT_NE(store, nullptr);
  auto all = store->ReadAll(1);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].epoch, 7);
  EXPECT_EQ((*all)[1].epoch, 7);
  EXPECT_EQ((*all)[2].epoch, 0);
  for (const Event& e : *all) EXPECT_EQ(e.hash, ComputeEventHash(e)) << "seq " << e.seq;
  Event as_v1 = (*all)[0];
  as_v1.epoch = 0;
  EXPECT_NE(ComputeEventHash(as_v1), (*all)[0].hash);  // the epoch is in the hash
  auto stream = store->ReadStream("token/a", 2);
  ASSERT_TRUE(stream.ok());
  ASSERT_EQ(stream->size(), 2u);
  EXPECT_EQ((*stream)[0].epoch, 7);
  std::vector<std::int64_t> scanned;
  ASSERT_TRUE(store->ScanStream("token/a", 1, [&](const Event& e) {
    scanned.push_back(e.epoch);
    return Status::Ok();
  }).ok());
  EXPECT_EQ(scanned, (std::vector<std::int64_t>{7, 7, 0}));
  EXPECT_TRUE(this->VerifyFresh().intact);
}

TYPED_TEST_P(EventStoreContract, VerifyNamesRowWhoseEpochWasEdited) {
  {
    auto store = this->Store();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Append("token/a", 0, {ContractDraft("Issued")}, AppendFence{3, false}).ok());
    ASSERT_TRUE(store->Append("token/a", 1, {ContractDraft("Rotated")}, AppendFence{3, false}).ok());
  }
  // A fenced-off write passed off as current.
  ASSERT_NO_FATAL_FAILURE(this->harness_.Tamper(2, [](Event& e) { e.epoch = 4; }));

  const VerifyReport report = this->VerifyFresh();
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_bad_seq, 2);
}

// A checked fence needs the stream's ownership lease at that epoch; with no lease on record (a
// store that keeps none, or a stream nobody claimed) it is refused and nothing is written.
TYPED_TEST_P(EventStoreContract, CheckedFenceWithoutALeaseIsRefusedAndWritesNothing) {
  auto store = this->Store();
  ASSERT_NE(store, nullptr);

  auto refused = store->Append("token/a", 0, {ContractDraft("Issued")}, AppendFence{1, /*check=*/true});

  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition) << refused.status().ToString();
  EXPECT_THAT(refused.status().message(), ::testing::HasSubstr("epoch 1"));
  EXPECT_EQ(store->Head()->seq, 0);
  EXPECT_EQ(store->StreamVersion("token/a").value(), 0);
  EXPECT_TRUE(store->Append("token/a", 0, {ContractDraft("Issued")}).ok());  // unfenced still works
}

TYPED_TEST_P(EventStoreContract, SecondStoreAppendingSameVersionGetsConflict) {
  auto one = this->Store();
  auto two = this->Store();
  ASSERT_NE(one, nullptr);
  ASSERT_NE(two, nullptr);

  auto first = one->Append("token/a", 0, {ContractDraft("Issued", "seamctl:alice@host")});
  auto second = two->Append("token/a", 0, {ContractDraft("Issued", "seamctl:bob@host")});

  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(second.status().code(), StatusCode::kConflict);
  EXPECT_EQ(second.status().message(),
            "stream token/a is at version 1 (last written by seamctl:alice@host), expected 0");
  EXPECT_EQ(two->ReadStream("token/a")->size(), 1u);
}

TYPED_TEST_P(EventStoreContract, AppendsThroughTwoHandlesExtendOneChain) {
  auto one = this->Store();
  auto two = this->Store();
  ASSERT_NE(one, nullptr);
  ASSERT_NE(two, nullptr);

  ASSERT_TRUE(one->Append("token/a", 0, {ContractDraft("Issued")}).ok());
  auto from_two = two->Append("token/b", 0, {ContractDraft("Issued"), ContractDraft("Rotated")});
  auto from_one = one->Append("token/a", 1, {ContractDraft("Rotated")});

  ASSERT_TRUE(from_two.ok()) << from_two.status().ToString();
  ASSERT_TRUE(from_one.ok()) << from_one.status().ToString();
  EXPECT_EQ(from_two->first_seq, 2);
  EXPECT_EQ(from_one->first_seq, 4);
  EXPECT_EQ(from_one->last_version, 2);
  auto all = two->ReadAll(1);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 4u);
  for (std::size_t i = 1; i < all->size(); ++i) EXPECT_EQ((*all)[i].prev_hash, (*all)[i - 1].hash);
  EXPECT_EQ(one->Head()->hash, two->Head()->hash);
  EXPECT_TRUE(one->Verify()->intact);
}

// Every thread has a handle of its own (a handle is used from one thread at a time) and they
// all race to extend one stream, retrying on Conflict as a writer would.
TYPED_TEST_P(EventStoreContract, RacingAppendsFromSeveralThreadsKeepTheChainGapFree) {
  constexpr int kThreads = 4;
  constexpr int kAppendsEach = 10;
  std::vector<std::unique_ptr<EventStore>> stores;
  for (int t = 0; t < kThreads; ++t) {
    stores.push_back(this->Store());
    ASSERT_NE(stores.back(), nullptr);
  }
  std::atomic<int> failures{0};

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      EventStore& store = *stores[static_cast<std::size_t>(t)];
      const std::string actor = "writer-" + std::to_string(t);
      for (int done = 0, tries = 0; done < kAppendsEach && tries < 1000; ++tries) {
        auto version = store.StreamVersion("token/shared");
        if (!version.ok()) {
          ++failures;
          return;
        }
        auto r = store.Append("token/shared", *version, {ContractDraft("Rotated", actor)});
        if (r.ok()) {
          ++done;
        } else if (r.status().code() != StatusCode::kConflict) {
          ADD_FAILURE() << r.status().ToString();
          ++failures;
          return;
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();

  ASSERT_EQ(failures.load(), 0);
  auto reader = this->Store();
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(reader->StreamVersion("token/shared").value(), kThreads * kAppendsEach);
  EXPECT_EQ(reader->Head()->seq, kThreads * kAppendsEach);
  auto report = reader->Verify();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->intact) << report->reason;
  EXPECT_EQ(report->events_checked, kThreads * kAppendsEach);
}

// --- verify and the read-time hash check ------------------------------------------------------

TYPED_TEST_P(EventStoreContract, VerifyOfIntactLogReportsHead) {
  auto store = this->Store();
  ASSERT_NE(store, nullptr);
  auto empty = store->Verify();
  this->AppendFive(*store);

  auto report = store->Verify();

  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->intact);
  EXPECT_EQ(empty->events_checked, 0);
  EXPECT_EQ(empty->head_seq, 0);
  EXPECT_EQ(empty->head_hash, kGenesisHash);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact);
  EXPECT_EQ(report->events_checked, 5);
  EXPECT_EQ(report->first_bad_seq, 0);
  EXPECT_EQ(report->head_seq, 5);
  EXPECT_EQ(report->head_hash, store->Head()->hash);
}

TYPED_TEST_P(EventStoreContract, VerifyNamesRowWhosePayloadWasEdited) {
  Hash hash_of_2{};
  {
    auto store = this->Store();
    ASSERT_NE(store, nullptr);
    this->AppendFive(*store);
    hash_of_2 = (*store->ReadAll(2, 1))[0].hash;
  }
  ASSERT_NO_FATAL_FAILURE(this->harness_.Tamper(3, [](Event& e) { e.payload = "evil"; }));

  VerifyReport report = this->VerifyFresh();

  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_bad_seq, 3);
  EXPECT_THAT(report.reason, ::testing::HasSubstr("hash mismatch"));
  EXPECT_EQ(report.events_checked, 2);
  EXPECT_EQ(report.head_seq, 2);
  EXPECT_EQ(report.head_hash, hash_of_2);
}

TYPED_TEST_P(EventStoreContract, VerifyNamesRowWithOneFlippedHashByte) {
  {
    auto store = this->Store();
    ASSERT_NE(store, nullptr);
    this->AppendFive(*store);
  }
  ASSERT_NO_FATAL_FAILURE(this->harness_.Tamper(4, [](Event& e) { e.hash[17] ^= 0x01; }));

  VerifyReport report = this->VerifyFresh();

  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_bad_seq, 4);
  EXPECT_THAT(report.reason, ::testing::HasSubstr("hash mismatch"));
}

TYPED_TEST_P(EventStoreContract, VerifyNamesVersionSkipEvenWhenForgerRehashedTheRow) {
  {
    auto store = this->Store();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Append("token/a", 0, {ContractDraft("Issued"), ContractDraft("Rotated")}).ok());
  }
  ASSERT_NO_FATAL_FAILURE(this->harness_.Tamper(2, [](Event& e) {
    e.version = 3;  // skips version 2; the row's own hash and its link stay right
    e.hash = ComputeEventHash(e);
  }));

  VerifyReport report = this->VerifyFresh();

  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_bad_seq, 2);
  EXPECT_EQ(report.reason, "stream token/a has version 3, expected 2");
  EXPECT_EQ(report.events_checked, 1);
}

// The store's own message names the log (a path, or "in-memory log"); the contract pins the rest.
TYPED_TEST_P(EventStoreContract, ReadsReturnCorruptionAtARowThatFailsItsHashCheck) {
  auto store = this->Store();
  ASSERT_NE(store, nullptr);
  this->AppendFive(*store);
  ASSERT_NO_FATAL_FAILURE(
      this->harness_.Tamper(4, [](Event& e) { e.actor = "seamctl:mallory@host"; }));
  const std::string want =
      "event seq 4 of stream token/a fails its hash check (the row was altered); run `seamctl "
      "verify`";
  std::vector<std::int64_t> visited;

  Status scan = store->ScanStream("token/a", 1, [&](const Event& e) {
    visited.push_back(e.seq);
    return Status::Ok();
  });
  auto stream = store->ReadStream("token/a");
  auto from_v3 = store->ReadStream("token/a", 3);
  auto all = store->ReadAll(1);
  auto before = store->ReadAll(1, 3);
  auto other = store->ReadStream("token/b");

  ASSERT_EQ(scan.code(), StatusCode::kCorruption);
  EXPECT_THAT(scan.message(), ::testing::HasSubstr(want));
  EXPECT_EQ(visited, (std::vector<std::int64_t>{1, 2}));
  ASSERT_EQ(stream.status().code(), StatusCode::kCorruption);
  EXPECT_THAT(stream.status().message(), ::testing::HasSubstr(want));
  EXPECT_EQ(from_v3.status().code(), StatusCode::kCorruption);
  ASSERT_EQ(all.status().code(), StatusCode::kCorruption);
  EXPECT_THAT(all.status().message(), ::testing::HasSubstr(want));
  ASSERT_TRUE(before.ok()) << before.status().ToString();  // seq 1..3 are intact
  EXPECT_EQ(before->size(), 3u);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  EXPECT_EQ(other->size(), 2u);
  EXPECT_EQ(store->Verify()->first_bad_seq, 4);
}

// --- WatchAppends -----------------------------------------------------------------------------

TYPED_TEST_P(EventStoreContract, WatchWakesWithTheNewHeadWhenAnotherHandleAppends) {
  auto watcher = this->Store();
  auto writer = this->Store();
  ASSERT_NE(watcher, nullptr);
  ASSERT_NE(writer, nullptr);
  ContractWakeLog wakes;
  auto watch = watcher->WatchAppends(0, wakes.Callback());
  ASSERT_TRUE(watch.ok()) << watch.status().ToString();

  ASSERT_TRUE(writer->Append("token/a", 0, {ContractDraft("Issued"), ContractDraft("Rotated")}).ok());
  EXPECT_TRUE(wakes.WaitForHead(2));
  ASSERT_TRUE(writer->Append("token/b", 0, {ContractDraft("Issued")}).ok());
  EXPECT_TRUE(wakes.WaitForHead(3));

  for (const std::int64_t head : wakes.Heads()) {
    EXPECT_GT(head, 0);
    EXPECT_LE(head, 3);
  }
}

TYPED_TEST_P(EventStoreContract, WatchWakesForAppendsThroughItsOwnHandle) {
  auto store = this->Store();
  ASSERT_NE(store, nullptr);
  ContractWakeLog wakes;
  auto watch = store->WatchAppends(0, wakes.Callback());
  ASSERT_TRUE(watch.ok()) << watch.status().ToString();

  ASSERT_TRUE(store->Append("token/a", 0, {ContractDraft("Issued")}).ok());

  EXPECT_TRUE(wakes.WaitForHead(1));
}

TYPED_TEST_P(EventStoreContract, WatchStaysQuietWhileNothingIsAppended) {
  auto store = this->Store();
  ASSERT_NE(store, nullptr);
  this->AppendFive(*store);
  ContractWakeLog wakes;
  auto watch = store->WatchAppends(5, wakes.Callback());
  ASSERT_TRUE(watch.ok()) << watch.status().ToString();

  std::this_thread::sleep_for(kContractQuietSpell);
  EXPECT_TRUE(wakes.Heads().empty()) << "woken " << wakes.Heads().size() << " times";

  // The quiet was the watch's, not a dead watch's.
  ASSERT_TRUE(store->Append("token/c", 0, {ContractDraft("Issued")}).ok());
  EXPECT_TRUE(wakes.WaitForHead(6));
}

TYPED_TEST_P(EventStoreContract, WatchReportsAHeadAlreadyPastAfterSeq) {
  auto store = this->Store();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Append("token/a", 0, {ContractDraft("Issued")}).ok());
  ASSERT_TRUE(store->Append("token/b", 0, {ContractDraft("Issued"), ContractDraft("Rotated")}).ok());
  ContractWakeLog wakes;

  auto watch = store->WatchAppends(1, wakes.Callback());

  ASSERT_TRUE(watch.ok()) << watch.status().ToString();
  EXPECT_TRUE(wakes.WaitForHead(3));
  EXPECT_EQ(wakes.Heads(), std::vector<std::int64_t>{3});
}

TYPED_TEST_P(EventStoreContract, DestroyedWatchCallsNothingMore) {
  auto watcher = this->Store();
  auto writer = this->Store();
  ASSERT_NE(watcher, nullptr);
  ASSERT_NE(writer, nullptr);
  ContractWakeLog wakes;
  auto watch = watcher->WatchAppends(0, wakes.Callback());
  ASSERT_TRUE(watch.ok()) << watch.status().ToString();
  ASSERT_TRUE(writer->Append("token/a", 0, {ContractDraft("Issued")}).ok());
  ASSERT_TRUE(wakes.WaitForHead(1));

  watch->reset();
  const std::vector<std::int64_t> heads = wakes.Heads();
  ASSERT_TRUE(writer->Append("token/a", 1, {ContractDraft("Rotated")}).ok());
  ASSERT_TRUE(watcher->Append("token/b", 0, {ContractDraft("Issued")}).ok());
  std::this_thread::sleep_for(kContractQuietSpell);

  EXPECT_EQ(wakes.Heads(), heads);
}

// The interface promises that destroying the watch waits for a call in progress: the caller may
// then free what the callback uses.
TYPED_TEST_P(EventStoreContract, DestroyingTheWatchWaitsForACallInProgress) {
  auto watcher = this->Store();
  auto writer = this->Store();
  ASSERT_NE(watcher, nullptr);
  ASSERT_NE(writer, nullptr);
  std::mutex mu;
  std::condition_variable cv;
  bool in_call = false, release = false, returned = false;
  auto watch = watcher->WatchAppends(0, [&](std::int64_t) {
    std::unique_lock<std::mutex> lock(mu);
    in_call = true;
    cv.notify_all();
    cv.wait_for(lock, kContractPatience, [&] { return release; });
    returned = true;
  });
  ASSERT_TRUE(watch.ok()) << watch.status().ToString();
  // A store may call back on the appender's thread, so the append runs on a thread of its own.
  std::thread appender([&] { EXPECT_TRUE(writer->Append("token/a", 0, {ContractDraft("Issued")}).ok()); });
  bool woken = false;
  {
    std::unique_lock<std::mutex> lock(mu);
    woken = cv.wait_for(lock, kContractPatience, [&] { return in_call; });
    release = !woken;  // a late call must not hold the test up
  }
  if (!woken) {
    appender.join();
    FAIL() << "never woken";
  }

  std::atomic<bool> destroyed{false};
  bool returned_when_destroyed = false;
  std::thread destroyer([&] {
    watch->reset();
    destroyed = true;
    std::lock_guard<std::mutex> lock(mu);
    returned_when_destroyed = returned;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(destroyed.load()) << "the watch was destroyed while its callback was running";
  {
    std::lock_guard<std::mutex> lock(mu);
    release = true;
  }
  cv.notify_all();
  destroyer.join();
  appender.join();

  EXPECT_TRUE(returned_when_destroyed);
}

REGISTER_TYPED_TEST_SUITE_P(EventStoreContract,
                            AppendAssignsGlobalSeqStreamVersionsAndChainsHashes,
                            ReopenedStoreReplaysIdenticalEvents,
                            ReadStreamStartsAtFromVersionAndReadAllHonoursFromSeqAndLimit,
                            HeadOfEmptyLogIsSeqZeroAndGenesisHash,
                            ScanStreamVisitsEventsFromVersionInVersionOrder,
                            ScanStreamStopsAtAndReturnsTheVisitorsFirstError,
                            WrongExpectedVersionIsConflictNamingCurrentVersionAndLastActor,
                            ExpectedVersionZeroCreatesStreamAndNonZeroOnNewStreamConflicts,
                            ConflictingBatchWritesNothing,
                            AppendRefusesEmptyBatchNegativeVersionAndEmptyStream,
                            RecordedEpochIsStoredHashedAndReadBack,
                            VerifyNamesRowWhoseEpochWasEdited,
                            CheckedFenceWithoutALeaseIsRefusedAndWritesNothing,
                            SecondStoreAppendingSameVersionGetsConflict,
                            AppendsThroughTwoHandlesExtendOneChain,
                            RacingAppendsFromSeveralThreadsKeepTheChainGapFree,
                            VerifyOfIntactLogReportsHead,
                            VerifyNamesRowWhosePayloadWasEdited,
                            VerifyNamesRowWithOneFlippedHashByte,
                            VerifyNamesVersionSkipEvenWhenForgerRehashedTheRow,
                            ReadsReturnCorruptionAtARowThatFailsItsHashCheck,
                            WatchWakesWithTheNewHeadWhenAnotherHandleAppends,
                            WatchWakesForAppendsThroughItsOwnHandle,
                            WatchStaysQuietWhileNothingIsAppended,
                            WatchReportsAHeadAlreadyPastAfterSeq,
                            DestroyedWatchCallsNothingMore,
                            DestroyingTheWatchWaitsForACallInProgress);

}  // namespace
}  // namespace seam
