#include "ledger/witness/witness.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/witness/leveldb_witness_store.h"
#include "ledger/witness/memory_witness_store.h"
#include "ledger/witness/witness_evidence.h"
#include "proof/add_checkpoint.h"
#include "proof/checkpoint.h"
#include "proof/hash.h"
#include "proof/internal/reference_tree.h"
#include "proof/note.h"
#include "proof/verify.h"

namespace vellum {
namespace ledger {
namespace {

using ::testing::HasSubstr;

constexpr uint64_t kNow = 1700000000;
constexpr absl::string_view kOrigin = "example.com/log";

class WitnessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    GeneratedKey log_key = GenerateNoteKey(kOrigin).value();
    log_signer_ = NoteSigner::Create(log_key.signer_key).value();
    log_verifier_ = NoteVerifier::Create(log_key.verifier_key).value();
    forger_ = NoteSigner::Create(GenerateNoteKey(kOrigin).value().signer_key).value();
    GeneratedKey witness_key =
        GenerateNoteKey("witness.example/w1", kNoteSignatureTypeCosignatureV1).value();
    witness_verifier_ = NoteVerifier::Create(witness_key.verifier_key).value();
    leaves_ = internal::MakeLeaves(100, 1);
    fork_ = internal::MakeLeaves(100, 2);
    std::vector<Witness::Log> logs(1);
    logs[0].origin = std::string(kOrigin);
    logs[0].keys.push_back(NoteVerifier::Create(log_key.verifier_key).value());
    witness_signer_key_ = witness_key.signer_key;
    witness_ = Witness::Create(&store_, NoteSigner::Create(witness_key.signer_key).value(),
                               std::move(logs), [this] { return now_; })
                   .value();
  }

  // The witness's configured log, for another Witness over a store.
  std::vector<Witness::Log> Logs() {
    std::vector<Witness::Log> logs(1);
    logs[0].origin = std::string(kOrigin);
    logs[0].keys.push_back(NoteVerifier::Create(log_verifier_->ToString()).value());
    return logs;
  }

  std::unique_ptr<NoteSigner> WitnessSigner() {
    return NoteSigner::Create(witness_signer_key_).value();
  }

  Hash Root(const std::vector<Hash>& leaves, uint64_t size) {
    return internal::ReferenceRoot(absl::MakeConstSpan(leaves).subspan(0, size));
  }

  std::string Signed(const std::vector<Hash>& leaves, uint64_t size,
                     const NoteSigner* signer = nullptr) {
    Checkpoint c{std::string(kOrigin), size, Root(leaves, size), {}};
    return SignCheckpoint(c, signer != nullptr ? *signer : *log_signer_).value();
  }

  std::vector<Hash> Proof(const std::vector<Hash>& leaves, uint64_t old_size, uint64_t size) {
    if (old_size == 0) return {};
    return internal::ReferenceConsistencyProof(old_size,
                                               absl::MakeConstSpan(leaves).subspan(0, size));
  }

  AddCheckpointResult Add(uint64_t old_size, std::vector<Hash> proof, std::string note) {
    AddCheckpointRequest request{old_size, std::move(proof), std::move(note)};
    absl::StatusOr<AddCheckpointResult> result = witness_->AddCheckpoint(request);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? *std::move(result) : AddCheckpointResult{};
  }

  AddCheckpointResult Grow(const std::vector<Hash>& leaves, uint64_t old_size, uint64_t size) {
    return Add(old_size, Proof(leaves, old_size, size), Signed(leaves, size));
  }

