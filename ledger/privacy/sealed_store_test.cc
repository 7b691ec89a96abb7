#include "ledger/privacy/sealed_store.h"
#include "ledger/testing/file_bytes.h"

#include <sys/stat.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/privacy/commitment.h"

namespace vellum {
namespace ledger {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

const std::string kLookupKey(32, 'L');
const absl::Time kNow = absl::FromUnixSeconds(1790000000);

std::string TestDir() {
  return absl::StrCat(::testing::TempDir(), "/",
                      ::testing::UnitTest::GetInstance()->current_test_info()->name());
}


class SealedStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TestDir();
    auto store = SealedStore::Open(dir_, kLookupKey);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  SealedRef SealOne(const std::string& path, const std::string& subject,
                    const std::string& value) {
    auto refs = store_->Seal({SealRequest{path, subject, value}}, kNow);
    EXPECT_TRUE(refs.ok()) << refs.status();
    EXPECT_EQ(refs->size(), 1u);
    return refs->at(0);
  }

  std::string dir_;
  std::unique_ptr<SealedStore> store_;
};

TEST_F(SealedStoreTest, ASealedValueOpensAndMatchesItsCommitment) {
  SealedRef ref = SealOne("actor.subject", "alice@example.com", "alice@example.com");
  EXPECT_EQ(ref.path, "actor.subject");
  EXPECT_THAT(ref.pseudonym, StartsWith(kPseudonymPrefix));
  EXPECT_EQ(ref.pseudonym.size(), 4u + 32u);

  auto opened = store_->OpenValue(ref.commitment);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->value, "alice@example.com");
  EXPECT_EQ(opened->path, "actor.subject");
  EXPECT_EQ(opened->pseudonym, ref.pseudonym);
  EXPECT_EQ(opened->salt.size(), kCommitmentSaltSize);
  EXPECT_EQ(FieldCommitment(opened->salt, "actor.subject", "alice@example.com"), ref.commitment);
  EXPECT_NE(FieldCommitment(opened->salt, "context.user_agent", "alice@example.com"),
            ref.commitment);
}

TEST_F(SealedStoreTest, OneSubjectKeepsOnePseudonymAcrossSealsAndReopen) {
  auto refs = store_->Seal({SealRequest{"actor.subject", "alice", "alice"},
                            SealRequest{"context.source_ip", "alice", "192.0.2.7"},
                            SealRequest{"actor.subject", "bob", "bob"}},
                           kNow);
  ASSERT_TRUE(refs.ok()) << refs.status();
  ASSERT_EQ(refs->size(), 3u);
  EXPECT_EQ((*refs)[0].pseudonym, (*refs)[1].pseudonym);
  EXPECT_NE((*refs)[0].pseudonym, (*refs)[2].pseudonym);
  EXPECT_NE((*refs)[0].commitment, (*refs)[1].commitment);

  store_.reset();
  auto reopened = SealedStore::Open(dir_, kLookupKey);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  store_ = *std::move(reopened);
  EXPECT_EQ(SealOne("actor.subject", "alice", "alice").pseudonym, (*refs)[0].pseudonym);
  auto found = store_->FindPseudonym("bob");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(*found, (*refs)[2].pseudonym);
  auto count = store_->CountValues((*refs)[0].pseudonym);
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 3u);
}

TEST_F(SealedStoreTest, APseudonymDependsOnTheSubjectKeyNotOnlyOnTheServerKeys) {
  // Two stores with the same K_lookup give one subject different pseudonyms: the pseudonym is
  // derived from the random k_s, so the server's keys alone cannot recompute it.
  SealedRef here = SealOne("actor.subject", "alice", "alice");
  auto other = SealedStore::Open(dir_ + "-other", kLookupKey);
  ASSERT_TRUE(other.ok()) << other.status();
  auto there = (*other)->Seal({SealRequest{"actor.subject", "alice", "alice"}}, kNow);
  ASSERT_TRUE(there.ok()) << there.status();
  EXPECT_NE(here.pseudonym, (*there)[0].pseudonym);
}

