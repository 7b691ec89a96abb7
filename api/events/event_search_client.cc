#include "api/events/event_search_client.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "ledger/events/event_codec.h"
#include "proof/checkpoint.h"
#include "proof/hash.h"
#include "ledger/privacy/commitment.h"
#include "proof/verify.h"

namespace vellum {
namespace api {

absl::StatusOr<EventSearchResponse> ParseEventSearchResponse(absl::string_view json) {
  EventSearchResponse page;
  google::protobuf::util::JsonParseOptions options;
  if (!google::protobuf::util::JsonStringToMessage(std::string(json), &page, options).ok()) {
    return absl::InvalidArgumentError("the server's answer is not an EventSearchResponse");
  }
  return page;
}

absl::Status VerifyEventSearchResponse(const EventSearchResponse& page,
                                       const NoteVerifier& log_verifier) {
  absl::StatusOr<Checkpoint> checkpoint = OpenCheckpoint(page.checkpoint(), log_verifier);
  if (!checkpoint.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the answer's checkpoint: ", checkpoint.status().message()));
  }
  if (checkpoint->size != page.tree_size()) {
    return absl::InvalidArgumentError(absl::StrCat("the checkpoint has size ", checkpoint->size,
                                                   ", the answer says ", page.tree_size()));
  }
  for (const EventMatch& match : page.events()) {
    absl::StatusOr<std::string> entry = ledger::EncodeEntry(match.event());
    if (!entry.ok()) return entry.status();
    const Hash leaf_hash = HashLeaf(*entry);
    if (HashBytes(leaf_hash) != match.leaf_hash()) {
      return absl::InvalidArgumentError(
          absl::StrCat("event ", match.index(), ": its entry has leaf hash ",
                       HashToBase64(leaf_hash), ", the answer says another"));
    }
    std::vector<Hash> proof;
    for (const std::string& node : match.proof()) {
      absl::StatusOr<Hash> hash = HashFromBytes(node);
      if (!hash.ok()) return hash.status();
      proof.push_back(*hash);
    }
    if (absl::Status s =
            VerifyInclusion(match.index(), checkpoint->size, leaf_hash, proof, checkpoint->root);
        !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("event ", match.index(), ": ", s.message()));
    }
    if (absl::Status s = VerifyOpenedFields(match); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status VerifyOpenedFields(const EventMatch& match) {
  const ledger::AuditEvent& event = match.event();
  std::vector<bool> used(event.sealed_size(), false);
  for (const OpenedField& field : match.opened()) {
    const crypto::Sha256Digest commitment =
        ledger::FieldCommitment(field.salt(), field.path(), field.value());
    bool found = false;
    for (int i = 0; i < event.sealed_size() && !found; ++i) {
      const ledger::SealedField& item = event.sealed(i);
      if (used[i] || item.path() != field.path() || item.pseudonym() != field.pseudonym() ||
          item.commitment() != ledger::DigestBytes(commitment)) {
        continue;
      }
      used[i] = true;
      found = true;
    }
    if (!found) {
      return absl::InvalidArgumentError(absl::StrCat(
          "event ", match.index(), ": the opened value of ", field.path(),
          " does not match a commitment in the entry"));
    }
  }
  return absl::OkStatus();
}

}  // namespace api
}  // namespace vellum