  // Checks that `result` cosigned `note`, and that the store now holds it with both signatures.
  void ExpectCosigned(const AddCheckpointResult& result, const std::string& note) {
    ASSERT_FALSE(result.refusal.has_value()) << result.message;
    std::string text = std::string(NoteText(note));
    const NoteVerifier* witness_key[] = {witness_verifier_.get()};
    absl::StatusOr<Note> cosigned =
        OpenNote(absl::StrCat(text, "\n", NoteSignatureLine(result.cosignature)), witness_key);
    ASSERT_TRUE(cosigned.ok()) << cosigned.status();
    EXPECT_EQ(CosignatureTimestamp(cosigned->verified[0]).value(), kNow);
    absl::StatusOr<std::string> latest = witness_->Latest(kOrigin);
    ASSERT_TRUE(latest.ok()) << latest.status();
    const NoteVerifier* both[] = {log_verifier_.get(), witness_verifier_.get()};
    absl::StatusOr<Note> stored = OpenNote(*latest, both);
    ASSERT_TRUE(stored.ok()) << stored.status();
    EXPECT_EQ(stored->text, text);
    EXPECT_EQ(stored->verified.size(), 2u);
  }

  void ExpectRefused(const AddCheckpointResult& result, WitnessRefusal refusal,
                     absl::string_view message, bool evidence) {
    ASSERT_TRUE(result.refusal.has_value()) << "cosigned, want refused: " << message;
    EXPECT_EQ(*result.refusal, refusal) << result.message;
    EXPECT_EQ(result.message, message);
    EXPECT_EQ(result.evidence, evidence) << result.message;
  }

  std::string Stored() { return store_.Latest(kOrigin).value().value_or(""); }

  // The evidence record the witness should keep for refusing `request` against `held`.
  std::string EvidenceFor(const std::string& held, uint64_t old_size,
                          const std::vector<Hash>& proof, const std::string& note,
                          const std::string& reason) {
    WitnessEvidence evidence;
    evidence.witness = witness_->key_id();
    evidence.time = now_;
    evidence.reason = reason;
    evidence.held = held;
    evidence.submitted = FormatAddCheckpoint(old_size, proof, note);
    return FormatWitnessEvidence(evidence);
  }

