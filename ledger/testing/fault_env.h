#ifndef VELLUM_LEDGER_TESTING_FAULT_ENV_H_
#define VELLUM_LEDGER_TESTING_FAULT_ENV_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/synchronization/mutex.h"
#include "leveldb/env.h"
#include "leveldb/status.h"

namespace vellum {
namespace ledger {

// A leveldb::Env for crash and fault tests, in the manner of LevelDB's db/fault_injection_test.cc.
// It forwards to a base Env (leveldb::NewMemEnv for speed, or the real filesystem) and
//  - remembers, for every file written through it, how many bytes it holds and how many of them
//    a Sync() made durable, so that Crash() can drop what a power loss would drop;
//  - fails chosen appends or syncs of LevelDB's write-ahead log, the files named <number>.log in
//    which every write is made durable before it is applied;
//  - models a full disk, on which every append to any file fails as write() does (ENOSPC).
// Thread-safe: LevelDB calls it from its own background threads too.
class FaultEnv : public leveldb::EnvWrapper {
 public:
  // `base` must outlive this env.
  explicit FaultEnv(leveldb::Env* base) : leveldb::EnvWrapper(base) {}

  FaultEnv(const FaultEnv&) = delete;
  FaultEnv& operator=(const FaultEnv&) = delete;

  // Log files accept `bytes_accepted` more bytes; the append that would exceed them writes as
  // many as still fit and then fails with an IOError, as a write() that hit a full disk would.
  // One failure only: appends after it succeed again.
  void FailLogAppendAfter(size_t bytes_accepted);

  // While `full`, every append to any file written through the env writes nothing and fails with
  // an IOError naming strerror(ENOSPC), as LevelDB's posix Env reports a full disk.
  void SetDiskFull(bool full);

  // The next Sync() of a log file fails with an IOError; the bytes appended stay in the file,
  // unsynced, so that a later Crash() decides how many of them survive.
  void FailNextLogSync();

  // Simulates a power loss. Requires that no database uses the env any more (delete it first, as
  // a crashed process would never have run its destructor but its files would be closed). Each
  // file written through the env keeps its synced bytes and the first
  // `keep_unsynced(file name, unsynced byte count)` of its unsynced ones (clamped to the count);
  // the rest is cut off. Files are then considered fully synced.
  leveldb::Status Crash(
      absl::FunctionRef<uint64_t(const std::string& file, uint64_t unsynced)> keep_unsynced);

  // Crash() that loses every unsynced byte.
  leveldb::Status DropUnsyncedData();

  // The bytes written but not yet synced, over all files.
  uint64_t UnsyncedBytes() const;
  // How many appends and syncs reached log files, successful or not.
  int log_appends() const;
  int log_syncs() const;
  // How many log files were created.
  int log_files() const;

  leveldb::Status NewWritableFile(const std::string& name,
                                  leveldb::WritableFile** result) override;
  leveldb::Status NewAppendableFile(const std::string& name,
                                    leveldb::WritableFile** result) override;
  leveldb::Status RemoveFile(const std::string& name) override;
  leveldb::Status RenameFile(const std::string& from, const std::string& to) override;

 private:
  class File;
  friend class File;

  struct FileState {
    uint64_t size = 0;
    uint64_t synced = 0;
  };

  enum class Fault { kNone, kAppend, kSync, kNoSpace };

  static bool IsLog(const std::string& name);

  // Called by File. Each returns the fault to inject into this call, if any; for an append
  // fault, *bytes_written is how much of `size` bytes to write before failing.
  Fault BeforeAppend(const std::string& name, size_t size, size_t* bytes_written);
  Fault BeforeSync(const std::string& name);
  void Appended(const std::string& name, uint64_t bytes);
  void Synced(const std::string& name);

  mutable absl::Mutex mu_;
  std::map<std::string, FileState> files_ ABSL_GUARDED_BY(mu_);
  bool append_budget_set_ ABSL_GUARDED_BY(mu_) = false;
  size_t append_budget_ ABSL_GUARDED_BY(mu_) = 0;
  bool fail_next_log_sync_ ABSL_GUARDED_BY(mu_) = false;
  bool disk_full_ ABSL_GUARDED_BY(mu_) = false;
  int log_appends_ ABSL_GUARDED_BY(mu_) = 0;
  int log_syncs_ ABSL_GUARDED_BY(mu_) = 0;
  int log_files_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_TESTING_FAULT_ENV_H_
