#include "api/client/log_client.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "api/log.pb.h"
#include "api/message_codec.h"
#include "google/protobuf/util/json_util.h"
#include "proof/verify.h"

namespace vellum {
namespace api {
namespace {

// Returns `bytes` as a hash, or InvalidArgument naming `what`.
absl::StatusOr<Hash> AnswerHash(absl::string_view bytes, absl::string_view what) {
  absl::StatusOr<Hash> hash = HashFromBytes(bytes);
  if (!hash.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": ", hash.status().message()));
  }
  return hash;
}

}  // namespace

absl::StatusOr<std::unique_ptr<HttpLogFetcher>> HttpLogFetcher::Create(
    absl::string_view url, const HttpClient::Options& options) {
  absl::StatusOr<std::unique_ptr<HttpClient>> client = HttpClient::Create(url, options);
  if (!client.ok()) return client.status();
  return std::unique_ptr<HttpLogFetcher>(new HttpLogFetcher(*std::move(client)));
}

absl::StatusOr<std::string> HttpLogFetcher::Get(absl::string_view target) {
  absl::StatusOr<HttpResponse> response =
      client_->Send("GET", target, "", {{"Accept", kProtobufType}});
  if (!response.ok()) return response.status();
  if (response->status != 200) return FetchError(target, *response);
  return std::move(response->body);
}

absl::StatusOr<VerifiedCheckpoint> FetchCheckpoint(LogFetcher& fetcher,
                                                   const NoteVerifier& log_key) {
  absl::StatusOr<std::string> note = fetcher.Get("/checkpoint");
  if (absl::IsNotFound(note.status())) {
    return absl::UnavailableError(
        absl::StrCat(note.status().message(), " (is the URL the log's?)"));
  }
  if (!note.ok()) return note.status();
  absl::StatusOr<Checkpoint> checkpoint = OpenCheckpoint(*note, log_key);
  if (!checkpoint.ok()) {
    return absl::Status(checkpoint.status().code(),
                        absl::StrCat("checkpoint: ", checkpoint.status().message()));
  }
  return VerifiedCheckpoint{*std::move(checkpoint), *std::move(note)};
}

absl::StatusOr<std::string> FetchVerifierKey(LogFetcher& fetcher) {
  absl::StatusOr<std::string> answer = fetcher.Get("/v1/log");
  if (absl::IsNotFound(answer.status())) return absl::UnavailableError(answer.status().message());
  if (!answer.ok()) return answer.status();
  LogInfo info;
  if (!info.ParseFromString(*answer) || info.verifier_key().empty()) {
    return absl::InvalidArgumentError("GET /v1/log: the answer is not a LogInfo with a key");
  }
  return info.verifier_key();
}

absl::StatusOr<std::vector<Hash>> FetchConsistencyProof(LogFetcher& fetcher, uint64_t from,
                                                        uint64_t to) {
  absl::StatusOr<std::string> answer =
      fetcher.Get(absl::StrCat("/v1/proof/consistency?from=", from, "&to=", to));
  if (!answer.ok()) return answer.status();
  ConsistencyProof message;
  if (!message.ParseFromArray(answer->data(), static_cast<int>(answer->size()))) {
    return absl::InvalidArgumentError("the consistency proof answer is not a ConsistencyProof");
  }
  if (message.from() != from || message.to() != to) {
    return absl::InvalidArgumentError(absl::StrCat("the consistency proof is from size ",
                                                   message.from(), " to ", message.to(),
                                                   ", want from ", from, " to ", to));
  }
  std::vector<Hash> proof;
  for (int i = 0; i < message.proof_size(); ++i) {
    absl::StatusOr<Hash> hash =
        AnswerHash(message.proof(i), absl::StrCat("consistency proof hash ", i));
    if (!hash.ok()) return hash.status();
    proof.push_back(*hash);
  }
  return proof;
}

