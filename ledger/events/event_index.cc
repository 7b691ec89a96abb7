#include "ledger/events/event_index.h"

#include <algorithm>
#include <limits>
#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ledger/tile_reader.h"
#include "proof/big_endian.h"
#include "proof/tile.h"

namespace vellum {
namespace ledger {
namespace {

constexpr absl::string_view kPrefix = "i/ev/";
// Record tags: one key range per indexed field.
constexpr char kIdTag = 'd';
constexpr char kActorTag = 'a';
constexpr char kPrincipalTag = 'p';
constexpr char kModelTag = 'm';
constexpr char kModelVersionTag = 'v';
constexpr char kActionTag = 'c';
constexpr char kOutcomeTag = 'o';
constexpr char kEventTag = 'e';  // Every event, for searches without an equality filter.
constexpr char kTimeTag = 't';
constexpr size_t kMaxValueBytes = std::numeric_limits<uint16_t>::max();  // A 2-byte length.

// Signed microseconds, ordered as unsigned bytes.
uint64_t TimeKey(int64_t micros) { return static_cast<uint64_t>(micros) ^ (uint64_t{1} << 63); }

std::string TagPrefix(char tag) { return absl::StrCat(kPrefix, absl::string_view(&tag, 1)); }

void AppendString(absl::string_view value, std::string* out) {
  AppendBigEndian(value.size(), 2, out);
  out->append(value.data(), value.size());
}

std::string StringPrefix(char tag, absl::string_view value) {
  std::string prefix = TagPrefix(tag);
  AppendString(value, &prefix);
  return prefix;
}

std::string NumberPrefix(char tag, uint32_t value) {
  std::string prefix = TagPrefix(tag);
  AppendBigEndian(value, 4, &prefix);
  return prefix;
}

std::string IdPrefix(absl::string_view source, absl::string_view source_id) {
  std::string prefix = TagPrefix(kIdTag);
  AppendString(source, &prefix);
  AppendString(source_id, &prefix);
  return prefix;
}

std::string ModelVersionPrefix(absl::string_view model, absl::string_view version) {
  std::string prefix = TagPrefix(kModelVersionTag);
  AppendString(model, &prefix);
  AppendString(version, &prefix);
  return prefix;
}

std::string TimePrefix(int64_t micros) {
  std::string prefix = TagPrefix(kTimeTag);
  AppendBigEndian(TimeKey(micros), 8, &prefix);
  return prefix;
}

void PutRecord(std::string key, uint64_t index, IndexRecords* records) {
  AppendBigEndian(index, 8, &key);
  records->Put(key);
}

absl::Status IteratorStatus(const IndexIterator& it) {
  const absl::Status status = it.status();
  if (status.ok()) return status;
  return absl::Status(status.code(),
                      absl::StrCat("cannot search the event index: ", status.message()));
}

// One value's records: the sorted indices of the events that hold it.
class Posting {
 public:
  Posting(const IndexStore& store, std::string prefix)
      : it_(store.NewIterator()), prefix_(std::move(prefix)) {}

  // The smallest index >= i in the list, or nullopt.
  absl::StatusOr<absl::optional<uint64_t>> AtLeast(uint64_t i) {
    it_->Seek(Key(i));
    return Current();
  }

  // The largest index <= i in the list, or nullopt.
  absl::StatusOr<absl::optional<uint64_t>> AtMost(uint64_t i) {
    const std::string key = Key(i);
    it_->Seek(key);
    if (it_->Valid() && it_->key() == key) return i;
    if (it_->Valid()) {
      it_->Prev();
    } else {
      if (absl::Status status = IteratorStatus(*it_); !status.ok()) return status;
      it_->SeekToLast();
    }
    return Current();
  }

 private:
  std::string Key(uint64_t i) const {
    std::string key = prefix_;
    AppendBigEndian(i, 8, &key);
    return key;
  }

