#ifndef VELLUM_LEDGER_EVENTS_EVENT_INDEX_H_
#define VELLUM_LEDGER_EVENTS_EVENT_INDEX_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "ledger/index_follower.h"
#include "ledger/index_store.h"
#include "ledger/storage.h"

namespace vellum {
namespace ledger {

// The fields of one log entry that the event indexes record. The index does not read the event
// schema itself: an EventFieldsFn supplied by the caller (EventFieldsOn in
// ledger/events/event_fields.h) reads them from the entry's bytes.
struct EventFields {
  std::string source;     // The deduplication key: source and the source's id.
  std::string source_id;
  std::string actor;      // Not indexed when empty, as are principal, model and version.
  std::string principal;  // Who handed the event to the log (provenance.principal).
  std::string model;
  std::string version;
  uint32_t action = 0;
  uint32_t outcome = 0;
  // When the log sequenced the event, in microseconds since the Unix epoch; not indexed when
  // absent.
  absl::optional<int64_t> logged_time_micros;
};

// The fields of `entry`, log entry `index` of a log whose entries are typed from `typed_from` on,
// or nullopt for an entry that is not an event; an error stops the indexing (IndexFollower
// retries it). Must be thread-safe.
using EventFieldsFn = std::function<absl::StatusOr<absl::optional<EventFields>>(
    uint64_t typed_from, uint64_t index, absl::string_view entry)>;

// The names of the index sets for IndexStore::Options::indexes when an EventIndex is kept next
// to the leaf-hash index; a store built by another set is rebuilt. Version 2 honoured typed_from
// and recorded the principal. Version 3 records actors and principals that entries hold in clear
// by their pseudonyms (a log with a sealed store, vellumd) or, in the set named "clear", as they
// are (a log without one).
inline constexpr absl::string_view kLeafAndEventIndexes = "leaf event/3";
inline constexpr absl::string_view kLeafAndClearEventIndexes = "leaf event/3 clear";

// A search over the indexed events. Equality filters are combined with AND; the index range and
// the logged-time range narrow it further.
struct EventQuery {
  absl::optional<std::string> actor;
  absl::optional<std::string> principal;
  absl::optional<std::string> model;
  absl::optional<std::string> version;  // Requires model.
  absl::optional<uint32_t> action;
  absl::optional<uint32_t> outcome;
  // Logged time in [since, until), microseconds since the Unix epoch.
  absl::optional<int64_t> since_micros;
  absl::optional<int64_t> until_micros;
  // Only leaves in [begin, end) are searched (a page cursor, the tree size).
  uint64_t begin = 0;
  uint64_t end = UINT64_MAX;
  bool newest_first = true;
  // The most matches to return; at least 1.
  size_t limit = 100;
};

// The secondary indexes of the events in a log: the deduplication key, actor, principal, model,
// model and version, action, outcome and logged time, each mapping a value to the indices of the
// entries that hold it. Records are keys only, "i/ev/<tag><value><index:8 big-endian>", with string
// values prefixed by their 2-byte big-endian length, so a value's records are one key range in
// index order and nothing is stored that the log does not hold. Entries that are not events,
// among them every entry below the log's typed_from, are skipped. Fed by an IndexFollower; every answer says how many leaves it covers. Thread-safe.
//
// Logged time maps to an index range through the time records ("i/ev/t<time:8><index:8>"), which
// is exact when logged time never decreases along the log, as EventLog guarantees for the events it
// sequences; callers should check the events they read against the query.
class EventIndex : public DerivedIndex {
 public:
  // `store` must outlive the index; `typed_from` is the log's (LocalLog::typed_from()).
  EventIndex(const IndexStore* store, uint64_t typed_from, EventFieldsFn fields)
      : store_(store), typed_from_(typed_from), fields_(std::move(fields)) {}

  EventIndex(const EventIndex&) = delete;
  EventIndex& operator=(const EventIndex&) = delete;

  absl::Status Add(const CommittedLeaves& leaves, IndexRecords* records) override;

  // Leaves [0, covered()) are indexed.
  uint64_t covered() const { return store_->position(); }

  // The index from which the log's entries are typed: those below it are never events.
  uint64_t typed_from() const { return typed_from_; }

  // The fields the index records of `entry`, log entry `index` (its EventFieldsFn).
  absl::StatusOr<absl::optional<EventFields>> FieldsOf(uint64_t index,
                                                       absl::string_view entry) const {
    return fields_(typed_from_, index, entry);
  }

  struct IdLookup {
    // Leaves [0, covered) were searched.
    uint64_t covered = 0;
    // The smallest index of an event with the id below `covered`, if any.
    absl::optional<uint64_t> index;
  };
  absl::StatusOr<IdLookup> FindId(absl::string_view source, absl::string_view source_id) const;

  struct Matches {
    // Leaves [0, covered) were searched.
    uint64_t covered = 0;
    // Matching indices in the query's order, at most query.limit of them.
    std::vector<uint64_t> indices;
    // Whether more matches follow the last of `indices`.
    bool more = false;
  };
  // InvalidArgument if the query names a version without a model or has a limit of 0.
  absl::StatusOr<Matches> Search(const EventQuery& query) const;

  // The latest logged time among the indexed events, if any.
  absl::StatusOr<absl::optional<int64_t>> LastLoggedTime() const;

 private:
  const IndexStore* const store_;
  const uint64_t typed_from_;
  const EventFieldsFn fields_;
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_EVENTS_EVENT_INDEX_H_
