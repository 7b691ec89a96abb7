// Drives api::WitnessService, the witness's add-checkpoint endpoint, over a real
// ledger::LevelDbWitnessStore in a temporary directory. The first byte picks the mode:
//   0     the rest is the raw request body;
//   else  a structured request: the next bytes choose one of two trees that share no leaves (the
//         log and a fork of it, both signed with the log's key), the old and new sizes (0..256),
//         a damage to the consistency proof, and whether a stranger's key signs instead.
//
// Invariants checked on every request:
//   * the status is one the spec gives (200, 400, 403, 404, 409, 422) or 405 for a wrong method;
//     errors other than 409 have the one-line JSON shape of every Vellum error;
//   * 409 answers are text/x.tlog.size with the stored size and a newline;
//   * a refused request leaves the stored checkpoint as it was;
//   * a 200 answer is one cosignature line that verifies for the submitted checkpoint, and the
//     witness never cosigns two trees: once it has cosigned a non-empty tree, every later
//     cosignature is for the same tree, and no size is ever cosigned with two roots.

#include <stdlib.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "api/http.h"
#include "api/witness_service.h"
#include "fuzz/fuzz_checks.h"
#include "ledger/witness/witness.h"
#include "proof/add_checkpoint.h"
#include "proof/checkpoint.h"
#include "proof/compact_range.h"
#include "proof/hash.h"
#include "proof/note.h"
#include "proof/proof_nodes.h"

namespace vellum {
namespace fuzz {
namespace {

constexpr char kOrigin[] = "fuzz.test/log";
constexpr uint64_t kMaxSize = 256;

// A tree of kMaxSize leaves kept whole in memory: its roots at every size and its nodes.
class Tree : public NodeReader {
 public:
  explicit Tree(absl::string_view tag) {
    CompactRange range;
    roots_.push_back(range.Root());
    for (uint64_t i = 0; i < kMaxSize; ++i) {
      range.Append(HashLeaf(absl::StrCat(tag, " entry ", i)),
                   [this](NodeId id, const Hash& hash) { nodes_[id] = hash; });
      roots_.push_back(range.Root());
    }
  }

  const Hash& Root(uint64_t size) const { return roots_[size]; }

  absl::StatusOr<std::vector<Hash>> ReadNodes(absl::Span<const NodeId> ids) override {
    std::vector<Hash> out;
    for (const NodeId& id : ids) out.push_back(nodes_.at(id));
    return out;
  }

