#include "ledger/testing/fault_env.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace vellum {
namespace ledger {

// A writable file that reports its appends and syncs to the env and takes its injected faults.
class FaultEnv::File : public leveldb::WritableFile {
 public:
  File(FaultEnv* env, std::string name, std::unique_ptr<leveldb::WritableFile> base)
      : env_(env), name_(std::move(name)), base_(std::move(base)) {}

  leveldb::Status Append(const leveldb::Slice& data) override {
    size_t bytes_written = 0;
    const Fault fault = env_->BeforeAppend(name_, data.size(), &bytes_written);
    if (fault == Fault::kNoSpace) return leveldb::Status::IOError(name_, std::strerror(ENOSPC));
    if (fault == Fault::kAppend) {
      const size_t n = bytes_written;
      if (n > 0 && base_->Append(leveldb::Slice(data.data(), n)).ok()) env_->Appended(name_, n);
      return leveldb::Status::IOError(name_, "injected append failure");
    }
    leveldb::Status status = base_->Append(data);
    if (status.ok()) env_->Appended(name_, data.size());
    return status;
  }

  leveldb::Status Sync() override {
    if (env_->BeforeSync(name_) == Fault::kSync) {
      // The bytes reach the file, so that Crash() can keep any part of them; only the
      // promise that they are durable is missing.
      base_->Flush();
      return leveldb::Status::IOError(name_, "injected sync failure");
    }
    leveldb::Status status = base_->Sync();
    if (status.ok()) env_->Synced(name_);
    return status;
  }

  leveldb::Status Flush() override { return base_->Flush(); }
  leveldb::Status Close() override { return base_->Close(); }

