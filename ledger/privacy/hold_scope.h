#ifndef VELLUM_LEDGER_PRIVACY_HOLD_SCOPE_H_
#define VELLUM_LEDGER_PRIVACY_HOLD_SCOPE_H_

// Legal holds as data (docs/privacy.md, "Legal holds"): the request that places one, what a
// hold covers, and the set of holds in force.
//
// A hold covers an item (a sealed value of an event) when every part of its scope that is given
// matches: the event's model name matches one of the model globs, the value's subject is one of
// the subjects (compared as pseudonyms: the caller maps subject ids to pseudonyms first), and
// the event's logged time is in [since, until). Holds are a set: an item stays held while any
// hold covers it.

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ledger/events/audit_event.pb.h"

namespace vellum {
namespace ledger {

inline constexpr size_t kMaxHoldRequestBytes = 64 * 1024;
inline constexpr size_t kMaxHoldMatterBytes = 128;
inline constexpr size_t kMaxHoldReasonBytes = 2048;
inline constexpr size_t kMaxHoldModels = 64;
inline constexpr size_t kMaxHoldModelBytes = 256;
inline constexpr size_t kMaxHoldSubjects = 64;
inline constexpr size_t kMaxHoldSubjectBytes = 320;

// Parses the body of POST /v1/holds:
//   {"matter": "...", "reason": "...", "scope": {"models": [...], "subjects": [...],
//    "since": "<RFC 3339>", "until": "<RFC 3339>"}}
// matter (printable ASCII) and reason are required, scope and each of its parts optional; an id,
// an unknown key, a wrong type, an empty string or a value past its limit is InvalidArgument
// naming the key path and the sizes. Messages never repeat a subject (personal data). As
// everywhere protobuf's JSON parser reads a body, a lone string where a list is wanted is a list
// of one.
absl::StatusOr<Hold> ParseHoldRequest(absl::string_view json);

// One item a hold may cover.
struct HeldItem {
  absl::string_view model_name;
  absl::string_view subject_pseudonym;
  absl::Time logged_time;
};

bool HoldCovers(const HoldScope& scope, const HeldItem& item);

// The holds in force, by id. Not thread-safe: its owner serializes access.
class HoldSet {
 public:
  // AlreadyExists when a hold has the id.
  absl::Status Place(Hold hold);
  // NotFound when no hold has the id.
  absl::Status Release(absl::string_view id);
  // The ids of every hold that covers the item, in id order.
  std::vector<std::string> Covering(const HeldItem& item) const;
  // Every hold, in id order.
  std::vector<Hold> List() const;

 private:
  std::map<std::string, Hold, std::less<>> holds_;
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_PRIVACY_HOLD_SCOPE_H_