absl::StatusOr<std::vector<Hash>> ParseInclusionAnswer(uint64_t index, uint64_t size,
                                                       const Hash& leaf_hash,
                                                       absl::string_view answer) {
  InclusionProof message;
  if (!message.ParseFromArray(answer.data(), static_cast<int>(answer.size()))) {
    return absl::InvalidArgumentError("the inclusion proof answer is not an InclusionProof");
  }
  if (message.index() != index || message.tree_size() != size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the inclusion proof is for index ", message.index(), " in tree size ",
        message.tree_size(), ", want index ", index, " in tree size ", size));
  }
  if (!message.leaf_hash().empty() && message.leaf_hash() != HashBytes(leaf_hash)) {
    return absl::InvalidArgumentError("the inclusion proof names another leaf hash");
  }
  std::vector<Hash> proof;
  for (int i = 0; i < message.proof_size(); ++i) {
    absl::StatusOr<Hash> hash = AnswerHash(message.proof(i), absl::StrCat("proof hash ", i));
    if (!hash.ok()) return hash.status();
    proof.push_back(*hash);
  }
  return proof;
}

absl::StatusOr<ProvedEntry> VerifyInclusionAnswer(const Checkpoint& checkpoint, uint64_t index,
                                                  absl::string_view entry,
                                                  absl::string_view proof_answer) {
  ProvedEntry proved;
  proved.index = index;
  proved.tree_size = checkpoint.size;
  proved.entry = std::string(entry);
  proved.leaf_hash = HashLeaf(entry);
  proved.root = checkpoint.root;
  absl::StatusOr<std::vector<Hash>> proof =
      ParseInclusionAnswer(index, checkpoint.size, proved.leaf_hash, proof_answer);
  if (!proof.ok()) return proof.status();
  proved.proof = *std::move(proof);
  absl::Status status =
      VerifyInclusion(index, checkpoint.size, proved.leaf_hash, proved.proof, checkpoint.root);
  if (!status.ok()) {
    return absl::Status(status.code(), absl::StrCat("inclusion proof of entry ", index, ": ",
                                                    status.message()));
  }
  return proved;
}

absl::StatusOr<ProvedEntry> FetchAndVerifyInclusion(LogFetcher& fetcher,
                                                    const Checkpoint& checkpoint,
                                                    uint64_t index) {
  if (index >= checkpoint.size) {
    return absl::OutOfRangeError(
        absl::StrCat("index ", index, " is past the checkpoint's tree size ", checkpoint.size));
  }
  absl::StatusOr<std::string> entry = fetcher.Get(absl::StrCat("/v1/entries/", index));
  if (!entry.ok()) return entry.status();
  absl::StatusOr<std::string> answer = fetcher.Get(
      absl::StrCat("/v1/proof/inclusion?index=", index, "&size=", checkpoint.size));
  if (!answer.ok()) return answer.status();
  return VerifyInclusionAnswer(checkpoint, index, *entry, *answer);
}

absl::StatusOr<Receipt> VerifyAppendAnswer(absl::string_view json_answer, absl::string_view entry,
                                           const NoteVerifier& log_key) {
  AppendResponse message;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  auto parsed = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json_answer.data(), json_answer.size()), &message, options);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the answer is not an AppendResponse: ", parsed.message().as_string()));
  }
  const Hash leaf_hash = HashLeaf(entry);
  if (message.leaf_hash() != HashBytes(leaf_hash)) {
    absl::StatusOr<Hash> got = AnswerHash(message.leaf_hash(), "leafHash");
    return absl::InvalidArgumentError(
        absl::StrCat("leafHash: got ", got.ok() ? HashToBase64(*got) : "a malformed hash",
                     ", want ", HashToBase64(leaf_hash)));
  }
  if (message.receipt().empty()) return absl::InvalidArgumentError("the answer has no receipt");
  absl::StatusOr<Receipt> receipt = ParseReceipt(message.receipt());
  if (!receipt.ok()) {
    return absl::Status(receipt.status().code(),
                        absl::StrCat("receipt: ", receipt.status().message()));
  }
  if (receipt->index != message.index()) {
    return absl::InvalidArgumentError(absl::StrCat("receipt index: got ", receipt->index,
                                                   ", want the answer's ", message.index()));
  }
  absl::Status status = VerifyReceipt(*receipt, entry, log_key);
  if (!status.ok()) return status;
  absl::StatusOr<Checkpoint> checkpoint = OpenCheckpoint(receipt->checkpoint, log_key);
  if (!checkpoint.ok()) return checkpoint.status();
  if (checkpoint->size != message.tree_size()) {
    return absl::InvalidArgumentError(absl::StrCat("receipt tree size: got ", checkpoint->size,
                                                   ", want the answer's ", message.tree_size()));
  }
  return receipt;
}

}  // namespace api
}  // namespace vellum
