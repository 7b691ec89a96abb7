// "A full disk loses nothing, keeps reads going, and appends resume by themselves": a real
// vellumd on a tmpfs of 8 MiB made for the test, 5 MiB of which a filler file holds. Clients
// append until the disk is full and the server answers 507 with Retry-After; reads still work;
// deleting the filler frees room, and appends resume without a restart (the server reopens its
// store). A retry of the append that failed, with its Idempotency-Key, adds no second copy.
// Then kill -9 and a restart: every acknowledged entry is at its index with its bytes, and
// `vellum fsck` audits the store clean.
//
// The tmpfs is mounted in a mount namespace of the test's own, made in main() before any thread
// exists: as root with unshare(CLONE_NEWNS), otherwise in a new user namespace as well (what
// `unshare -rm` does). The vellumd children inherit it. A test that cannot mount fails.

#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <map>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "api/client/http_client.h"
#include "api/log.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/testing/wait_until.h"
#include "proof/checkpoint.h"
#include "proof/note.h"
#include "tools/testing/process.h"

namespace vellum {
namespace {

using ::testing::HasSubstr;
using subprocess::ChildProcess;
using subprocess::TempDir;

constexpr char kVellumd[] = "tools/vellumd";
constexpr char kVellum[] = "tools/vellum";
constexpr char kOrigin[] = "example.com/full-disk-test";
constexpr char kProtobuf[] = "application/x-protobuf";
constexpr absl::Duration kStartTimeout = absl::Seconds(60);
// The filesystem, and the filler that takes most of it. Reopening the store writes the
// memtable LevelDB recovers from its write-ahead log as a table, about as large as that log,
// and the reopen's probe asks for the log's size plus 1 MiB: the room the filler leaves
// (at most 3 MiB of log) plus 1 MiB is less than the filler, so that once it is deleted the
// reopen always fits.
constexpr int kDiskMiB = 8;
constexpr size_t kFillerBytes = size_t{5} << 20;
// Entries of random (incompressible) bytes.
constexpr size_t kEntryBytes = 2000;

// Why main() could not make the private mount namespace; empty when it did.
std::string* mount_namespace_error = nullptr;

bool WriteProcFile(const std::string& path, const std::string& text) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return false;
  const bool ok = std::fputs(text.c_str(), f) >= 0;
  return std::fclose(f) == 0 && ok;
}

// Enters a mount namespace of this process's own, with private propagation, so that a mount
// made in it is seen by this process and its children only. Must run while single-threaded.
std::string EnterPrivateMountNamespace() {
  const uid_t uid = geteuid();
  const gid_t gid = getegid();
  if (uid == 0) {
    if (unshare(CLONE_NEWNS) != 0) return absl::StrCat("unshare(CLONE_NEWNS): ", strerror(errno));
  } else {
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) {
      return absl::StrCat("unshare(CLONE_NEWUSER | CLONE_NEWNS): ", strerror(errno));
    }
    if (!WriteProcFile("/proc/self/setgroups", "deny") ||
        !WriteProcFile("/proc/self/uid_map", absl::StrCat("0 ", uid, " 1")) ||
        !WriteProcFile("/proc/self/gid_map", absl::StrCat("0 ", gid, " 1"))) {
      return absl::StrCat("cannot map uid ", uid, " in the new user namespace: ",
                          strerror(errno));
    }
  }
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    const int error = errno;
    // In a chroot, "/" is no mount point (EINVAL). Then nothing can be made private, and the
    // test goes on only if no mount propagates anyway (none is shared, as mountinfo shows).
    if (error != EINVAL) return absl::StrCat("making / private: ", strerror(error));
    std::ifstream mountinfo("/proc/self/mountinfo");
    if (!mountinfo) return "making / private: EINVAL, and /proc/self/mountinfo is unreadable";
    std::string line;
    while (std::getline(mountinfo, line)) {
      if (line.find(" shared:") != std::string::npos) {
        return absl::StrCat("making / private: ", strerror(error),
                            " (a chroot?), and this mount is shared, so the test's tmpfs would "
                            "show outside: ",
                            line);
      }
    }
  }
  return "";
}

