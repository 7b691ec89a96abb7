#include "ledger/events/event_index.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "ledger/index_follower.h"
#include "ledger/leveldb_index_store.h"
#include "ledger/leveldb_storage.h"
#include "ledger/sequencer.h"
#include "ledger/testing/test_log.h"
#include "leveldb/env.h"
#include "leveldb/helpers/memenv.h"

namespace vellum {
namespace ledger {
namespace {

constexpr absl::Duration kWait = absl::Seconds(30);

// Test entries: "ev|source|source_id|actor|model|version|action|outcome|micros[|principal]" are
// events (an empty micros field leaves the logged time out); anything else is not.
absl::optional<EventFields> TestFields(uint64_t, uint64_t, absl::string_view entry) {
  std::vector<std::string> parts = absl::StrSplit(entry, '|');
  if ((parts.size() != 9 && parts.size() != 10) || parts[0] != "ev") return absl::nullopt;
  EventFields fields;
  fields.source = parts[1];
  fields.source_id = parts[2];
  fields.actor = parts[3];
  if (parts.size() == 10) fields.principal = parts[9];
  fields.model = parts[4];
  fields.version = parts[5];
  if (!absl::SimpleAtoi(parts[6], &fields.action) || !absl::SimpleAtoi(parts[7], &fields.outcome)) {
    return absl::nullopt;
  }
  int64_t micros;
  if (absl::SimpleAtoi(parts[8], &micros)) fields.logged_time_micros = micros;
  return fields;
}

class EventIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.reset(leveldb::NewMemEnv(leveldb::Env::Default()));
    signer_ = NewTestSigner("example.com/events");
    Open(/*rebuild=*/false);
  }
  void TearDown() override { Close(); }

  void Open(bool rebuild) {
    LevelDbStorage::Options log_options;
    log_options.env = env_.get();
    auto storage = LevelDbStorage::Open("/log", log_options);
    ASSERT_TRUE(storage.ok()) << storage.status();
    storage_ = *std::move(storage);
    LevelDbIndexStore::Options store_options;
    store_options.env = env_.get();
    store_options.indexes = std::string(kLeafAndClearEventIndexes);
    store_options.rebuild = rebuild;
    auto store = LevelDbIndexStore::Open("/index", storage_->ReadCheckpoint()->first, store_options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    index_ = std::make_unique<EventIndex>(store_.get(), 0, TestFields);
    IndexFollower::Options follower_options;
    follower_options.max_leaves_per_write = 300;  // Several writes, across bundles.
    auto follower = IndexFollower::Start(storage_.get(), store_.get(), {index_.get()},
                                         follower_options);
    ASSERT_TRUE(follower.ok()) << follower.status();
    follower_ = *std::move(follower);
    SequencerOptions options;
    options.on_commit = [follower = follower_.get()](uint64_t size) { follower->Notify(size); };
    auto sequencer = Sequencer::Create(storage_.get(), signer_.get(), options);
    ASSERT_TRUE(sequencer.ok()) << sequencer.status();
    sequencer_ = *std::move(sequencer);
  }

  void Close() {
    sequencer_.reset();
    follower_.reset();
    index_.reset();
    store_.reset();
    storage_.reset();
  }

  void Append(std::vector<std::string> entries) {
    auto appended = sequencer_->Append(std::move(entries));
    ASSERT_TRUE(appended.ok()) << appended.status();
    ASSERT_TRUE(follower_->WaitFor(sequencer_->Head()->size, kWait));
  }

  std::unique_ptr<leveldb::Env> env_;
  std::unique_ptr<NoteSigner> signer_;
  std::unique_ptr<LevelDbStorage> storage_;
  std::unique_ptr<IndexStore> store_;
  std::unique_ptr<EventIndex> index_;
  std::unique_ptr<IndexFollower> follower_;
  std::unique_ptr<Sequencer> sequencer_;
};

// A random log of events and opaque entries, and what the index should answer about it.
struct Model {
  std::vector<absl::optional<EventFields>> entries;

  bool Matches(uint64_t i, const EventQuery& q) const {
    const absl::optional<EventFields>& f = entries[i];
    if (!f.has_value() || i < q.begin || i >= q.end) return false;
    if (q.actor.has_value() && f->actor != *q.actor) return false;
    if (q.principal.has_value() && f->principal != *q.principal) return false;
    if (q.model.has_value() && f->model != *q.model) return false;
    if (q.version.has_value() && f->version != *q.version) return false;
    if (q.action.has_value() && f->action != *q.action) return false;
    if (q.outcome.has_value() && f->outcome != *q.outcome) return false;
    if (q.since_micros.has_value() &&
        !(f->logged_time_micros.has_value() && *f->logged_time_micros >= *q.since_micros)) {
      return false;
    }
    if (q.until_micros.has_value() &&
        !(f->logged_time_micros.has_value() && *f->logged_time_micros < *q.until_micros)) {
      return false;
    }
    return true;
  }

