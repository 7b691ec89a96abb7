#include "ledger/privacy/hold_scope.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "ledger/events/event_codec.h"
#include "ledger/identity/policy.h"
#include "proof/utf8.h"

namespace vellum {
namespace ledger {
namespace {

absl::Status Invalid(absl::string_view path, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("hold request: ", path, ": ", why));
}

absl::Status CheckText(absl::string_view path, const std::string& text, size_t max_bytes) {
  if (text.empty() || text.size() > max_bytes) {
    return Invalid(path, absl::StrCat(text.size(), " bytes, want 1 to ", max_bytes));
  }
  if (!IsValidUtf8(text)) return Invalid(path, "not valid UTF-8");
  return absl::OkStatus();
}

absl::Status CheckList(absl::string_view path,
                       const google::protobuf::RepeatedPtrField<std::string>& list,
                       size_t max_items, size_t max_bytes) {
  if (static_cast<size_t>(list.size()) > max_items) {
    return Invalid(path, absl::StrCat(list.size(), " items, want at most ", max_items));
  }
  for (int i = 0; i < list.size(); ++i) {
    absl::Status status = CheckText(absl::StrCat(path, "[", i, "]"), list[i], max_bytes);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Hold> ParseHoldRequest(absl::string_view json) {
  if (json.size() > kMaxHoldRequestBytes) {
    return Invalid("body", absl::StrCat(json.size(), " bytes, want at most ",
                                        kMaxHoldRequestBytes));
  }
  if (!IsValidUtf8(json)) return Invalid("body", "not valid UTF-8");
  Hold hold;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  if (!google::protobuf::util::JsonStringToMessage(std::string(json), &hold, options).ok()) {
    // The parser's own message may quote the input, which may hold subjects: it is not passed on.
  // The parser also refuses timestamps that are not RFC 3339 or outside years 1 to 9999.
    return Invalid("body", "want a JSON object with the keys matter, reason and scope (models, "
                           "subjects, since, until) and values of their types");
  }
  if (!hold.id().empty()) return Invalid("id", "given by the server: leave it out");
  absl::Status status = CheckText("matter", hold.matter(), kMaxHoldMatterBytes);
  if (!status.ok()) return status;
  for (char c : hold.matter()) {
    if (c < 0x20 || c > 0x7e) return Invalid("matter", "want printable ASCII");
  }
  status = CheckText("reason", hold.reason(), kMaxHoldReasonBytes);
  if (!status.ok()) return status;
  const HoldScope& scope = hold.scope();
  status = CheckList("scope.models", scope.models(), kMaxHoldModels, kMaxHoldModelBytes);
  if (!status.ok()) return status;
  status = CheckList("scope.subjects", scope.subjects(), kMaxHoldSubjects, kMaxHoldSubjectBytes);
  if (!status.ok()) return status;
  if (scope.has_since() && scope.has_until() &&
      FromProtoTime(scope.since()) >= FromProtoTime(scope.until())) {
    return Invalid("scope", "since is not before until");
  }
  return hold;
}

bool HoldCovers(const HoldScope& scope, const HeldItem& item) {
  if (scope.models_size() != 0) {
    bool matched = false;
    for (const std::string& glob : scope.models()) {
      if (identity::GlobMatch(glob, item.model_name)) matched = true;
    }
    if (!matched) return false;
  }
  if (scope.subjects_size() != 0) {
    bool matched = false;
    for (const std::string& subject : scope.subjects()) {
      if (subject == item.subject_pseudonym) matched = true;
    }
    if (!matched) return false;
  }
  if (scope.has_since() && item.logged_time < FromProtoTime(scope.since())) return false;
  if (scope.has_until() && item.logged_time >= FromProtoTime(scope.until())) return false;
  return true;
}

absl::Status HoldSet::Place(Hold hold) {
  if (holds_.count(hold.id()) != 0) {
    return absl::AlreadyExistsError(absl::StrCat("a hold with id ", hold.id(), " is in force"));
  }
  std::string id = hold.id();
  holds_.emplace(std::move(id), std::move(hold));
  return absl::OkStatus();
}

absl::Status HoldSet::Release(absl::string_view id) {
  auto it = holds_.find(id);
  if (it == holds_.end()) {
    return absl::NotFoundError(absl::StrCat("no hold with id ", id, " is in force"));
  }
  holds_.erase(it);
  return absl::OkStatus();
}

std::vector<std::string> HoldSet::Covering(const HeldItem& item) const {
  std::vector<std::string> ids;
  for (const auto& [id, hold] : holds_) {
    if (HoldCovers(hold.scope(), item)) ids.push_back(id);
  }
  return ids;
}

std::vector<Hold> HoldSet::List() const {
  std::vector<Hold> holds;
  for (const auto& entry : holds_) holds.push_back(entry.second);
  return holds;
}

}  // namespace ledger
}  // namespace vellum