// An entry the server acknowledged, and where.
struct Acked {
  uint64_t index;
  std::string entry;
};

class FullDiskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(mount_namespace_error, nullptr);
    ASSERT_EQ(*mount_namespace_error, "")
        << "cannot make a mount namespace for the test's tmpfs (run as root, or where "
           "unprivileged user namespaces are allowed, as `unshare -rm` needs): "
        << *mount_namespace_error;
    disk_ = TempDir() + "/disk";
    ASSERT_TRUE(mkdir(disk_.c_str(), 0700) == 0 || errno == EEXIST) << strerror(errno);
    const std::string options = absl::StrCat("size=", kDiskMiB, "m,mode=0700");
    ASSERT_EQ(mount("vellum-full-disk-test", disk_.c_str(), "tmpfs", 0, options.c_str()), 0)
        << "cannot mount a tmpfs of " << kDiskMiB << " MiB on " << disk_ << ": "
        << strerror(errno);
    mounted_ = true;
    data_dir_ = disk_ + "/data";
    ASSERT_EQ(mkdir(data_dir_.c_str(), 0700), 0) << strerror(errno);
    filler_ = disk_ + "/filler";
    subprocess::WriteFile(filler_, std::string(kFillerBytes, 'f'));
    struct stat st;
    ASSERT_EQ(stat(filler_.c_str(), &st), 0);
    ASSERT_EQ(static_cast<size_t>(st.st_size), kFillerBytes);

    key_path_ = TempDir() + "/log.key";
    auto key = GenerateNoteKey(kOrigin);
    ASSERT_TRUE(key.ok()) << key.status();
    subprocess::WriteFile(key_path_, key->signer_key + "\n");
    chmod(key_path_.c_str(), 0600);
    verifier_key_ = key->verifier_key;
    auto verifier = NoteVerifier::Create(key->verifier_key);
    ASSERT_TRUE(verifier.ok()) << verifier.status();
    verifier_ = *std::move(verifier);
  }

  void TearDown() override {
    server_.reset();  // Kills it, if still running, before the filesystem goes.
    if (mounted_) umount2(disk_.c_str(), MNT_DETACH);
  }

  void StartServer(const std::string& name) {
    server_ = ChildProcess::Spawn(
        kVellumd, {"--data-dir", data_dir_, "--listen", "127.0.0.1:0", "--signer-key", key_path_},
        name);
    ASSERT_NE(server_, nullptr);
    const uint16_t port = server_->WaitUntilServing(kStartTimeout);
    ASSERT_NE(port, 0) << "vellumd exited with " << server_->status() << ": " << server_->err();
    auto client = api::HttpClient::Create(absl::StrCat("http://127.0.0.1:", port), {});
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = *std::move(client);
  }

  std::string NewEntry() {
    std::string entry = absl::StrCat("entry ", next_entry_++, " ");
    while (entry.size() < kEntryBytes) entry.push_back(static_cast<char>(rng_() & 0xff));
    return entry;
  }

  absl::StatusOr<api::HttpResponse> Append(const std::string& entry, const std::string& key) {
    return client_->Send("POST", "/v1/entries", entry,
                         {{"Accept", kProtobuf}, {"Idempotency-Key", key}});
  }

  // Records a 200 answer to an append of `entry`; false (failing the test) for anything else.
  bool RecordAcked(const api::HttpResponse& response, const std::string& entry) {
    api::AppendResponse answer;
    if (response.status != 200 || !answer.ParseFromString(response.body)) {
      ADD_FAILURE() << "HTTP " << response.status << ": " << response.body;
      return false;
    }
    acked_.push_back({answer.index(), entry});
    return true;
  }

  // The size of the server's signed checkpoint; 0 (failing the test) if it cannot be had.
  uint64_t CheckpointSize() {
    auto response = client_->Send("GET", "/checkpoint");
    if (!response.ok() || response->status != 200) {
      ADD_FAILURE() << "GET /checkpoint: "
                    << (response.ok() ? response->body : response.status().ToString());
      return 0;
    }
    auto checkpoint = OpenCheckpoint(response->body, *verifier_);
    EXPECT_TRUE(checkpoint.ok()) << checkpoint.status();
    return checkpoint.ok() ? checkpoint->size : 0;
  }

  std::string Metrics() {
    auto response = client_->Send("GET", "/metrics");
    EXPECT_TRUE(response.ok() && response->status == 200);
    return response.ok() ? response->body : "";
  }

  // Every acknowledged entry is served at its index with its bytes.
  void ExpectAckedEntriesServed() {
    for (const Acked& a : acked_) {
      auto response = client_->Send("GET", absl::StrCat("/v1/entries/", a.index));
      ASSERT_TRUE(response.ok()) << response.status();
      ASSERT_EQ(response->status, 200) << "entry " << a.index << ": " << response->body;
      ASSERT_TRUE(response->body == a.entry) << "entry " << a.index << " has other bytes";
    }
  }

  std::string disk_;
  bool mounted_ = false;
  std::string data_dir_;
  std::string filler_;
  std::string key_path_;
  std::string verifier_key_;
  std::unique_ptr<NoteVerifier> verifier_;
  std::unique_ptr<ChildProcess> server_;
  std::unique_ptr<api::HttpClient> client_;
  std::mt19937_64 rng_{20261202};
  uint64_t next_entry_ = 0;
  std::vector<Acked> acked_;
};