TEST_F(SealedStoreTest, FindPseudonymCreatesNothing) {
  EXPECT_EQ(store_->FindPseudonym("nobody").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->FindPseudonym("nobody").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(SealedStoreTest, NoValueOrSubjectIsInAnyFileInClear) {
  SealOne("actor.subject", "carol.secret@example.com", "carol.secret@example.com");
  SealOne("context.user_agent", "carol.secret@example.com", "UniqueAgent/9.9");
  store_.reset();  // Closing flushes nothing new; the write-ahead log holds what was written.
  std::string files = AllFileBytes(dir_);
  EXPECT_FALSE(files.empty());
  EXPECT_THAT(files, Not(HasSubstr("carol.secret")));
  EXPECT_THAT(files, Not(HasSubstr("UniqueAgent")));
}

TEST_F(SealedStoreTest, ErasureRemovesTheKeyAndEveryValueFromEveryFile) {
  SealedRef a1 = SealOne("actor.subject", "alice", "alice");
  SealedRef a2 = SealOne("context.source_ip", "alice", "192.0.2.7");
  SealedRef b = SealOne("actor.subject", "bob", "bob");
  EXPECT_THAT(AllFileBytes(dir_), HasSubstr(a1.pseudonym));

  auto erased = store_->Erase(a1.pseudonym);
  ASSERT_TRUE(erased.ok()) << erased.status();
  EXPECT_EQ(*erased, 2u);
  EXPECT_EQ(store_->OpenValue(a1.commitment).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->OpenValue(a2.commitment).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->FindPseudonym("alice").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->Erase(a1.pseudonym).status().code(), absl::StatusCode::kNotFound);
  auto bob = store_->OpenValue(b.commitment);
  ASSERT_TRUE(bob.ok()) << bob.status();
  EXPECT_EQ(bob->value, "bob");

  // Every record of alice's holds her pseudonym (the key record, the pseudonym index, each
  // value and its owner entry), so no file keeping it means no file keeps any of them.
  store_.reset();
  std::string files = AllFileBytes(dir_);
  EXPECT_THAT(files, Not(HasSubstr(a1.pseudonym)));
  EXPECT_THAT(files, HasSubstr(b.pseudonym));

  // A new seal for the same subject after erasure gets a new key, so a new pseudonym.
  auto reopened = SealedStore::Open(dir_, kLookupKey);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  store_ = *std::move(reopened);
  EXPECT_NE(SealOne("actor.subject", "alice", "alice").pseudonym, a1.pseudonym);
}

TEST_F(SealedStoreTest, PurgeDropsTheValuesAndTheKeyWithTheLast) {
  SealedRef a1 = SealOne("actor.subject", "alice", "alice");
  SealedRef a2 = SealOne("outcome.reason", "alice", "free text");
  crypto::Sha256Digest absent{};
  auto purged = store_->Purge({a1.commitment, absent});
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(*purged, 1u);
  EXPECT_EQ(store_->OpenValue(a1.commitment).status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(store_->OpenValue(a2.commitment).ok());
  EXPECT_TRUE(store_->FindPseudonym("alice").ok());

  purged = store_->Purge({a2.commitment});
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(*purged, 1u);
  EXPECT_EQ(store_->FindPseudonym("alice").status().code(), absl::StatusCode::kNotFound);
  store_.reset();
  EXPECT_THAT(AllFileBytes(dir_), Not(HasSubstr(a1.pseudonym)));
}

TEST_F(SealedStoreTest, BadInputIsRefusedWithoutWritingOrEchoingTheValue) {
  const std::string big(SealedStore::kMaxValueBytes + 1, 'x');
  struct Case {
    SealRequest request;
    const char* want;
  };
  const std::vector<Case> cases = {
      {{"actor.subject", "", "v"}, "subject of 0 bytes"},
      {{"actor.subject", std::string(SealedStore::kMaxSubjectBytes + 1, 's'), "v"},
       "subject of 1025 bytes"},
      {{"", "alice", "v"}, "path of 0 bytes"},
      {{"outcome.reason", "alice", big}, "65537 bytes, want at most 65536"},
  };
  for (const Case& c : cases) {
    // The good value first: a refusal must leave it unwritten too.
    auto refs = store_->Seal({SealRequest{"actor.subject", "alice", "alice"}, c.request}, kNow);
    ASSERT_EQ(refs.status().code(), absl::StatusCode::kInvalidArgument) << c.want;
    EXPECT_THAT(std::string(refs.status().message()), HasSubstr(c.want));
    EXPECT_THAT(std::string(refs.status().message()), Not(HasSubstr("xxxx")));
    EXPECT_EQ(store_->FindPseudonym("alice").status().code(), absl::StatusCode::kNotFound);
  }
  // At the edge it is accepted.
  auto at_edge = store_->Seal(
      {SealRequest{"outcome.reason", std::string(SealedStore::kMaxSubjectBytes, 's'),
                   std::string(SealedStore::kMaxValueBytes, 'x')}},
      kNow);
  EXPECT_TRUE(at_edge.ok()) << at_edge.status();
  std::vector<SealRequest> many(SealedStore::kMaxValuesPerSeal + 1,
                                SealRequest{"actor.subject", "alice", "alice"});
  EXPECT_EQ(store_->Seal(many, kNow).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(SealedStoreOpenTest, RefusesAWrongSizedLookupKeyAndAnOpenDirectory) {
  EXPECT_EQ(SealedStore::Open(TestDir(), std::string(31, 'k')).status().code(),
            absl::StatusCode::kInvalidArgument);
  const std::string dir = TestDir() + "-open";
  ASSERT_EQ(mkdir(dir.c_str(), 0755), 0);
  auto store = SealedStore::Open(dir, kLookupKey);
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition) << store.status();
}

}  // namespace
}  // namespace ledger
}  // namespace vellum