  std::vector<uint64_t> All(const EventQuery& q) const {
    std::vector<uint64_t> out;
    for (uint64_t i = 0; i < entries.size(); ++i) {
      if (Matches(i, q)) out.push_back(i);
    }
    if (q.newest_first) std::reverse(out.begin(), out.end());
    return out;
  }
};

TEST_F(EventIndexTest, SearchMatchesBruteForceWithPaging) {
  // A failure names its seed; VELLUM_TEST_SEED=<seed> (bazel test --test_env) replays it.
  const char* fixed = std::getenv("VELLUM_TEST_SEED");
  const uint32_t seed =
      fixed != nullptr ? static_cast<uint32_t>(std::strtoul(fixed, nullptr, 10))
                       : std::random_device()();
  std::cout << "seed " << seed << "\n";
  std::mt19937 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % n); };
  const std::vector<std::string> actors = {"", "alice", "bob", "system:serviceaccount:ci"};
  const std::vector<std::string> models = {"", "fraud", "churn", "fraud-v2"};
  Model model;
  int64_t micros = -5000;  // Before the epoch, too: times order as signed numbers.
  for (int batch = 0; batch < 12; ++batch) {
    std::vector<std::string> entries;
    for (int i = pick(150) + 1; i > 0; --i) {
      if (pick(5) == 0) {
        entries.push_back(absl::StrCat("opaque ", model.entries.size()));
        model.entries.push_back(absl::nullopt);
        continue;
      }
      EventFields f;
      f.source = pick(2) ? "mlflow" : "k8s-audit";
      f.source_id = absl::StrCat("id-", pick(400));
      f.actor = actors[pick(actors.size())];
      f.principal = actors[pick(actors.size())];
      f.model = models[pick(models.size())];
      f.version = f.model.empty() ? "" : absl::StrCat(pick(3));
      f.action = pick(4) + 1;
      f.outcome = pick(3) + 1;
      micros += pick(3);  // Non-decreasing, with ties.
      f.logged_time_micros = micros;
      entries.push_back(absl::StrCat("ev|", f.source, "|", f.source_id, "|", f.actor, "|", f.model,
                                     "|", f.version, "|", f.action, "|", f.outcome, "|", micros, "|",
                                     f.principal));
      model.entries.push_back(f);
    }
    Append(std::move(entries));
  }
  const uint64_t size = model.entries.size();
  ASSERT_EQ(index_->covered(), size);

  for (int round = 0; round < 400; ++round) {
    EventQuery q;
    // Empty strings are not indexed (the service refuses empty filters).
    if (pick(3) == 0) q.actor = actors[1 + pick(actors.size() - 1)];
    if (pick(3) == 0) q.principal = actors[1 + pick(actors.size() - 1)];
    if (pick(2) == 0) {
      q.model = models[1 + pick(models.size() - 1)];
      if (pick(2) == 0) q.version = absl::StrCat(pick(3));
    }
    if (pick(3) == 0) q.action = pick(5);
    if (pick(3) == 0) q.outcome = pick(4);
    if (pick(4) == 0) q.since_micros = -5000 + pick(3 * size);
    if (pick(4) == 0) q.until_micros = -5000 + pick(3 * size);
    q.newest_first = pick(2) == 0;
    q.limit = pick(40) + 1;
    SCOPED_TRACE(absl::StrCat("round ", round));
    const std::vector<uint64_t> want = model.All(q);
    // Page through, as the service does: each page continues past the previous one's last index.
    std::vector<uint64_t> got;
    // Every page but the last holds at least one match: at most size + 1 pages.
    for (uint64_t page = 0; page <= size; ++page) {
      auto matches = index_->Search(q);
      ASSERT_TRUE(matches.ok()) << matches.status();
      EXPECT_EQ(matches->covered, size);
      EXPECT_LE(matches->indices.size(), q.limit);
      got.insert(got.end(), matches->indices.begin(), matches->indices.end());
      if (!matches->more) break;
      ASSERT_FALSE(matches->indices.empty());
      if (q.newest_first) {
        q.end = matches->indices.back();
      } else {
        q.begin = matches->indices.back() + 1;
      }
    }
    EXPECT_EQ(got, want);
  }
}

TEST_F(EventIndexTest, FindIdGivesTheFirstIndexAndSaysWhatItCovers) {
  Append({"ev|mlflow|d1|||m|1|1|5", "opaque", "ev|mlflow|d2|||m|1|1|6", "ev|mlflow|d1|||m|1|1|7"});
  auto found = index_->FindId("mlflow", "d1");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->covered, 4u);
  EXPECT_EQ(found->index, 0u);
  // The source is part of the key, and a source id that is a prefix of another is its own key.
  for (auto [source, id] : {std::pair<const char*, const char*>{"github", "d1"}, {"mlflow", "d"},
                            {"mlflo", "wd1"}}) {
    auto missing = index_->FindId(source, id);
    ASSERT_TRUE(missing.ok()) << missing.status();
    EXPECT_FALSE(missing->index.has_value()) << source << " " << id;
  }
  auto last = index_->LastLoggedTime();
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_EQ(*last, 7);
}

TEST_F(EventIndexTest, RebuiltFromTheLogAnswersTheSame) {
  std::vector<std::string> entries;
  for (int i = 0; i < 600; ++i) {
    entries.push_back(absl::StrCat("ev|cloudevents|", i, "|svc-", i % 7, "|model-", i % 5, "|",
                                   i % 3, "|11|1|", 1000 + i));
  }
  Append(entries);
  EventQuery q;
  q.actor = "svc-3";
  q.model = "model-2";
  q.limit = 1000;
  auto before = index_->Search(q);
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_EQ(before->indices.size(), 17u);  // i = 17 (mod 35)
  Close();
  Open(/*rebuild=*/true);
  ASSERT_TRUE(follower_->WaitFor(600, kWait));
  auto after = index_->Search(q);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->indices, before->indices);
}

TEST_F(EventIndexTest, RefusesAVersionWithoutAModelAndAZeroLimit) {
  EventQuery q;
  q.version = "1";
  EXPECT_EQ(index_->Search(q).status(),
            absl::InvalidArgumentError("a version filter needs a model filter"));
  EventQuery zero;
  zero.limit = 0;
  EXPECT_EQ(index_->Search(zero).status(),
            absl::InvalidArgumentError("limit is 0, want at least 1"));
}

}  // namespace
}  // namespace ledger
}  // namespace vellum
