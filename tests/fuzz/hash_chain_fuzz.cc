// `seamctl verify` over rows it did not write: the rows of an events table (any SQLite type in
// any column: NULLs, reals, text where blobs belong, hashes of the wrong length) read as the
// store reads them (sqlite_internal::ScanHashedRows: ReadRow, the hash recomputed) and checked
// link by link (ChainCheck). Two input forms:
//   - plain: the rows, each column a tag byte and its value; checked against an independent
//     oracle: the chain is reported intact exactly when seq runs 1..n, every hash is 32 bytes,
//     each prev_hash is the previous row's hash, each hash is the row's own and each stream's
//     versions run 1..k;
//   - first byte 0x01: a valid chain of up to 8 events built from the input, then, when the
//     input says so, one field of one row changed; checked: reported intact exactly when nothing
//     was changed (any column, the stored prev_hash and hash included), and the first bad seq is
//     the changed row's.
#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "core/chain_check.h"
#include "core/event_store.h"
#include "core/hash_chain.h"
#include "store/sqlite_row_scan.h"
#include "store/sqlite_rows.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using seam::fuzz::FuzzFail;

class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size) : p_(data), end_(data + size) {}
  bool empty() const { return p_ >= end_; }
  std::uint8_t Byte() { return p_ >= end_ ? 0 : *p_++; }
  std::int64_t Int() {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | Byte();
    return static_cast<std::int64_t>(v);
  }
  std::string Bytes() {
    const std::size_t want = Byte();  // before the bytes left are counted (argument order is the compiler's)
    const std::size_t n = std::min<std::size_t>(want, static_cast<std::size_t>(end_ - p_));
    std::string out(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    return out;
  }

 private:
  const std::uint8_t* p_;
  const std::uint8_t* end_;
};

// Columns in the order the table below has them (the store's own order: EventColumns).
constexpr int kColumns = 10;

struct Table {
  sqlite3* db = nullptr;
  sqlite3_stmt* insert = nullptr;
  sqlite3_stmt* select = nullptr;
  Table() {
    // No types, no constraints: a planted or damaged file may hold anything in any column.
    if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
        sqlite3_exec(db, "CREATE TABLE events(seq, stream, version, type, time_us, actor, payload, prev_hash, hash, epoch)",
                     nullptr, nullptr, nullptr) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?)", -1, &insert, nullptr) != SQLITE_OK ||
        sqlite3_prepare_v2(db, ("SELECT " + seam::sqlite_internal::EventColumns(true) + " FROM events ORDER BY rowid").c_str(),
                           -1, &select, nullptr) != SQLITE_OK) {
      FuzzFail("cannot set up the in-memory events table");
    }
  }
};

Table& Events() {
  static Table* t = new Table;
  return *t;
}

// Verify as the store runs it; the report.
seam::VerifyReport Verify(std::vector<bool>* well_formed_rows, std::vector<seam::Event>* rows) {
  seam::ChainCheck check;
  int rc = SQLITE_OK;
  sqlite3_reset(Events().select);
  const seam::Status scanned = seam::sqlite_internal::ScanHashedRows(
      Events().select,
      [&](const seam::sqlite_internal::HashedRow& row) {
        if (well_formed_rows != nullptr) {
          well_formed_rows->push_back(row.well_formed);
          rows->push_back(row.event);
          rows->back().hash = row.well_formed && row.computed == row.event.hash ? row.event.hash : seam::Hash{0xff};
        }
        check.Next(row.event, row.computed, row.well_formed);
        return seam::Status::Ok();
      },
      &rc);
  if (!scanned.ok() || rc != SQLITE_DONE) FuzzFail("scanning an in-memory table failed");
  return check.report();
}