  absl::StatusOr<absl::optional<uint64_t>> Current() const {
    if (!it_->Valid()) {
      if (absl::Status status = IteratorStatus(*it_); !status.ok()) return status;
      return absl::optional<uint64_t>();
    }
    const absl::string_view key = it_->key();
    if (!absl::StartsWith(key, prefix_) || key.size() != prefix_.size() + 8) {
      return absl::optional<uint64_t>();
    }
    return ReadBigEndian(absl::string_view(key.data() + key.size() - 8, 8));
  }

  std::unique_ptr<IndexIterator> it_;
  const std::string prefix_;
};

// The first index whose logged time is at least `micros`, or nullopt if no indexed event's is.
absl::StatusOr<absl::optional<uint64_t>> FirstIndexAtTime(const IndexStore& store,
                                                          int64_t micros) {
  std::unique_ptr<IndexIterator> it = store.NewIterator();
  const std::string time_prefix = TagPrefix(kTimeTag);
  it->Seek(TimePrefix(micros));
  if (!it->Valid()) {
    if (absl::Status status = IteratorStatus(*it); !status.ok()) return status;
    return absl::optional<uint64_t>();
  }
  const absl::string_view key = it->key();
  if (!absl::StartsWith(key, time_prefix) || key.size() != time_prefix.size() + 16) {
    return absl::optional<uint64_t>();
  }
  return ReadBigEndian(absl::string_view(key.data() + key.size() - 8, 8));
}

}  // namespace

absl::Status EventIndex::Add(const CommittedLeaves& leaves, IndexRecords* records) {
  const uint64_t end = leaves.first + leaves.leaf_hashes.size();
  for (uint64_t index = leaves.first; index < end;) {
    const uint64_t bundle = index / kTileWidth;
    absl::StatusOr<std::vector<std::string>> entries =
        ReadBundleEntries(*leaves.log, bundle, leaves.tree_size);
    if (!entries.ok()) return entries.status();
    for (; index < end && index / kTileWidth == bundle; ++index) {
      absl::StatusOr<absl::optional<EventFields>> read =
          fields_(typed_from_, index, (*entries)[index % kTileWidth]);
      if (!read.ok()) return read.status();
      const absl::optional<EventFields>& fields = *read;
      if (!fields.has_value()) continue;
      PutRecord(TagPrefix(kEventTag), index, records);
      if (fields->source.size() <= kMaxValueBytes &&
          fields->source_id.size() <= kMaxValueBytes) {
        PutRecord(IdPrefix(fields->source, fields->source_id), index, records);
      }
      if (!fields->actor.empty() && fields->actor.size() <= kMaxValueBytes) {
        PutRecord(StringPrefix(kActorTag, fields->actor), index, records);
      }
      if (!fields->principal.empty() && fields->principal.size() <= kMaxValueBytes) {
        PutRecord(StringPrefix(kPrincipalTag, fields->principal), index, records);
      }
      if (!fields->model.empty() && fields->model.size() <= kMaxValueBytes) {
        PutRecord(StringPrefix(kModelTag, fields->model), index, records);
        if (!fields->version.empty() && fields->version.size() <= kMaxValueBytes) {
          PutRecord(ModelVersionPrefix(fields->model, fields->version), index, records);
        }
      }
      PutRecord(NumberPrefix(kActionTag, fields->action), index, records);
      PutRecord(NumberPrefix(kOutcomeTag, fields->outcome), index, records);
      if (fields->logged_time_micros.has_value()) {
        PutRecord(TimePrefix(*fields->logged_time_micros), index, records);
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<EventIndex::IdLookup> EventIndex::FindId(absl::string_view source,
                                                        absl::string_view source_id) const {
  IdLookup lookup;
  // Read first: every leaf below it is in the store before the seek.
  lookup.covered = store_->position();
  Posting posting(*store_, IdPrefix(source, source_id));
  absl::StatusOr<absl::optional<uint64_t>> index = posting.AtLeast(0);
  if (!index.ok()) return index.status();
  if (index->has_value() && **index < lookup.covered) lookup.index = **index;
  return lookup;
}

absl::StatusOr<EventIndex::Matches> EventIndex::Search(const EventQuery& query) const {
  if (query.version.has_value() && !query.model.has_value()) {
    return absl::InvalidArgumentError("a version filter needs a model filter");
  }
  if (query.limit == 0) return absl::InvalidArgumentError("limit is 0, want at least 1");
  Matches matches;
  matches.covered = store_->position();
  uint64_t begin = query.begin;
  uint64_t end = std::min(query.end, matches.covered);
  if (query.since_micros.has_value()) {
    absl::StatusOr<absl::optional<uint64_t>> first = FirstIndexAtTime(*store_, *query.since_micros);
    if (!first.ok()) return first.status();
    if (!first->has_value()) return matches;
    begin = std::max(begin, **first);
  }
  if (query.until_micros.has_value()) {
    absl::StatusOr<absl::optional<uint64_t>> past = FirstIndexAtTime(*store_, *query.until_micros);
    if (!past.ok()) return past.status();
    if (past->has_value()) end = std::min(end, **past);
  }
  if (begin >= end) return matches;

  std::vector<Posting> postings;
  if (query.actor.has_value()) postings.emplace_back(*store_, StringPrefix(kActorTag, *query.actor));
  if (query.principal.has_value()) {
    postings.emplace_back(*store_, StringPrefix(kPrincipalTag, *query.principal));
  }
  if (query.version.has_value()) {
    postings.emplace_back(*store_, ModelVersionPrefix(*query.model, *query.version));
  } else if (query.model.has_value()) {
    postings.emplace_back(*store_, StringPrefix(kModelTag, *query.model));
  }
  if (query.action.has_value()) postings.emplace_back(*store_, NumberPrefix(kActionTag, *query.action));
  if (query.outcome.has_value()) {
    postings.emplace_back(*store_, NumberPrefix(kOutcomeTag, *query.outcome));
  }
  if (postings.empty()) postings.emplace_back(*store_, TagPrefix(kEventTag));

  // Leapfrog join: move a candidate index through the lists until all of them hold it.
  const bool down = query.newest_first;
  uint64_t candidate = down ? end - 1 : begin;
  for (;;) {
    size_t agreed = 0;
    for (size_t i = 0; agreed < postings.size(); i = (i + 1) % postings.size()) {
      absl::StatusOr<absl::optional<uint64_t>> next =
          down ? postings[i].AtMost(candidate) : postings[i].AtLeast(candidate);
      if (!next.ok()) return next.status();
      if (!next->has_value() || (down ? **next < begin : **next >= end)) return matches;
      if (**next == candidate) {
        ++agreed;
      } else {
        candidate = **next;
        agreed = 1;
      }
    }
    if (matches.indices.size() == query.limit) {
      matches.more = true;
      return matches;
    }
    matches.indices.push_back(candidate);
    if (down ? candidate == begin : candidate + 1 == end) return matches;
    candidate = down ? candidate - 1 : candidate + 1;
  }
}

absl::StatusOr<absl::optional<int64_t>> EventIndex::LastLoggedTime() const {
  std::unique_ptr<IndexIterator> it = store_->NewIterator();
  const std::string time_prefix = TagPrefix(kTimeTag);
  it->Seek(TagPrefix(kTimeTag + 1));
  if (it->Valid()) {
    it->Prev();
  } else {
    if (absl::Status status = IteratorStatus(*it); !status.ok()) return status;
    it->SeekToLast();
  }
  if (!it->Valid()) {
    if (absl::Status status = IteratorStatus(*it); !status.ok()) return status;
    return absl::optional<int64_t>();
  }
  const absl::string_view key = it->key();
  if (!absl::StartsWith(key, time_prefix) || key.size() != time_prefix.size() + 16) {
    return absl::optional<int64_t>();
  }
  const uint64_t time_key =
      ReadBigEndian(absl::string_view(key.data() + time_prefix.size(), 8));
  return static_cast<int64_t>(time_key ^ (uint64_t{1} << 63));
}

}  // namespace ledger
}  // namespace vellum
