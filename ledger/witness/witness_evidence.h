#ifndef VELLUM_LEDGER_WITNESS_WITNESS_EVIDENCE_H_
#define VELLUM_LEDGER_WITNESS_WITNESS_EVIDENCE_H_

// The evidence record a witness keeps when a log's signed checkpoint contradicts the one it
// holds (docs/witness.md, "Evidence"): everything a third party needs to check the refusal with
// the log's verifier key, and the witness's.
//
//   vellum.dev/witness-evidence@v1
//   witness <name>+<8 hex key id>     the witness's cosigner key
//   time <decimal>                    when it refused, POSIX seconds of the witness's clock
//   reason <one line>                 why it refused
//   held <decimal byte count>
//   <the checkpoint note it held, verbatim: the log's signature(s) and its cosignature>
//   submitted <decimal byte count>
//   <the add-checkpoint body it refused, verbatim: old line, proof lines, blank line, note>

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace vellum {
namespace ledger {

inline constexpr absl::string_view kWitnessEvidenceHeader = "vellum.dev/witness-evidence@v1";

struct WitnessEvidence {
  std::string witness;    // The cosigner key id.
  uint64_t time = 0;
  std::string reason;
  std::string held;       // The stored signed checkpoint note.
  std::string submitted;  // The add-checkpoint request body.
};

// The record's text, as above. Line breaks in `reason` become spaces.
std::string FormatWitnessEvidence(const WitnessEvidence& evidence);

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_WITNESS_WITNESS_EVIDENCE_H_
