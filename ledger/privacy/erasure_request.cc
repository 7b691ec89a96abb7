#include "ledger/privacy/erasure_request.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "ledger/privacy/sealed_record.h"
#include "ledger/privacy/sealed_store.h"
#include "proof/utf8.h"

namespace vellum {
namespace ledger {
namespace {

absl::Status Invalid(absl::string_view path, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("erasure request: ", path, ": ", why));
}

}  // namespace

absl::Status CheckErasureNames(const std::vector<std::string>& subjects,
                               const std::vector<std::string>& pseudonyms) {
  const size_t count = subjects.size() + pseudonyms.size();
  if (count == 0) return Invalid("body", "name a subject or a pseudonym");
  if (count > kMaxErasureSubjects) {
    return Invalid("body", absl::StrCat(count, " subjects and pseudonyms, want at most ",
                                        kMaxErasureSubjects));
  }
  for (size_t i = 0; i < subjects.size(); ++i) {
    const std::string& s = subjects[i];
    if (s.empty() || s.size() > SealedStore::kMaxSubjectBytes) {
      return Invalid(absl::StrCat("subject[", i, "]"),
                     absl::StrCat(s.size(), " bytes, want 1 to ", SealedStore::kMaxSubjectBytes));
    }
    if (!IsValidUtf8(s)) return Invalid(absl::StrCat("subject[", i, "]"), "not valid UTF-8");
  }
  for (size_t i = 0; i < pseudonyms.size(); ++i) {
    if (!IsPseudonym(pseudonyms[i])) {
      return Invalid(absl::StrCat("pseudonym[", i, "]"),
                     absl::StrCat(pseudonyms[i].size(), " bytes, want \"", kPseudonymPrefix,
                                  "\" and 32 lower-case hex digits"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<ErasureRequest> ParseErasureRequest(absl::string_view json) {
  if (json.size() > kMaxErasureRequestBytes) {
    return Invalid("body", absl::StrCat(json.size(), " bytes, want at most ",
                                        kMaxErasureRequestBytes));
  }
  if (!IsValidUtf8(json)) return Invalid("body", "not valid UTF-8");
  ErasureRequest request;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  if (!google::protobuf::util::JsonStringToMessage(std::string(json), &request, options).ok()) {
    // The parser's message may quote the input, which names people: it is not passed on.
    return Invalid("body", "want a JSON object with the keys subject and pseudonym, each a "
                           "string or a list of strings");
  }
  absl::Status checked = CheckErasureNames(
      std::vector<std::string>(request.subject().begin(), request.subject().end()),
      std::vector<std::string>(request.pseudonym().begin(), request.pseudonym().end()));
  if (!checked.ok()) return checked;
  return request;
}

}  // namespace ledger
}  // namespace vellum
