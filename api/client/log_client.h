#ifndef VELLUM_API_CLIENT_LOG_CLIENT_H_
#define VELLUM_API_CLIENT_LOG_CLIENT_H_

// Fetch-and-verify helpers for the clients of a log server (the `vellum` commands, the monitor):
// the signed checkpoint, inclusion and consistency proofs, and receipts on append. The tiles and
// entry bundles (c2sp.org/tlog-tiles) are read through HttpLogReader (http_log_reader.h), as a
// ledger::LogReader.
//
// Error codes tell the caller whom to blame:
//   Unavailable   the exchange failed: no connection, a timeout, or an HTTP status the request
//                 should not get (5xx, 401, 429, ...). Retrying may help. (`vellum` exits 2.)
//   anything else the log's answer fails verification: a bad signature (Unauthenticated), a
//                 malformed answer or proof (InvalidArgument, OutOfRange), data that differs from
//                 what the checkpoint commits to (DataLoss, with got/want values), or a resource
//                 the checkpoint commits to that the server does not serve (NotFound). (`vellum`
//                 exits 1.)

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "api/client/http_client.h"
#include "proof/checkpoint.h"
#include "proof/hash.h"
#include "proof/note.h"
#include "proof/receipt.h"

namespace vellum {
namespace api {

// Reads a log's resources by request target ("/checkpoint", "/tile/0/000", "/v1/log", ...).
class LogFetcher {
 public:
  virtual ~LogFetcher() = default;

  // Returns the body of a 200 answer to GET `target`. Fails with NotFound when the server
  // answers 404, and with Unavailable for a failed exchange or any other status (FetchError in
  // api/http.h); messages name the target and carry the server's message.
  virtual absl::StatusOr<std::string> Get(absl::string_view target) = 0;
};

// A LogFetcher over one keep-alive HTTP connection. Asks for binary protobuf answers from the
// dynamic endpoints. Thread-compatible.
class HttpLogFetcher : public LogFetcher {
 public:
  // `url` is the log's base URL, http://HOST:PORT[/PREFIX]. `options` bound the answers' size
  // and time.
  static absl::StatusOr<std::unique_ptr<HttpLogFetcher>> Create(
      absl::string_view url, const HttpClient::Options& options = {});

  absl::StatusOr<std::string> Get(absl::string_view target) override;

 private:
  explicit HttpLogFetcher(std::unique_ptr<HttpClient> client) : client_(std::move(client)) {}
  std::unique_ptr<HttpClient> client_;
};

// True for the errors of a failed exchange (code Unavailable), as opposed to a verification
// failure.
inline bool IsExchangeError(const absl::Status& status) { return absl::IsUnavailable(status); }

// A checkpoint whose signature by the log's key was checked, and its signed note verbatim.
struct VerifiedCheckpoint {
  Checkpoint checkpoint;
  std::string note;
};

// Fetches /checkpoint and opens it with `log_key` (see OpenCheckpoint). A 404 is Unavailable
// here: the URL is probably not a log's.
absl::StatusOr<VerifiedCheckpoint> FetchCheckpoint(LogFetcher& fetcher,
                                                   const NoteVerifier& log_key);

// Fetches /v1/log and returns the verifier key the server says it signs with. The key is not
// authenticated by anything: trusting it is trust on first use.
absl::StatusOr<std::string> FetchVerifierKey(LogFetcher& fetcher);

// Fetches the consistency proof from tree size `from` to `to` (/v1/proof/consistency, binary
// protobuf) without verifying it. InvalidArgument if the answer is malformed or names other
// sizes.
absl::StatusOr<std::vector<Hash>> FetchConsistencyProof(LogFetcher& fetcher, uint64_t from,
                                                        uint64_t to);

// An entry proved to be in a verified checkpoint's tree.
struct ProvedEntry {
  uint64_t index = 0;
  uint64_t tree_size = 0;
  std::string entry;
  Hash leaf_hash{};
  std::vector<Hash> proof;
  Hash root{};
};

// Parses an InclusionProof answer (binary protobuf, api/log.proto) for leaf `index`, with hash
// `leaf_hash`, of the tree of `size` leaves, without verifying the proof: it must name that index
// and size, and that leaf hash if it names one. InvalidArgument otherwise.
absl::StatusOr<std::vector<Hash>> ParseInclusionAnswer(uint64_t index, uint64_t size,
                                                       const Hash& leaf_hash,
                                                       absl::string_view answer);

// Checks an InclusionProof answer (binary protobuf, api/log.proto) for leaf `index` of
// `checkpoint`'s tree, whose entry is `entry`: it must name that index and size, and its proof
// must lead from HashLeaf(entry) to the checkpoint's root (RFC 6962, proof/verify.h).
absl::StatusOr<ProvedEntry> VerifyInclusionAnswer(const Checkpoint& checkpoint, uint64_t index,
                                                  absl::string_view entry,
                                                  absl::string_view proof_answer);

// Fetches entry `index` (/v1/entries/<index>) and its inclusion proof for the checkpoint's tree
// size (/v1/proof/inclusion), and verifies them as VerifyInclusionAnswer does. Fails with
// OutOfRange, fetching nothing, unless index < checkpoint.size.
absl::StatusOr<ProvedEntry> FetchAndVerifyInclusion(LogFetcher& fetcher,
                                                    const Checkpoint& checkpoint, uint64_t index);

// Checks the JSON answer of POST /v1/entries?receipt=1 (an AppendResponse) for `entry`: the
// leaf hash is HashLeaf(entry), and the receipt parses, names the answer's index, is signed by
// `log_key` and proves the entry's inclusion. Returns the receipt.
absl::StatusOr<Receipt> VerifyAppendAnswer(absl::string_view json_answer, absl::string_view entry,
                                           const NoteVerifier& log_key);

}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_CLIENT_LOG_CLIENT_H_