void BindInt(int col, std::int64_t v) { sqlite3_bind_int64(Events().insert, col, v); }
void BindText(int col, const std::string& v) {
  sqlite3_bind_text(Events().insert, col, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}
void BindBlob(int col, const void* p, std::size_t n) {
  sqlite3_bind_blob(Events().insert, col, p, static_cast<int>(n), SQLITE_TRANSIENT);
}
void Insert() {
  if (sqlite3_step(Events().insert) != SQLITE_DONE) FuzzFail("an insert into the in-memory table failed");
  sqlite3_reset(Events().insert);
  sqlite3_clear_bindings(Events().insert);
}

void InsertEvent(const seam::Event& e) {
  BindInt(1, e.seq);
  BindText(2, e.stream);
  BindInt(3, e.version);
  BindText(4, e.type);
  BindInt(5, e.time_us);
  BindText(6, e.actor);
  BindBlob(7, e.payload.data(), e.payload.size());
  BindBlob(8, e.prev_hash.data(), e.prev_hash.size());
  BindBlob(9, e.hash.data(), e.hash.size());
  BindInt(10, e.epoch);
  Insert();
}

void Structured(Input& in) {
  const int n = 1 + in.Byte() % 8;
  std::vector<seam::Event> chain;
  std::map<std::string, std::int64_t> versions;
  seam::Hash prev = seam::kGenesisHash;
  for (int i = 0; i < n; ++i) {
    seam::Event e;
    e.seq = i + 1;
    e.stream = "token/e" + std::to_string(in.Byte() % 3);
    e.version = ++versions[e.stream];
    e.type = "TokenRotated";
    e.time_us = in.Int();
    e.actor = "fuzz";
    e.payload = in.Bytes();
    e.epoch = in.Byte() % 3;
    e.prev_hash = prev;
    e.hash = seam::ComputeEventHash(e);
    prev = e.hash;
    chain.push_back(std::move(e));
  }
  const std::uint8_t tamper = in.Byte();
  const bool tampered = tamper % 2 == 1;
  std::size_t at = 0;
  int field = 0;
  if (tampered) {
    at = (tamper / 2) % chain.size();
    field = in.Byte() % 10;
    seam::Event& e = chain[at];
    switch (field) {
      case 0: e.seq += 1 + in.Byte(); break;
      case 1: e.stream += "x"; break;
      case 2: e.version += 1 + in.Byte(); break;
      case 3: e.type += "x"; break;
      case 4: e.time_us ^= 1 + in.Byte(); break;
      case 5: e.actor += "x"; break;
      case 6: e.payload += static_cast<char>(in.Byte()); break;
      case 7: e.epoch += 1 + in.Byte() % 4; break;
      case 8: e.prev_hash[in.Byte() % e.prev_hash.size()] ^= static_cast<std::uint8_t>(1 + in.Byte() % 255); break;
      default: e.hash[in.Byte() % e.hash.size()] ^= static_cast<std::uint8_t>(1 + in.Byte() % 255); break;
    }
  }
  for (const seam::Event& e : chain) InsertEvent(e);
  const seam::VerifyReport report = Verify(nullptr, nullptr);
  if (report.intact == tampered) {
    FuzzFail(tampered ? "a changed row (field " + std::to_string(field) + ") passes verification"
                      : "an untouched chain fails verification: " + report.reason);
  }
  if (tampered && report.first_bad_seq != chain[at].seq) FuzzFail("verification blames another row than the changed one");
}

void Plain(Input& in) {
  while (!in.empty()) {
    for (int col = 1; col <= kColumns; ++col) {
      const std::uint8_t tag = in.Byte();
      switch (tag % 5) {
        case 0: sqlite3_bind_null(Events().insert, col); break;
        case 1: BindInt(col, tag < 128 ? static_cast<std::int64_t>(in.Byte()) : in.Int()); break;
        case 2: {
          const std::int64_t bits = in.Int();
          double d;
          std::memcpy(&d, &bits, sizeof d);
          sqlite3_bind_double(Events().insert, col, d);
          break;
        }
        case 3: BindText(col, in.Bytes()); break;
        default: {
          const std::string b = in.Bytes();
          BindBlob(col, b.data(), b.size());
          break;
        }
      }
    }
    Insert();
  }
  std::vector<bool> well_formed;
  std::vector<seam::Event> rows;
  const seam::VerifyReport report = Verify(&well_formed, &rows);
  // The oracle. rows[i].hash is 0xff.. when the row's hash is not its own (set in Verify).
  bool intact = true;
  seam::Hash prev = seam::kGenesisHash;
  std::map<std::string, std::int64_t> versions;
  for (std::size_t i = 0; i < rows.size() && intact; ++i) {
    const seam::Event& e = rows[i];
    intact = e.seq == static_cast<std::int64_t>(i) + 1 && well_formed[i] && e.prev_hash == prev &&
             e.hash != seam::Hash{0xff} && e.version == versions[e.stream] + 1;
    versions[e.stream] = e.version;
    prev = e.hash;
  }
  if (report.intact != intact) FuzzFail(std::string("verify says ") + (report.intact ? "intact" : "broken") + ", the oracle otherwise");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  sqlite3_exec(Events().db, "DELETE FROM events", nullptr, nullptr, nullptr);
  Input in(data, size);
  if (size > 0 && data[0] == 0x01) {
    in.Byte();
    Structured(in);
  } else {
    Plain(in);
  }
  return 0;
}