TEST_F(FullDiskTest, AppendsStopWith507ReadsGoOnAndAppendsResumeOnceThereIsRoom) {
  StartServer("first");

  // Fill the disk. Each append has its own key, so that its retry could not add a copy.
  std::string failed_entry, failed_key;
  api::HttpResponse full;
  for (int i = 0; i < 20000 && failed_entry.empty(); ++i) {
    const std::string entry = NewEntry();
    const std::string key = absl::StrCat("append-", i);
    auto response = Append(entry, key);
    ASSERT_TRUE(response.ok()) << response.status();
    if (response->status == 507) {
      failed_entry = entry;
      failed_key = key;
      full = *response;
    } else {
      ASSERT_TRUE(RecordAcked(*response, entry));
    }
  }
  ASSERT_FALSE(failed_entry.empty()) << "20000 appends never filled a " << kDiskMiB
                                     << " MiB disk";
  ASSERT_GT(acked_.size(), 10u);
  EXPECT_THAT(full.body, HasSubstr("No space left on device"));
  EXPECT_THAT(full.body, HasSubstr("the batch may have been stored: retry with the same "
                                   "Idempotency-Key"));
  bool has_retry_after = false;
  for (const auto& [name, value] : full.headers) {
    has_retry_after = has_retry_after || absl::EqualsIgnoreCase(name, "Retry-After");
  }
  EXPECT_TRUE(has_retry_after);

  // While the disk is full, appends are refused and reads go on.
  auto refused = Append(NewEntry(), "refused");
  ASSERT_TRUE(refused.ok()) << refused.status();
  EXPECT_EQ(refused->status, 507) << refused->body;
  // The failed append is not published, even if it reached the disk.
  const uint64_t size = CheckpointSize();
  EXPECT_EQ(size, acked_.size());
  ExpectAckedEntriesServed();
  EXPECT_EQ(client_->Send("GET", absl::StrCat("/tile/0/000.p/", size))->status, 200);
  EXPECT_EQ(client_->Send("GET", absl::StrCat("/tile/entries/000.p/", size))->status, 200);
  EXPECT_EQ(client_->Send("GET", absl::StrCat("/v1/proof/inclusion?index=3&size=", size))->status,
            200);
  EXPECT_EQ(client_->Send("GET", "/v1/log")->status, 200);
  // The server tries to reopen its store, and its probe finds no room.
  ASSERT_TRUE(ledger::WaitUntil(
      [&] { return !absl::StrContains(Metrics(), "vellum_store_reopen_attempts_total 0\n"); },
      absl::Seconds(60), absl::Milliseconds(50)));
  auto health = client_->Send("GET", "/healthz");
  ASSERT_TRUE(health.ok()) << health.status();
  EXPECT_EQ(health->status, 503);
  EXPECT_THAT(health->body, HasSubstr("no room to reopen the store"));
  std::string metrics = Metrics();
  EXPECT_THAT(metrics, HasSubstr("vellum_writes_refused 1\n"));
  EXPECT_THAT(metrics, HasSubstr("vellum_store_reopens_total 0\n"));

  // Free room: appends resume without a restart.
  ASSERT_EQ(unlink(filler_.c_str()), 0) << strerror(errno);
  ASSERT_TRUE(ledger::WaitUntil(
      [&] {
        auto h = client_->Send("GET", "/healthz");
        return h.ok() && h->status == 200;
      },
      absl::Seconds(60), absl::Milliseconds(50)))
      << "appends did not resume after the filler was deleted: " << Metrics();
  metrics = Metrics();
  EXPECT_THAT(metrics, HasSubstr("vellum_writes_refused 0\n"));
  EXPECT_THAT(metrics, HasSubstr("vellum_store_reopens_total 1\n"));
  // The retry of the failed append gets the next index whether or not the failed batch had
  // reached the disk (then the reopen recovered it, and the retry is its duplicate): never a
  // second copy.
  auto retry = Append(failed_entry, failed_key);
  ASSERT_TRUE(retry.ok()) << retry.status();
  ASSERT_TRUE(RecordAcked(*retry, failed_entry));
  api::AppendResponse retried;
  ASSERT_TRUE(retried.ParseFromString(retry->body));
  EXPECT_EQ(retried.index(), size);
  std::printf("the append that failed at index %llu was %s\n",
              static_cast<unsigned long long>(size),
              retried.duplicate() ? "stored after all" : "not stored");
  // A few: each rewrites the partial entry bundle, some 150 KB here, and the restart below
  // needs room for a table as large as the write-ahead log they make.
  for (int i = 0; i < 5; ++i) {
    const std::string entry = NewEntry();
    auto response = Append(entry, absl::StrCat("after-", i));
    ASSERT_TRUE(response.ok()) << response.status();
    ASSERT_TRUE(RecordAcked(*response, entry));
  }
  const uint64_t final_size = CheckpointSize();
  EXPECT_EQ(final_size, acked_.size());

  // kill -9 and restart: everything acknowledged is there, once.
  ASSERT_TRUE(server_->Kill()) << "vellumd exited by itself: " << server_->err();
  StartServer("restarted");
  EXPECT_EQ(CheckpointSize(), final_size);
  ExpectAckedEntriesServed();
  ASSERT_TRUE(server_->Stop(SIGTERM, absl::Seconds(30))) << server_->err();

  // The store audits clean.
  subprocess::RunResult fsck =
      subprocess::Run(kVellum, {"fsck", "--data-dir", data_dir_, "--verifier-key", verifier_key_});
  EXPECT_EQ(fsck.status, 0) << fsck.out << fsck.err;
  EXPECT_THAT(fsck.out, HasSubstr(absl::StrCat("valid: ", final_size, " entries")));
}

}  // namespace
}  // namespace vellum

int main(int argc, char** argv) {
  // Before InitGoogleTest or anything else that might start a thread: unshare(CLONE_NEWUSER)
  // needs a single-threaded process.
  vellum::mount_namespace_error = new std::string(vellum::EnterPrivateMountNamespace());
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
