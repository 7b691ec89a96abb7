#include "ledger/privacy/key_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vellum {
namespace ledger {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class KeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = absl::StrCat(::testing::TempDir(), "/",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_EQ(mkdir(dir_.c_str(), 0700), 0);
    path_ = dir_ + "/lookup.key";
  }

  void Write(const std::string& contents, mode_t mode) {
    std::ofstream(path_) << contents;
    ASSERT_EQ(chmod(path_.c_str(), mode), 0);
  }

  std::string dir_;
  std::string path_;
};

TEST_F(KeyFileTest, AMissingKeyIsCreatedPrivateAndThenLoadedUnchanged) {
  auto created = LoadOrCreateKeyFile("lookup key", path_, 32);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->size(), 32u);
  struct stat st;
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_NE(access((path_ + ".new").c_str(), F_OK), 0);
  auto loaded = LoadOrCreateKeyFile("lookup key", path_, 32);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(*loaded, *created);
}

TEST_F(KeyFileTest, AnUnfinishedTemporaryFileIsReplaced) {
  std::ofstream(path_ + ".new") << "half";
  auto created = LoadOrCreateKeyFile("lookup key", path_, 32);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_NE(access((path_ + ".new").c_str(), F_OK), 0);
}

TEST_F(KeyFileTest, ABadOrOpenFileIsRefusedWithoutShowingItsContents) {
  Write("not-a-key-at-all-secretish\n", 0600);
  auto bad = LoadOrCreateKeyFile("lookup key", path_, 32);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("want 64 hex digits"));
  EXPECT_THAT(std::string(bad.status().message()), Not(HasSubstr("secretish")));

  Write(std::string(64, 'a') + "\n", 0644);
  EXPECT_EQ(LoadOrCreateKeyFile("lookup key", path_, 32).status().code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_EQ(chmod(path_.c_str(), 0600), 0);
  auto good = LoadOrCreateKeyFile("lookup key", path_, 32);
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_EQ(*good, std::string(32, '\xaa'));
}

}  // namespace
}  // namespace ledger
}  // namespace vellum
