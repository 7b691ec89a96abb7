#ifndef VELLUM_PROOF_ADD_CHECKPOINT_H_
#define VELLUM_PROOF_ADD_CHECKPOINT_H_

// The body of a c2sp.org/tlog-witness add-checkpoint request, which a log sends to a witness:
//
//   old <size>\n                 the size of the latest checkpoint the witness cosigned, in
//                                canonical decimal
//   <base64 hash>\n ...          0 to 63 lines, the consistency proof from that size
//   \n
//   <signed checkpoint note>     everything up to the end of the body
//
// The witness parses it (api/witness_service.h) and the log's collector writes it
// (api/witness_collector.h). When the old size is not the witness's, it answers 409 with the
// size it holds (Content-Type text/x.tlog.size), which the collector reads to try again.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "proof/hash.h"
#include "proof/note.h"

namespace vellum {

// The most consistency proof lines a body may hold.
inline constexpr size_t kMaxAddCheckpointProofLines = 63;

// The largest add-checkpoint body: the old size line, 63 proof lines and a note.
inline constexpr size_t kMaxAddCheckpointBytes = 32 + 63 * 45 + 1 + kMaxNoteSize;

struct AddCheckpointRequest {
  uint64_t old_size = 0;
  std::vector<Hash> proof;
  std::string checkpoint;  // The signed checkpoint note, not yet verified or parsed.
};

// Parses an add-checkpoint body. Fails with InvalidArgument when it is larger than
// kMaxAddCheckpointBytes, its first line is not "old <size>" in canonical decimal, a proof line
// is not a strict base64 hash, there are more than kMaxAddCheckpointProofLines of them, or no
// empty line ends them. The checkpoint after the empty line is returned as it is.
absl::StatusOr<AddCheckpointRequest> ParseAddCheckpoint(absl::string_view body);

// The body ParseAddCheckpoint reads back as `old_size`, `proof` and `checkpoint`, byte for byte.
std::string FormatAddCheckpoint(uint64_t old_size, absl::Span<const Hash> proof,
                                absl::string_view checkpoint);

// The body of the 409 answer: `size` in decimal and a newline.
std::string FormatTlogSize(uint64_t size);

// Reads a 409 answer's body: a canonical decimal, with or without the newline after it. Fails
// with InvalidArgument naming it "witness size".
absl::StatusOr<uint64_t> ParseTlogSize(absl::string_view body);

}  // namespace vellum

#endif  // VELLUM_PROOF_ADD_CHECKPOINT_H_