 private:
  FaultEnv* const env_;
  const std::string name_;
  const std::unique_ptr<leveldb::WritableFile> base_;
};

bool FaultEnv::IsLog(const std::string& name) { return absl::EndsWith(name, ".log"); }

void FaultEnv::FailLogAppendAfter(size_t bytes_accepted) {
  absl::MutexLock lock(&mu_);
  append_budget_set_ = true;
  append_budget_ = bytes_accepted;
}

void FaultEnv::SetDiskFull(bool full) {
  absl::MutexLock lock(&mu_);
  disk_full_ = full;
}

void FaultEnv::FailNextLogSync() {
  absl::MutexLock lock(&mu_);
  fail_next_log_sync_ = true;
}

FaultEnv::Fault FaultEnv::BeforeAppend(const std::string& name, size_t size,
                                       size_t* bytes_written) {
  absl::MutexLock lock(&mu_);
  if (disk_full_) return Fault::kNoSpace;
  if (!IsLog(name)) return Fault::kNone;
  ++log_appends_;
  if (!append_budget_set_) return Fault::kNone;
  if (size <= append_budget_) {
    append_budget_ -= size;
    return Fault::kNone;
  }
  append_budget_set_ = false;
  *bytes_written = append_budget_;
  return Fault::kAppend;
}

FaultEnv::Fault FaultEnv::BeforeSync(const std::string& name) {
  absl::MutexLock lock(&mu_);
  if (!IsLog(name)) return Fault::kNone;
  ++log_syncs_;
  if (!fail_next_log_sync_) return Fault::kNone;
  fail_next_log_sync_ = false;
  return Fault::kSync;
}

void FaultEnv::Appended(const std::string& name, uint64_t bytes) {
  absl::MutexLock lock(&mu_);
  files_[name].size += bytes;
}

void FaultEnv::Synced(const std::string& name) {
  absl::MutexLock lock(&mu_);
  FileState& state = files_[name];
  state.synced = state.size;
}

leveldb::Status FaultEnv::NewWritableFile(const std::string& name,
                                          leveldb::WritableFile** result) {
  leveldb::WritableFile* base = nullptr;
  leveldb::Status status = target()->NewWritableFile(name, &base);
  if (!status.ok()) return status;
  {
    absl::MutexLock lock(&mu_);
    files_[name] = FileState();  // Created or truncated.
    if (IsLog(name)) ++log_files_;
  }
  *result = new File(this, name, std::unique_ptr<leveldb::WritableFile>(base));
  return status;
}

leveldb::Status FaultEnv::NewAppendableFile(const std::string& name,
                                            leveldb::WritableFile** result) {
  uint64_t size = 0;
  if (!target()->GetFileSize(name, &size).ok()) size = 0;
  leveldb::WritableFile* base = nullptr;
  leveldb::Status status = target()->NewAppendableFile(name, &base);
  if (!status.ok()) return status;
  {
    absl::MutexLock lock(&mu_);
    auto [it, inserted] = files_.try_emplace(name);
    if (inserted) it->second = FileState{size, size};  // What was there before is durable.
  }
  *result = new File(this, name, std::unique_ptr<leveldb::WritableFile>(base));
  return status;
}

leveldb::Status FaultEnv::RemoveFile(const std::string& name) {
  leveldb::Status status = target()->RemoveFile(name);
  if (status.ok()) {
    absl::MutexLock lock(&mu_);
    files_.erase(name);
  }
  return status;
}

leveldb::Status FaultEnv::RenameFile(const std::string& from, const std::string& to) {
  leveldb::Status status = target()->RenameFile(from, to);
  if (status.ok()) {
    absl::MutexLock lock(&mu_);
    auto it = files_.find(from);
    if (it != files_.end()) {
      files_[to] = it->second;
      files_.erase(from);
    } else {
      files_.erase(to);
    }
  }
  return status;
}

leveldb::Status FaultEnv::Crash(
    absl::FunctionRef<uint64_t(const std::string& file, uint64_t unsynced)> keep_unsynced) {
  absl::MutexLock lock(&mu_);
  for (auto& [name, state] : files_) {
    const uint64_t unsynced = state.size - state.synced;
    const uint64_t keep = state.synced + std::min(unsynced, keep_unsynced(name, unsynced));
    if (keep < state.size) {
      // Rewrite the file with its first `keep` bytes: Env has no truncate.
      leveldb::SequentialFile* in = nullptr;
      leveldb::Status status = target()->NewSequentialFile(name, &in);
      if (!status.ok()) return status;
      std::unique_ptr<leveldb::SequentialFile> reader(in);
      std::string prefix(keep, '\0');
      leveldb::Slice got;
      status = reader->Read(keep, &got, prefix.data());
      if (!status.ok()) return status;
      if (got.size() != keep) {
        return leveldb::Status::Corruption(
            name, absl::StrCat("read ", got.size(), " bytes, want ", keep));
      }
      std::string kept = got.ToString();
      reader.reset();
      leveldb::WritableFile* out = nullptr;
      status = target()->NewWritableFile(name, &out);
      if (!status.ok()) return status;
      std::unique_ptr<leveldb::WritableFile> writer(out);
      status = writer->Append(kept);
      if (status.ok()) status = writer->Sync();
      if (status.ok()) status = writer->Close();
      if (!status.ok()) return status;
    }
    state.size = keep;
    state.synced = keep;
  }
  return leveldb::Status::OK();
}

leveldb::Status FaultEnv::DropUnsyncedData() {
  return Crash([](const std::string&, uint64_t) -> uint64_t { return 0; });
}

uint64_t FaultEnv::UnsyncedBytes() const {
  absl::MutexLock lock(&mu_);
  uint64_t total = 0;
  for (const auto& [name, state] : files_) total += state.size - state.synced;
  return total;
}

int FaultEnv::log_appends() const {
  absl::MutexLock lock(&mu_);
  return log_appends_;
}

int FaultEnv::log_files() const {
  absl::MutexLock lock(&mu_);
  return log_files_;
}

int FaultEnv::log_syncs() const {
  absl::MutexLock lock(&mu_);
  return log_syncs_;
}

}  // namespace ledger
}  // namespace vellum
