#include "ledger/file_io.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace vellum {
namespace ledger {
namespace {

// A fresh directory for the running test, with symlinks in its path resolved, so that a path
// made from it resolves to itself.
class PrivateFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::unique_ptr<char, decltype(&free)> base(realpath(::testing::TempDir().c_str(), nullptr),
                                                &free);
    ASSERT_NE(base, nullptr);
    dir_ = absl::StrCat(base.get(), "/",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::error_code error;
    std::filesystem::remove_all(dir_, error);
    ASSERT_EQ(mkdir(dir_.c_str(), 0700), 0) << dir_;
  }

  // Writes `path` with mode `mode`.
  void Write(const std::string& path, mode_t mode) {
    ASSERT_TRUE(WriteNewFile(path, "secret\n", mode).ok()) << path;
  }

  std::string dir_;
};

TEST_F(PrivateFileTest, OwnerOnlyFileIsAccepted) {
  Write(dir_ + "/key", 0600);
  EXPECT_EQ(CheckPrivateFile("signer key", dir_ + "/key"), absl::OkStatus());
  ASSERT_EQ(chmod((dir_ + "/key").c_str(), 0400), 0);
  EXPECT_EQ(CheckPrivateFile("signer key", dir_ + "/key"), absl::OkStatus());
}

TEST_F(PrivateFileTest, ReadableOrWritableByOthersIsRefusedWithTheChmod) {
  const std::string key = dir_ + "/log.key";
  Write(key, 0644);
  EXPECT_EQ(CheckPrivateFile("signer key", key),
            absl::FailedPreconditionError(absl::StrCat(
                "signer key ", key, " has mode 0644, want no group or other access: chmod 600 ",
                key)));
  ASSERT_EQ(chmod(key.c_str(), 0620), 0);
  EXPECT_EQ(CheckPrivateFile("auth.token_file", key),
            absl::FailedPreconditionError(absl::StrCat(
                "auth.token_file ", key,
                " has mode 0620, want no group or other access: chmod 600 ", key)));
  ASSERT_EQ(chmod(key.c_str(), 0602), 0);
  EXPECT_EQ(CheckPrivateFile("tls.key_file", key).message(),
            absl::StrCat("tls.key_file ", key,
                         " has mode 0602, want no group or other access: chmod 600 ", key));
}

// A Kubernetes Secret volume: key -> ..data/key, ..data -> ..<timestamp>, the file in there.
TEST_F(PrivateFileTest, SecretVolumeSymlinkChainIsJudgedOnItsTarget) {
  const std::string stamped = dir_ + "/..2026_12_02_10_00_00.123456789";
  ASSERT_EQ(mkdir(stamped.c_str(), 0755), 0);
  Write(stamped + "/key", 0400);
  ASSERT_EQ(symlink("..2026_12_02_10_00_00.123456789", (dir_ + "/..data").c_str()), 0);
  ASSERT_EQ(symlink("..data/key", (dir_ + "/key").c_str()), 0);
  EXPECT_EQ(CheckPrivateFile("ingest secret", dir_ + "/key"), absl::OkStatus());

  ASSERT_EQ(chmod((stamped + "/key").c_str(), 0644), 0);
  EXPECT_EQ(CheckPrivateFile("ingest secret", dir_ + "/key"),
            absl::FailedPreconditionError(absl::StrCat(
                "ingest secret ", dir_, "/key (resolved ", stamped,
                "/key) has mode 0644, want no group or other access: chmod 600 ", stamped,
                "/key")));
}

TEST_F(PrivateFileTest, SymlinkToAWorldReadableFileIsRefused) {
  Write(dir_ + "/target", 0604);
  ASSERT_EQ(symlink((dir_ + "/target").c_str(), (dir_ + "/link").c_str()), 0);
  EXPECT_EQ(CheckPrivateFile("signer key", dir_ + "/link").message(),
            absl::StrCat("signer key ", dir_, "/link (resolved ", dir_,
                         "/target) has mode 0604, want no group or other access: chmod 600 ",
                         dir_, "/target"));
}

TEST_F(PrivateFileTest, MissingFileOrWrongTypeIsRefused) {
  absl::Status missing = CheckPrivateFile("signer key", dir_ + "/none");
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(missing.message(),
            absl::StrCat("cannot resolve signer key ", dir_, "/none: No such file or directory"));
  EXPECT_EQ(CheckPrivateFile("signer key", dir_),
            absl::FailedPreconditionError(
                absl::StrCat("signer key ", dir_, " is not a regular file")));
  Write(dir_ + "/file", 0600);
  EXPECT_EQ(CheckPrivateDirectory("data directory", dir_ + "/file"),
            absl::FailedPreconditionError(
                absl::StrCat("data directory ", dir_, "/file is not a directory")));
}

TEST_F(PrivateFileTest, DataDirectoryMustBe0700) {
  EXPECT_EQ(CheckPrivateDirectory("data directory", dir_), absl::OkStatus());
  ASSERT_EQ(chmod(dir_.c_str(), 0750), 0);
  EXPECT_EQ(CheckPrivateDirectory("data directory", dir_),
            absl::FailedPreconditionError(absl::StrCat(
                "data directory ", dir_,
                " has mode 0750, want 0700 (no group or other access): chmod 700 ", dir_)));
  ASSERT_EQ(chmod(dir_.c_str(), 0701), 0);
  EXPECT_EQ(CheckPrivateDirectory("data directory", dir_).code(),
            absl::StatusCode::kFailedPrecondition);
}

// The rule itself, on attributes no test user could give a real file.
struct stat Attributes(mode_t type, mode_t mode, uid_t owner, gid_t group) {
  struct stat st = {};
  st.st_mode = type | mode;
  st.st_uid = owner;
  st.st_gid = group;
  return st;
}

TEST(CheckPrivateStatTest, RootOwnedFileMayBeReadByAGroupOfTheProcess) {
  // defaultMode 0400 and fsGroup 2000: the kubelet gives 0440 root:2000.
  const struct stat secret = Attributes(S_IFREG, 0440, 0, 2000);
  EXPECT_EQ(CheckPrivateStat("signer key", "/s/key", "/s/..t/key", secret, 1000, {1000, 2000}),
            absl::OkStatus());
  EXPECT_EQ(CheckPrivateStat("signer key", "/s/key", "/s/..t/key", secret, 1000, {1000}),
            absl::FailedPreconditionError(
                "signer key /s/key (resolved /s/..t/key) has mode 0440 and group 2000, which "
                "this process (uid 1000) does not run in; want no group or other access, or "
                "read for a group of this process: chgrp 1000 /s/..t/key && chmod 440 "
                "/s/..t/key"));
  // Kubernetes' default, defaultMode 0644.
  EXPECT_EQ(CheckPrivateStat("signer key", "/k", "/k", Attributes(S_IFREG, 0644, 0, 2000), 1000,
                             {1000, 2000}),
            absl::FailedPreconditionError("signer key /k has mode 0644, want no other access and "
                                          "at most read for its group 2000: chmod 640 /k"));
  EXPECT_EQ(CheckPrivateStat("k", "/k", "/k", Attributes(S_IFREG, 0460, 0, 2000), 1000,
                             {1000, 2000}).message(),
            "k /k has mode 0460, want no other access and at most read for its group 2000: "
            "chmod 440 /k");
  // Root itself gets no group allowance: nobody else needs to read root's key.
  EXPECT_EQ(CheckPrivateStat("k", "/k", "/k", Attributes(S_IFREG, 0640, 0, 0), 0, {0}).message(),
            "k /k has mode 0640, want no group or other access: chmod 600 /k");
  EXPECT_EQ(CheckPrivateStat("k", "/k", "/k", Attributes(S_IFREG, 0600, 0, 0), 0, {0}),
            absl::OkStatus());
}

TEST(CheckPrivateStatTest, OwnerMustBeTheProcessOrRoot) {
  EXPECT_EQ(CheckPrivateStat("k", "/k", "/k", Attributes(S_IFREG, 0600, 1001, 1001), 1000,
                             {1000}),
            absl::FailedPreconditionError("k /k is owned by uid 1001, want uid 1000 (the user "
                                          "this process runs as) or root: chown 1000 /k"));
  EXPECT_EQ(CheckPrivateStat("k", "/k", "/k", Attributes(S_IFREG, 0640, 1000, 1000), 1000,
                             {1000}).message(),
            "k /k has mode 0640, want no group or other access: chmod 600 /k");
  EXPECT_EQ(CheckPrivateStat("data directory", "/d", "/d", Attributes(S_IFDIR, 0700, 0, 0), 1000,
                             {1000}),
            absl::FailedPreconditionError("data directory /d is owned by uid 0, want uid 1000 "
                                          "(the user this process runs as): chown 1000 /d"));
  EXPECT_EQ(CheckPrivateStat("k", "/k", "/k", Attributes(S_IFIFO, 0600, 1000, 1000), 1000,
                             {1000}).message(),
            "k /k is neither a regular file nor a directory");
}

}  // namespace
}  // namespace ledger
}  // namespace vellum