  uint64_t now_ = kNow;
  MemoryWitnessStore store_;
  std::string witness_signer_key_;
  std::unique_ptr<NoteSigner> log_signer_;
  std::unique_ptr<NoteVerifier> log_verifier_;
  std::unique_ptr<NoteSigner> forger_;
  std::unique_ptr<NoteVerifier> witness_verifier_;
  std::vector<Hash> leaves_;
  std::vector<Hash> fork_;
  std::unique_ptr<Witness> witness_;
};

TEST_F(WitnessTest, CosignsAConsistentlyGrowingLog) {
  ExpectCosigned(Grow(leaves_, 0, 10), Signed(leaves_, 10));
  ExpectCosigned(Grow(leaves_, 10, 37), Signed(leaves_, 37));
  ExpectCosigned(Grow(leaves_, 37, 37), Signed(leaves_, 37));  // The same tree again.
  AddCheckpointResult grown = Grow(leaves_, 37, 64);
  ExpectCosigned(grown, Signed(leaves_, 64));
  EXPECT_EQ(grown.origin, kOrigin);
  EXPECT_EQ(grown.size, 64u);
  EXPECT_FALSE(grown.evidence);
}

TEST_F(WitnessTest, RefusesWhatItCannotCheck) {
  ExpectCosigned(Grow(leaves_, 0, 20), Signed(leaves_, 20));
  const std::string before = Stored();

  std::unique_ptr<NoteSigner> other_signer =
      NoteSigner::Create(GenerateNoteKey("other.example/log").value().signer_key).value();
  Checkpoint other{"other.example/log", 1, Root(leaves_, 1), {}};
  AddCheckpointResult unknown = Add(0, {}, SignCheckpoint(other, *other_signer).value());
  ExpectRefused(unknown, WitnessRefusal::kUnknownOrigin, "unknown log origin", false);
  EXPECT_EQ(unknown.origin, "other.example/log");

  std::string forged = Signed(leaves_, 20, forger_.get());
  const NoteVerifier* log_key[] = {log_verifier_.get()};
  absl::Status unverified = OpenNote(forged, log_key).status();
  ASSERT_EQ(unverified.code(), absl::StatusCode::kUnauthenticated);
  ExpectRefused(Add(20, {}, forged), WitnessRefusal::kNoKnownSignature, unverified.message(),
                false);

  std::string note = Signed(leaves_, 20);
  std::string cut = note.substr(0, note.size() - 1);
  absl::Status malformed = OpenNote(cut, log_key).status();
  ASSERT_EQ(malformed.code(), absl::StatusCode::kInvalidArgument);
  ExpectRefused(Add(20, {}, cut), WitnessRefusal::kMalformed, malformed.message(), false);
  const std::string not_a_checkpoint = absl::StrCat(kOrigin, "\nnot a size\n");
  const NoteSigner* signers[] = {log_signer_.get()};
  std::string signed_text = SignNote(not_a_checkpoint, signers).value();
  AddCheckpointResult unparsed = Add(0, {}, signed_text);
  ASSERT_TRUE(unparsed.refusal.has_value());
  EXPECT_EQ(*unparsed.refusal, WitnessRefusal::kMalformed);
  EXPECT_EQ(unparsed.message, ParseCheckpoint(not_a_checkpoint).status().message());

  AddCheckpointResult too_large = Add(30, {}, note);
  ExpectRefused(too_large, WitnessRefusal::kOldSizeTooLarge,
                "old size 30 is greater than the checkpoint size 20", false);
  EXPECT_EQ(too_large.size, 20u);

  EXPECT_EQ(Stored(), before);
}

TEST_F(WitnessTest, RefusesWhatDisagreesWithTheStoredCheckpoint) {
  ExpectCosigned(Grow(leaves_, 0, 20), Signed(leaves_, 20));
  const std::string before = Stored();

  // A stale or a too new old size: the protocol's normal flow, not evidence.
  for (uint64_t old_size : {0, 10, 25}) {
    AddCheckpointResult stale = Grow(leaves_, old_size, 30);
    ExpectRefused(stale, WitnessRefusal::kStoredSizeDiffers,
                  absl::StrCat("old size ", old_size, " differs from the stored size 20"), false);
    EXPECT_EQ(stale.stored_size, 20u);
  }
  // The stored size with another root: a fork.
  AddCheckpointResult fork = Add(20, {}, Signed(fork_, 20));
  ExpectRefused(fork, WitnessRefusal::kStoredSizeDiffers,
                "the checkpoint of size 20 has another root than the stored one", true);
  EXPECT_EQ(fork.stored_size, 20u);
  EXPECT_EQ(fork.origin, kOrigin);
  EXPECT_EQ(fork.size, 20u);

  // Proofs that do not verify: one of the fork, a damaged one, a short one.
  std::vector<Hash> fork_proof = Proof(fork_, 20, 40);
  std::vector<Hash> damaged = Proof(leaves_, 20, 40);
  damaged[0][0] ^= 1;
  std::vector<Hash> short_proof = Proof(leaves_, 20, 40);
  short_proof.pop_back();
  const struct {
    const std::vector<Hash>& proof;
    const std::vector<Hash>& tree;
  } cases[] = {{fork_proof, fork_}, {damaged, leaves_}, {short_proof, leaves_}};
  for (const auto& c : cases) {
    absl::Status want =
        VerifyConsistency(20, 40, c.proof, Root(leaves_, 20), Root(c.tree, 40));
    ASSERT_FALSE(want.ok());
    AddCheckpointResult bad = Add(20, c.proof, Signed(c.tree, 40));
    ExpectRefused(bad, WitnessRefusal::kBadConsistencyProof,
                  absl::StrCat("consistency proof from size 20 does not verify: ", want.message()),
                  true);
    EXPECT_EQ(bad.size, 40u);
  }
  // From the empty tree, a proof must be empty.
  MemoryWitnessStore empty;
  std::vector<Witness::Log> logs(1);
  logs[0].origin = std::string(kOrigin);
  logs[0].keys.push_back(NoteVerifier::Create(log_signer_->VerifierKey()).value());
  GeneratedKey key = GenerateNoteKey("w2", kNoteSignatureTypeCosignatureV1).value();
  std::unique_ptr<Witness> fresh =
      Witness::Create(&empty, NoteSigner::Create(key.signer_key).value(), std::move(logs),
                      [] { return kNow; })
          .value();
  absl::StatusOr<AddCheckpointResult> extra =
      fresh->AddCheckpoint({0, {leaves_[0]}, Signed(leaves_, 5)});
  ASSERT_TRUE(extra.ok()) << extra.status();
  ASSERT_TRUE(extra->refusal.has_value());
  EXPECT_EQ(*extra->refusal, WitnessRefusal::kBadConsistencyProof);
  EXPECT_FALSE(empty.Latest(kOrigin).value().has_value());

  EXPECT_EQ(Stored(), before);
  // The next honest step still starts from 20.
  ExpectCosigned(Grow(leaves_, 20, 40), Signed(leaves_, 40));
}

TEST_F(WitnessTest, TheHeldCheckpointAgainIsAnsweredFromTheStoredRecord) {
  AddCheckpointResult first = Grow(leaves_, 0, 20);
  ExpectCosigned(first, Signed(leaves_, 20));
  const std::string before = Stored();
  const uint64_t writes = store_.writes();
  now_ = kNow + 3600;  // A new cosignature would carry another timestamp.
  AddCheckpointResult again = Add(20, {}, Signed(leaves_, 20));
  ASSERT_FALSE(again.refusal.has_value()) << again.message;
  EXPECT_EQ(again.cosignature, first.cosignature);
  EXPECT_EQ(store_.writes(), writes) << "answering the held checkpoint wrote to the store";
  EXPECT_EQ(Stored(), before);
  // Any other old size is still a 409 with the stored size, and writes nothing either.
  for (uint64_t old_size : {0, 10}) {
    AddCheckpointResult stale = Add(old_size, Proof(leaves_, old_size, 20), Signed(leaves_, 20));
    ExpectRefused(stale, WitnessRefusal::kStoredSizeDiffers,
                  absl::StrCat("old size ", old_size, " differs from the stored size 20"), false);
    EXPECT_EQ(stale.stored_size, 20u);
  }
  // The same size and root with a proof is a 422, and evidence of nothing.
  AddCheckpointResult with_proof = Add(20, {leaves_[0]}, Signed(leaves_, 20));
  ASSERT_TRUE(with_proof.refusal.has_value());
  EXPECT_EQ(*with_proof.refusal, WitnessRefusal::kBadConsistencyProof);
  EXPECT_FALSE(with_proof.evidence);
  EXPECT_EQ(store_.writes(), writes);
  // Growing from there cosigns at the new time, with one write.
  AddCheckpointResult grown = Grow(leaves_, 20, 30);
  ASSERT_FALSE(grown.refusal.has_value()) << grown.message;
  EXPECT_EQ(CosignatureTimestamp(grown.cosignature).value(), kNow + 3600);
  EXPECT_EQ(store_.writes(), writes + 1);
}

TEST_F(WitnessTest, KeepsEvidenceOfSignedContradictionsOnce) {
  using Outcome = WitnessStore::EvidenceOutcome;
  ExpectCosigned(Grow(leaves_, 0, 20), Signed(leaves_, 20));
  const std::string held = Stored();
  now_ = kNow + 60;

  // The same size with another root: kept, with everything a third party needs.
  const std::string fork = Signed(fork_, 20);
  const std::string fork_reason = "the checkpoint of size 20 has another root than the stored one";
  AddCheckpointResult refused = Add(20, {}, fork);
  ExpectRefused(refused, WitnessRefusal::kStoredSizeDiffers, fork_reason, true);
  EXPECT_EQ(refused.evidence_kept.outcome, Outcome::kStored);
  EXPECT_EQ(refused.evidence_kept.index, 0u);
  EXPECT_EQ(witness_->Evidence(0).value(), EvidenceFor(held, 20, {}, fork, fork_reason));
  // Sent again later: the record it has.
  now_ = kNow + 120;
  AddCheckpointResult repeated = Add(20, {}, fork);
  EXPECT_EQ(repeated.evidence_kept.outcome, Outcome::kRepeated);
  EXPECT_EQ(repeated.evidence_kept.index, 0u);

  // A proof that does not verify, under the log's signature: kept once per checkpoint, whatever
  // proof comes with it (the log does not sign the proof).
  const std::vector<Hash> fork_proof = Proof(fork_, 20, 40);
  const std::string fork40 = Signed(fork_, 40);
  AddCheckpointResult bad = Add(20, fork_proof, fork40);
  ASSERT_TRUE(bad.refusal.has_value());
  EXPECT_EQ(*bad.refusal, WitnessRefusal::kBadConsistencyProof);
  EXPECT_EQ(bad.evidence_kept.outcome, Outcome::kStored);
  EXPECT_EQ(bad.evidence_kept.index, 1u);
  EXPECT_EQ(witness_->Evidence(1).value(),
            EvidenceFor(held, 20, fork_proof, fork40, bad.message));
  std::vector<Hash> other_proof = fork_proof;
  other_proof[0][0] ^= 1;
  EXPECT_EQ(Add(20, other_proof, fork40).evidence_kept.outcome, Outcome::kRepeated);

  // Not evidence: a checkpoint no key of the log signed, a stale old size, a proof from the
  // empty tree of a witness that holds nothing.
  const uint64_t writes = store_.writes();
  std::string forged = Signed(fork_, 20, forger_.get());
  EXPECT_EQ(*Add(20, {}, forged).refusal, WitnessRefusal::kNoKnownSignature);
  EXPECT_EQ(*Add(0, {}, fork).refusal, WitnessRefusal::kStoredSizeDiffers);
  EXPECT_EQ(*Add(20, {}, "garbage\n").refusal, WitnessRefusal::kUnknownOrigin);
  MemoryWitnessStore empty;
  std::unique_ptr<Witness> fresh =
      Witness::Create(&empty, WitnessSigner(), Logs(), [] { return kNow; }).value();
  AddCheckpointResult from_empty = fresh->AddCheckpoint({0, {leaves_[0]}, fork40}).value();
  EXPECT_EQ(*from_empty.refusal, WitnessRefusal::kBadConsistencyProof);
  EXPECT_FALSE(from_empty.evidence);
  EXPECT_EQ(empty.CountEvidence().value().stored, 0u);

  EXPECT_EQ(store_.writes(), writes);
  WitnessStore::EvidenceCounts counts = witness_->CountEvidence().value();
  EXPECT_EQ(counts.stored, 2u);
  EXPECT_EQ(counts.dropped, 0u);
  EXPECT_EQ(witness_->Evidence(2).status(),
            absl::NotFoundError("no evidence record 2 (the witness holds 2)"));
  EXPECT_EQ(Stored(), held);
}

TEST_F(WitnessTest, KeepsAtMostTheFirstEvidenceRecordsAndCountsTheRest) {
  using Outcome = WitnessStore::EvidenceOutcome;
  ExpectCosigned(Grow(leaves_, 0, 10), Signed(leaves_, 10));
  // Bad proofs with larger checkpoints fill their share, and no more.
  constexpr uint64_t kExtra = 5;
  std::vector<Hash> many = internal::MakeLeaves(10 + kMaxWitnessEvidenceRecords + kExtra, 3);
  for (uint64_t i = 0; i < kMaxWitnessBadProofRecords + kExtra; ++i) {
    AddCheckpointResult bad = Add(10, {}, Signed(many, 11 + i));
    ASSERT_TRUE(bad.evidence) << bad.message;
    EXPECT_EQ(bad.evidence_kept.outcome,
              i < kMaxWitnessBadProofRecords ? Outcome::kStored : Outcome::kDropped)
        << i;
  }
  // Forks at the held size still find room, up to the limit.
  for (uint64_t i = 0; i < kMaxWitnessEvidenceRecords - kMaxWitnessBadProofRecords + kExtra;
       ++i) {
    AddCheckpointResult fork = Add(10, {}, Signed(internal::MakeLeaves(10, 100 + i), 10));
    ASSERT_TRUE(fork.evidence) << fork.message;
    EXPECT_EQ(fork.evidence_kept.outcome,
              i < kMaxWitnessEvidenceRecords - kMaxWitnessBadProofRecords ? Outcome::kStored
                                                                         : Outcome::kDropped)
        << i;
  }
  WitnessStore::EvidenceCounts counts = witness_->CountEvidence().value();
  EXPECT_EQ(counts.stored, kMaxWitnessEvidenceRecords);
  EXPECT_EQ(counts.dropped, 2 * kExtra);
}

TEST_F(WitnessTest, AStateMadeForAnotherKeyIsRefused) {
  EXPECT_EQ(store_.CosignerKey().value(), witness_->key_id());
  std::unique_ptr<NoteSigner> other =
      NoteSigner::Create(
          GenerateNoteKey("witness.example/w2", kNoteSignatureTypeCosignatureV1).value().signer_key)
          .value();
  const std::string other_id = WitnessKeyId(*other);
  EXPECT_EQ(other_id, absl::StrFormat("witness.example/w2+%08x", other->key_id()));
  absl::StatusOr<std::unique_ptr<Witness>> refused =
      Witness::Create(&store_, std::move(other), Logs(), [] { return kNow; });
  EXPECT_EQ(refused.status(),
            absl::FailedPreconditionError(absl::StrCat(
                "the witness state was made for cosigner key ", witness_->key_id(), ", got key ",
                other_id, ": start it with the key it was made with, or give this key its own "
                "state")));
  EXPECT_EQ(store_.CosignerKey().value(), witness_->key_id());
}

TEST_F(WitnessTest, AStateThatRecordsNoKeyIsAdoptedOnceWhenItsCosignaturesAreThisKeys) {
  AddCheckpointResult first = Grow(leaves_, 0, 20);
  ExpectCosigned(first, Signed(leaves_, 20));
  // A state as witnesses wrote it before they recorded their key: the record alone.
  MemoryWitnessStore old;
  ASSERT_TRUE(old.Update(kOrigin, [&](const absl::optional<std::string>&) {
                   return absl::StatusOr<std::string>(Stored());
                 }).ok());
  ASSERT_EQ(old.CosignerKey().value(), absl::nullopt);
  std::unique_ptr<Witness> adopting =
      Witness::Create(&old, WitnessSigner(), Logs(), [] { return kNow + 1; }).value();
  EXPECT_TRUE(adopting->adopted());
  EXPECT_EQ(old.CosignerKey().value(), witness_->key_id());
  // It carries on from the adopted state.
  AddCheckpointResult again = adopting->AddCheckpoint({20, {}, Signed(leaves_, 20)}).value();
  EXPECT_EQ(again.cosignature, first.cosignature);
  adopting.reset();
  std::unique_ptr<Witness> restarted =
      Witness::Create(&old, WitnessSigner(), Logs(), [] { return kNow; }).value();
  EXPECT_FALSE(restarted->adopted());

  // Cosigned by another key: refused, and left unbound.
  MemoryWitnessStore foreign;
  ASSERT_TRUE(foreign.Update(kOrigin, [&](const absl::optional<std::string>&) {
                       return absl::StatusOr<std::string>(Stored());
                     }).ok());
  std::unique_ptr<NoteSigner> other =
      NoteSigner::Create(
          GenerateNoteKey("witness.example/w2", kNoteSignatureTypeCosignatureV1).value().signer_key)
          .value();
  const std::string other_id = WitnessKeyId(*other);
  absl::StatusOr<std::unique_ptr<Witness>> refused =
      Witness::Create(&foreign, std::move(other), Logs(), [] { return kNow; });
  EXPECT_EQ(refused.status(),
            absl::FailedPreconditionError(absl::StrFormat(
                "the witness state records no cosigner key, and its checkpoint of %s carries no "
                "valid cosignature of key %s (signed by %s+%08x, %s): start it with the key it "
                "was made with",
                kOrigin, other_id, kOrigin, log_verifier_->key_id(), witness_->key_id())));
  EXPECT_EQ(foreign.CosignerKey().value(), absl::nullopt);
}

TEST_F(WitnessTest, AStateOnDiskNeedsInitOnceAndKeepsItsEvidence) {
  std::string dir = absl::StrCat(::testing::TempDir(), "/witness-open");
  std::filesystem::remove_all(dir);
  auto now = [] { return kNow; };
  EXPECT_EQ(Witness::Open(dir, WitnessSigner(), Logs(), now, /*init=*/false).status(),
            absl::NotFoundError(absl::StrCat("no witness state in ", dir)));
  // Bad arguments create nothing.
  std::vector<Witness::Log> keyless(1);
  keyless[0].origin = "log";
  EXPECT_EQ(Witness::Open(dir, WitnessSigner(), std::move(keyless), now, /*init=*/true).status(),
            absl::InvalidArgumentError("log log has no key"));
  EXPECT_EQ(Witness::Open(dir, WitnessSigner(), Logs(), now, /*init=*/false).status().code(),
            absl::StatusCode::kNotFound);

  std::unique_ptr<Witness> created =
      Witness::Open(dir, WitnessSigner(), Logs(), now, /*init=*/true).value();
  EXPECT_FALSE(created->adopted());
  ASSERT_FALSE(created->AddCheckpoint({0, {}, Signed(leaves_, 20)}).value().refusal.has_value());
  AddCheckpointResult fork = created->AddCheckpoint({20, {}, Signed(fork_, 20)}).value();
  ASSERT_EQ(fork.evidence_kept.outcome, WitnessStore::EvidenceOutcome::kStored);
  const std::string evidence = created->Evidence(0).value();
  created.reset();

  EXPECT_EQ(Witness::Open(dir, WitnessSigner(), Logs(), now, /*init=*/true).status(),
            absl::AlreadyExistsError(absl::StrCat("a witness state already exists in ", dir)));
  std::unique_ptr<Witness> restarted =
      Witness::Open(dir, WitnessSigner(), Logs(), now, /*init=*/false).value();
  EXPECT_FALSE(restarted->adopted());
  EXPECT_EQ(restarted->Evidence(0).value(), evidence);
  EXPECT_EQ(restarted->CountEvidence().value().stored, 1u);
  EXPECT_EQ(NoteText(restarted->Latest(kOrigin).value()), NoteText(Signed(leaves_, 20)));
  restarted.reset();
  GeneratedKey other = GenerateNoteKey("w3", kNoteSignatureTypeCosignatureV1).value();
  absl::Status foreign = Witness::Open(dir, NoteSigner::Create(other.signer_key).value(), Logs(),
                                       now, /*init=*/false)
                             .status();
  EXPECT_EQ(foreign.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(foreign.message()),
              HasSubstr(absl::StrCat("made for cosigner key ", witness_->key_id())));
}

TEST_F(WitnessTest, AnOldStateOnDiskIsStampedOnTheFirstOpen) {
  ExpectCosigned(Grow(leaves_, 0, 20), Signed(leaves_, 20));
  std::string dir = absl::StrCat(::testing::TempDir(), "/witness-old");
  std::filesystem::remove_all(dir);
  {
    // The state as witnesses wrote it before they recorded their key.
    std::unique_ptr<LevelDbWitnessStore> old =
        LevelDbWitnessStore::Open(dir, /*create=*/true).value();
    ASSERT_TRUE(old->Update(kOrigin, [&](const absl::optional<std::string>&) {
                     return absl::StatusOr<std::string>(Stored());
                   }).ok());
  }
  auto now = [] { return kNow; };
  std::unique_ptr<Witness> first =
      Witness::Open(dir, WitnessSigner(), Logs(), now, /*init=*/false).value();
  EXPECT_TRUE(first->adopted());
  first.reset();
  std::unique_ptr<Witness> second =
      Witness::Open(dir, WitnessSigner(), Logs(), now, /*init=*/false).value();
  EXPECT_FALSE(second->adopted());
  EXPECT_EQ(second->Latest(kOrigin).value(), Stored());
}

TEST_F(WitnessTest, AStoredCheckpointThatDoesNotVerifyIsDataLoss) {
  ASSERT_TRUE(store_
                  .Update(kOrigin, [&](const absl::optional<std::string>&) {
                    return absl::StatusOr<std::string>(Signed(leaves_, 5, forger_.get()));
                  })
                  .ok());
  absl::StatusOr<AddCheckpointResult> result =
      witness_->AddCheckpoint({5, {}, Signed(leaves_, 5)});
  EXPECT_EQ(result.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(result.status().message()),
              HasSubstr("the stored checkpoint of example.com/log does not verify: "));
}

TEST_F(WitnessTest, LatestNamesWhatIsMissing) {
  absl::StatusOr<std::string> none = witness_->Latest(kOrigin);
  EXPECT_EQ(none.status(), absl::NotFoundError("no checkpoint cosigned for this origin yet"));
  absl::StatusOr<std::string> unknown = witness_->Latest("unknown.example");
  EXPECT_EQ(unknown.status(), absl::NotFoundError("unknown log origin"));
}

TEST(WitnessCreateTest, NeedsACosignerKeyAndLogKeys) {
  std::string dir = absl::StrCat(::testing::TempDir(), "/witness-create");
  std::filesystem::remove_all(dir);
  std::unique_ptr<LevelDbWitnessStore> store =
      LevelDbWitnessStore::Open(dir, /*create=*/true).value();
  auto now = [] { return kNow; };
  GeneratedKey plain = GenerateNoteKey("w").value();
  absl::StatusOr<std::unique_ptr<Witness>> not_cosigner =
      Witness::Create(store.get(), NoteSigner::Create(plain.signer_key).value(), {}, now);
  EXPECT_FALSE(not_cosigner.ok());
  EXPECT_EQ(not_cosigner.status(),
            absl::InvalidArgumentError(
                "the witness key must be a cosigner key (type 0x04; vellum keygen --cosigner)"));
  GeneratedKey cosigner = GenerateNoteKey("w", kNoteSignatureTypeCosignatureV1).value();
  std::vector<Witness::Log> logs(1);
  logs[0].origin = "log";
  logs[0].keys.push_back(NoteVerifier::Create(cosigner.verifier_key).value());
  absl::StatusOr<std::unique_ptr<Witness>> bad = Witness::Create(
      store.get(), NoteSigner::Create(cosigner.signer_key).value(), std::move(logs), now);
  EXPECT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("not a log key"));
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);

  std::vector<Witness::Log> keyless(1);
  keyless[0].origin = "log";
  EXPECT_EQ(Witness::Create(store.get(), NoteSigner::Create(cosigner.signer_key).value(),
                            std::move(keyless), now)
                .status(),
            absl::InvalidArgumentError("log log has no key"));
  GeneratedKey log_key = GenerateNoteKey("log").value();
  std::vector<Witness::Log> twice(2);
  for (Witness::Log& log : twice) {
    log.origin = "log";
    log.keys.push_back(NoteVerifier::Create(log_key.verifier_key).value());
  }
  EXPECT_EQ(Witness::Create(store.get(), NoteSigner::Create(cosigner.signer_key).value(),
                            std::move(twice), now)
                .status(),
            absl::InvalidArgumentError("log log is listed twice"));

  // A second process (here: a second open) cannot use the same directory.
  absl::StatusOr<std::unique_ptr<LevelDbWitnessStore>> second =
      LevelDbWitnessStore::Open(dir, /*create=*/false);
  EXPECT_TRUE(absl::IsFailedPrecondition(second.status())) << second.status();
}

}  // namespace
}  // namespace ledger
}  // namespace vellum