 private:
  std::vector<Hash> roots_;
  std::map<NodeId, Hash> nodes_;
};

struct Witness {
  std::unique_ptr<NoteSigner> log_signer;
  std::unique_ptr<NoteSigner> stranger;
  std::unique_ptr<NoteVerifier> cosigner;
  const ledger::Witness* witness = nullptr;  // Owned by `service`.
  std::unique_ptr<api::WitnessService> service;
  Tree trees[2] = {Tree("log"), Tree("fork")};
  // What the witness has cosigned: size -> root, and the tree of the first non-empty one.
  std::map<uint64_t, Hash> cosigned;
  int tree = -1;
};

std::unique_ptr<NoteSigner> NewSigner(absl::string_view name, uint8_t type) {
  absl::StatusOr<GeneratedKey> key = GenerateNoteKey(name, type);
  CheckOk(key.status(), "GenerateNoteKey");
  absl::StatusOr<std::unique_ptr<NoteSigner>> signer = NoteSigner::Create(key->signer_key);
  CheckOk(signer.status(), "NoteSigner::Create");
  return *std::move(signer);
}

Witness& TheWitness() {
  static Witness* witness = [] {
    auto* w = new Witness;
    w->log_signer = NewSigner(kOrigin, kNoteSignatureTypeEd25519);
    w->stranger = NewSigner(kOrigin, kNoteSignatureTypeEd25519);
    std::unique_ptr<NoteSigner> cosigner =
        NewSigner("witness.fuzz.test", kNoteSignatureTypeCosignatureV1);
    w->cosigner = NoteVerifier::Create(cosigner->VerifierKey()).value();
    char dir[] = "/tmp/witness_service_fuzzer.XXXXXX";
    Check(mkdtemp(dir) != nullptr, "mkdtemp");
    std::vector<ledger::Witness::Log> logs(1);
    logs[0].origin = kOrigin;
    logs[0].keys.push_back(NoteVerifier::Create(w->log_signer->VerifierKey()).value());
    absl::StatusOr<std::unique_ptr<ledger::Witness>> witness = ledger::Witness::Open(
        dir, std::move(cosigner), std::move(logs), [] { return uint64_t{1700000000}; }, true);
    CheckOk(witness.status(), "Witness::Open");
    w->witness = witness->get();
    w->service = std::make_unique<api::WitnessService>(*std::move(witness));
    return w;
  }();
  return *witness;
}

// The stored checkpoint's text, or "" if none.
std::string StoredText(Witness& w) {
  absl::StatusOr<std::string> latest = w.witness->Latest(kOrigin);
  if (absl::IsNotFound(latest.status())) return "";
  CheckOk(latest.status(), "Witness::Latest");
  return std::string(NoteText(*latest));
}

std::string StructuredBody(Witness& w, const uint8_t* data, size_t size) {
  std::array<uint8_t, 7> b{};
  for (size_t i = 0; i < b.size() && i < size; ++i) b[i] = data[i];
  const int tree = b[0] & 1;
  uint64_t old_size = ((b[1] << 8) | b[2]) % (kMaxSize + 1);
  uint64_t new_size = ((b[3] << 8) | b[4]) % (kMaxSize + 1);
  std::vector<Hash> proof;
  if (old_size > 0 && old_size <= new_size) {
    proof = ProveConsistency(old_size, new_size, w.trees[tree]).value();
  }
  switch (b[5] % 4) {
    case 1:
      if (!proof.empty()) proof[b[6] % proof.size()][b[6] % 32] ^= 1;
      break;
    case 2:
      if (!proof.empty()) proof.pop_back();
      break;
    case 3:
      proof.push_back(w.trees[tree].Root(old_size));
      break;
    default:
      break;
  }
  Checkpoint checkpoint{kOrigin, new_size, w.trees[tree].Root(new_size), {}};
  const NoteSigner& signer = (b[6] & 0x80) != 0 ? *w.stranger : *w.log_signer;
  return FormatAddCheckpoint(old_size, proof, SignCheckpoint(checkpoint, signer).value());
}

// One add-checkpoint request and the checks above.
void Run(const uint8_t* data, size_t size) {
  Witness& w = TheWitness();
  if (size == 0) return;
  api::HttpRequest request;
  request.method = "POST";
  request.target = "/add-checkpoint";
  request.body = data[0] == 0 ? std::string(reinterpret_cast<const char*>(data + 1), size - 1)
                              : StructuredBody(w, data + 1, size - 1);
  const std::string before = StoredText(w);
  api::HttpResponse response = w.service->Handle(request);
  const std::string after = StoredText(w);

  const int status = response.status;
  Check(status == 200 || status == 400 || status == 403 || status == 404 || status == 409 ||
            status == 422,
        "status outside the spec's");
  if (status != 200) {
    Check(after == before, "a refused request changed the stored checkpoint");
  }
  if (status == 409) {
    Check(response.content_type == "text/x.tlog.size", "409 without text/x.tlog.size");
    uint64_t stored = before.empty() ? 0 : ParseCheckpoint(before).value().size;
    Check(response.body == absl::StrCat(stored, "\n"), "409 body is not the stored size");
  } else if (status != 200) {
    CheckResponseShape(response);
  } else {
    absl::StatusOr<Checkpoint> checkpoint = ParseCheckpoint(after);
    CheckOk(checkpoint.status(), "the stored checkpoint parses");
    const NoteVerifier* keys[] = {w.cosigner.get()};
    absl::StatusOr<Note> cosigned = OpenNote(absl::StrCat(after, "\n", response.body), keys);
    CheckOk(cosigned.status(), "the answer is a valid cosignature of the stored checkpoint");
    Check(absl::EndsWith(response.body, "\n") &&
              response.body.find('\n') == response.body.size() - 1,
          "the answer is one signature line");
    auto [it, inserted] = w.cosigned.emplace(checkpoint->size, checkpoint->root);
    Check(inserted || it->second == checkpoint->root, "two roots cosigned for one size");
    if (checkpoint->size > 0) {
      int tree = checkpoint->root == w.trees[0].Root(checkpoint->size) ? 0 : 1;
      Check(checkpoint->root == w.trees[tree].Root(checkpoint->size),
            "cosigned a root of neither tree");
      if (w.tree < 0) w.tree = tree;
      Check(w.tree == tree, "cosigned two different trees");
    }
  }
}

}  // namespace
}  // namespace fuzz
}  // namespace vellum

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vellum::fuzz::Run(data, size);
  return 0;
}
