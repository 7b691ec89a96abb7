#include "ledger/witness/witness_evidence.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace vellum {
namespace ledger {

std::string FormatWitnessEvidence(const WitnessEvidence& evidence) {
  return absl::StrCat(kWitnessEvidenceHeader, "\nwitness ", evidence.witness, "\ntime ",
                      evidence.time, "\nreason ",
                      absl::StrReplaceAll(evidence.reason, {{"\r", " "}, {"\n", " "}}),
                      "\nheld ", evidence.held.size(), "\n", evidence.held, "submitted ",
                      evidence.submitted.size(), "\n", evidence.submitted);
}

}  // namespace ledger
}  // namespace vellum
