#include "ledger/witness/witness_evidence.h"

#include "gtest/gtest.h"

namespace vellum {
namespace ledger {
namespace {

TEST(WitnessEvidenceTest, CountsEachPartSoNotesWithBlankLinesStayApart) {
  WitnessEvidence evidence;
  evidence.witness = "w.example+0123abcd";
  evidence.time = 1700000000;
  evidence.reason = "two\nlines";
  evidence.held = "log\n5\nroot\n\n— log sig\n";
  evidence.submitted = "old 5\n\nlog\n6\nroot\n\n— log sig\n";
  EXPECT_EQ(FormatWitnessEvidence(evidence),
            "vellum.dev/witness-evidence@v1\n"
            "witness w.example+0123abcd\n"
            "time 1700000000\n"
            "reason two lines\n"
            "held 24\n"
            "log\n5\nroot\n\n— log sig\n"
            "submitted 31\n"
            "old 5\n\nlog\n6\nroot\n\n— log sig\n");
}

}  // namespace
}  // namespace ledger
}  // namespace vellum
