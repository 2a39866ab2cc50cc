#include "store/postgres/pg_lease_lock.h"

#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/crypto.h"
#include "store/postgres/pg_conn.h"

namespace seam::pg {
namespace {

// Takes the row when it is free or its lease has run out; returns no row while another holds it.
constexpr char kTake[] =
    "INSERT INTO seam_locks AS l (stream, holder, token, expires_at) "
    "VALUES ($1, $2, $3, clock_timestamp() + $4 * interval '1 millisecond') "
    "ON CONFLICT (stream) DO UPDATE SET holder = excluded.holder, token = excluded.token, "
    "expires_at = excluded.expires_at WHERE l.expires_at < clock_timestamp() RETURNING token";
constexpr char kHolder[] =
    "SELECT holder, to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') "
    "FROM seam_locks WHERE stream = $1";
constexpr char kRenew[] =
    "UPDATE seam_locks SET expires_at = clock_timestamp() + $3 * interval '1 millisecond' "
    "WHERE stream = $1 AND token = $2";
constexpr char kRelease[] = "DELETE FROM seam_locks WHERE stream = $1 AND token = $2";

class PgLeaseLock final : public WriterLock {
 public:
  PgLeaseLock(std::shared_ptr<LeaseConnections> pool, std::unique_ptr<Connection> conn, std::string stream,
              std::string token, LeaseTiming timing)
      : pool_(std::move(pool)), conn_(std::move(conn)), stream_(std::move(stream)), token_(std::move(token)),
        timing_(timing) {
    renewer_ = std::thread([this] { Renew(); });
  }
  ~PgLeaseLock() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    wake_.notify_all();
    renewer_.join();
    // Best effort: a release that fails (the database gone) ends with the lease anyway.
    Params params;
    params.Text(stream_).Text(token_);
    if (conn_->Exec(kRelease, params, "releasing the lock of stream " + stream_).ok()) pool_->Give(std::move(conn_));
  }

 private:
  void Renew() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!wake_.wait_for(lock, timing_.renew, [this] { return stopping_; })) {
      Params params;
      params.Text(stream_).Text(token_).Int(timing_.lease.count());
      // A renewal that fails is tried again at the next tick; if the lease runs out meanwhile,
      // another writer may take it, and this one's appends then fail their version check.
      (void)conn_->Exec(kRenew, params, "renewing the lock of stream " + stream_);
    }
  }

  std::shared_ptr<LeaseConnections> pool_;
  std::unique_ptr<Connection> conn_;  // used by the renewer until it stops, then by the release
  std::string stream_;
  std::string token_;
  LeaseTiming timing_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread renewer_;
};

}  // namespace

LeaseConnections::LeaseConnections(std::string url, std::string password)
    : url_(std::move(url)), password_(std::move(password)) {}
LeaseConnections::~LeaseConnections() = default;

Result<std::unique_ptr<Connection>> LeaseConnections::Take() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      std::unique_ptr<Connection> conn = std::move(idle_.back());
      idle_.pop_back();
      return conn;
    }
  }
  return Connection::Open(url_, password_);
}

void LeaseConnections::Give(std::unique_ptr<Connection> conn) {
  std::lock_guard<std::mutex> lock(mu_);
  if (idle_.size() < kIdle) idle_.push_back(std::move(conn));
}

Result<std::unique_ptr<WriterLock>> AcquireLease(std::shared_ptr<LeaseConnections> connections,
                                                 const std::string& stream, const std::string& actor,
                                                 std::chrono::milliseconds wait, const LeaseTiming& timing) {
  SEAM_ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, connections->Take());
  SEAM_ASSIGN_OR_RETURN(Secret random, RandomBytes(16));
  const std::string token = HexLower(random.Reveal().data(), random.size());
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    Params take;
    take.Text(stream).Text(actor).Text(token).Int(timing.lease.count());
    SEAM_ASSIGN_OR_RETURN(Rows taken, conn->Exec(kTake, take, "locking stream " + stream));
    if (taken.count() == 1) {
      return std::unique_ptr<WriterLock>(new PgLeaseLock(std::move(connections), std::move(conn), stream, token, timing));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      Params who;
      who.Text(stream);
      SEAM_ASSIGN_OR_RETURN(Rows holder, conn->Exec(kHolder, who, "reading the lock of stream " + stream));
      const std::string what = holder.count() == 1 ? std::string(holder.Text(0, 0)) + " holds its lease in " +
                                                         conn->describe() + " (until " +
                                                         std::string(holder.Text(0, 1)) + ", renewed while it works)"
                                                   : "another writer holds its lease in " + conn->describe();
      connections->Give(std::move(conn));
      return Status::Unavailable("seam stream " + stream + " is busy: " + what + " (waited " +
                                 std::to_string(wait.count()) + " ms); retry when it is done");
    }
    std::this_thread::sleep_for(timing.poll);
  }
}

}  // namespace seam::pg
