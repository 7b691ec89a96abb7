#ifndef VELLUM_PROOF_NOTE_H_
#define VELLUM_PROOF_NOTE_H_

// Signed notes (c2sp.org/signed-note) with Ed25519 keys in the text formats of
// golang.org/x/mod/sumdb/note, and witness cosignatures (c2sp.org/tlog-cosignature):
//
//   verifier key  <name>+<8 hex key id>+<base64(type || 32-byte public key)>
//   signer key    PRIVATE+KEY+<name>+<8 hex key id>+<base64(type || 32-byte seed)>
//   signed note   <text ending in newline>
//                 <blank line>
//                 — <name> <base64(4-byte big-endian key id || signature)>   (one or more)
//
// Errors use these codes:
//   InvalidArgument  malformed key text, note, signature line or argument; a note or signature
//                    count over the limits below.
//   Unauthenticated  the note is well formed but not authenticated: no signature from a known
//                    key, or a signature from a known key that does not verify.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "proof/crypto.h"

namespace vellum {

// Key types (the first byte of the encoded key, also hashed into the key id):
//   0x01  Ed25519 note signatures (c2sp.org/signed-note): the signature is Ed25519 over the note
//         text.
//   0x04  cosignature/v1 (c2sp.org/tlog-cosignature): the signature is an 8-byte big-endian
//         timestamp then Ed25519 over CosignatureMessage(text, timestamp). A cosigner key signs
//         checkpoints only through NoteSigner::Cosign. Vellum's own text form for the private
//         key is the signer-key form above with type 0x04.
inline constexpr uint8_t kNoteSignatureTypeEd25519 = 0x01;
inline constexpr uint8_t kNoteSignatureTypeCosignatureV1 = 0x04;

// The largest timestamp a cosignature may carry: 2^63 - 1.
inline constexpr uint64_t kMaxCosignatureTimestamp = (uint64_t{1} << 63) - 1;

// Largest signed note OpenNote accepts and SignNote produces, in bytes. A checkpoint with 100
// Ed25519 signatures is under 16 KiB; 128 KiB also holds the 16 signatures the spec requires
// verifiers to accept even when they are post-quantum ones of nearly 5 kB each.
inline constexpr size_t kMaxNoteSize = 128 * 1024;

// Most signature lines a note may carry, counting unknown and repeated ones (as
// golang.org/x/mod/sumdb/note does). The spec requires at least 16.
inline constexpr size_t kMaxNoteSignatures = 100;

// Returns true if `name` is a valid key name: non-empty, valid UTF-8, with no Unicode space
// (White_Space property) and no '+', as in the spec, and no ASCII control character, which no
// signed note may contain anyway.
bool IsValidNoteKeyName(absl::string_view name);

// Returns the key id: the first 4 bytes, big-endian, of
// SHA-256(name || 0x0A || signature_type || public_key).
uint32_t NoteKeyId(absl::string_view name, uint8_t signature_type,
                   absl::Span<const uint8_t> public_key);

// Checks that `text` can be the text of a signed note: it ends in a newline, is valid UTF-8
// without ASCII control characters other than newline, and fits in kMaxNoteSize. Empty lines
// are allowed inside the text (the spec separates the signatures at the last one).
absl::Status CheckNoteText(absl::string_view text);

// One signature line of a note.
struct NoteSignature {
  std::string name;
  uint32_t key_id = 0;
  std::string base64;  // base64(4-byte big-endian key id || signature), as on the line.

  friend bool operator==(const NoteSignature& a, const NoteSignature& b) {
    return a.name == b.name && a.key_id == b.key_id && a.base64 == b.base64;
  }
  friend bool operator!=(const NoteSignature& a, const NoteSignature& b) { return !(a == b); }
};

// The Ed25519 public key of a signed-note verifier key, of type 0x01 (the log's) or 0x04 (a
// witness's). Immutable, so thread-safe.
class NoteVerifier {
 public:
  // Parses a verifier key `<name>+<8 hex key id>+<base64(type || public key)>`. The key id must
  // be 8 lowercase hex digits equal to NoteKeyId(name, type, public key), the base64 standard and
  // padded, and the name valid. Rejects signer keys without echoing them.
  static absl::StatusOr<std::unique_ptr<NoteVerifier>> Create(absl::string_view vkey);

  // Builds the type 0x01 verifier for `public_key` under `name`, which must be a valid key name.
  static absl::StatusOr<std::unique_ptr<NoteVerifier>> FromEd25519(
      absl::string_view name, const crypto::Ed25519PublicKey& public_key);

  const std::string& name() const { return name_; }
  uint32_t key_id() const { return key_id_; }
  uint8_t type() const { return type_; }
  const crypto::Ed25519PublicKey& public_key() const { return public_key_; }

  // Returns true if `signature` (without the key id) is a valid signature of note text `msg` by
  // this key: 64 bytes of Ed25519 for type 0x01; a timestamp of at most 2^63 - 1 and 64 bytes
  // of Ed25519 over CosignatureMessage for type 0x04.
  bool Verify(absl::string_view msg, absl::Span<const uint8_t> signature) const;

  // Returns the verifier key text; Create(ToString()) gives back an equal verifier.
  std::string ToString() const;

 private:
  NoteVerifier(std::string name, uint32_t key_id, uint8_t type,
               const crypto::Ed25519PublicKey& public_key);

  std::string name_;
  uint32_t key_id_;
  uint8_t type_;
  crypto::Ed25519PublicKey public_key_;
};

// An Ed25519 signer key for notes. Owns the private key; immutable after creation, so Sign()
// is thread-safe. Error messages never contain any part of the signer key text.
class NoteSigner {
 public:
  // Parses a signer key `PRIVATE+KEY+<name>+<8 hex key id>+<base64(type || 32-byte seed)>`, type
  // 0x01 or 0x04. The key id must be 8 lowercase hex digits equal to the id of the derived
  // public key.
  static absl::StatusOr<std::unique_ptr<NoteSigner>> Create(absl::string_view skey);

  NoteSigner(const NoteSigner&) = delete;
  NoteSigner& operator=(const NoteSigner&) = delete;
  ~NoteSigner();

  const std::string& name() const { return name_; }
  uint32_t key_id() const { return key_id_; }
  uint8_t type() const { return type_; }

  // Returns the 64-byte Ed25519 signature of `msg` (without the key id). FailedPrecondition for
  // a cosigner key (type 0x04), which signs only through Cosign.
  absl::StatusOr<std::string> Sign(absl::string_view msg) const;

  // Returns the cosignature/v1 signature line of this cosigner key (type 0x04; FailedPrecondition
  // otherwise) on checkpoint note text `text` at POSIX time `timestamp` (at most 2^63 - 1), for
  // AppendNoteSignatures or an add-checkpoint answer.
  absl::StatusOr<NoteSignature> Cosign(absl::string_view text, uint64_t timestamp) const;

  // Returns the verifier key text for this signer.
  std::string VerifierKey() const;

 private:
  NoteSigner(std::string name, uint32_t key_id, uint8_t type,
             std::unique_ptr<crypto::Ed25519PrivateKey> private_key);

  std::string name_;
  uint32_t key_id_;
  uint8_t type_;
  std::unique_ptr<crypto::Ed25519PrivateKey> private_key_;
};

// A freshly generated key pair in text form. `signer_key` is secret.
struct GeneratedKey {
  std::string signer_key;
  std::string verifier_key;
};

// Generates an Ed25519 key pair of `type` (0x01 or 0x04) named `name` (which must be a valid key
// name) from crypto::RandomBytes. Thread-safe.
absl::StatusOr<GeneratedKey> GenerateNoteKey(absl::string_view name,
                                             uint8_t type = kNoteSignatureTypeEd25519);

// Returns the verifier key text for an Ed25519 `public_key` named `name`, which must be a
// valid key name.
absl::StatusOr<std::string> Ed25519NoteVerifierKey(absl::string_view name,
                                                   const crypto::Ed25519PublicKey& public_key);

// The message a cosigner signs for note text `text` at `timestamp` (c2sp.org/tlog-cosignature):
// "cosignature/v1\ntime <timestamp>\n" followed by the text.
std::string CosignatureMessage(absl::string_view text, uint64_t timestamp);

// The timestamp of a cosignature/v1 signature line, without verifying it. InvalidArgument if
// the signature is not 4 + 8 + 64 bytes or the timestamp is over 2^63 - 1.
absl::StatusOr<uint64_t> CosignatureTimestamp(const NoteSignature& signature);

// The signature line of `signature`: "— <name> <base64>\n".
std::string NoteSignatureLine(const NoteSignature& signature);

// Builds the signature entry for `signature` bytes made by key `name`+`key_id`, for
// AppendNoteSignatures. Does not validate.
NoteSignature MakeNoteSignature(absl::string_view name, uint32_t key_id,
                                absl::string_view signature);

// A note whose signatures were checked by OpenNote.
struct Note {
  std::string text;                       // Includes the final newline.
  std::vector<NoteSignature> verified;    // From known keys, all valid, in note order.
  std::vector<NoteSignature> unverified;  // From unknown keys, exact repeats dropped.
};

// Signs `text` with each of `signers`, in order, and returns the signed note. Requires
// CheckNoteText(text) to pass, 1 to kMaxNoteSignatures non-null signers with distinct
// name+key id, and the result to fit in kMaxNoteSize.
absl::StatusOr<std::string> SignNote(absl::string_view text,
                                     absl::Span<const NoteSigner* const> signers);

// The text of a signed note, unverified: everything up to and including the newline before the
// blank line that starts the signatures; all of `note` when it has no blank line.
absl::string_view NoteText(absl::string_view note);

// Parses signed note `msg` and checks its signatures against `verifiers` (non-null).
//   - Signatures whose name+key id match no verifier are unknown: kept in `unverified`,
//     otherwise ignored, even if they share a name or an id with a known key.
//   - A signature from a known key that fails to verify: Unauthenticated.
//   - No signature from a known key: Unauthenticated.
//   - Two signature lines from the same known key (name+id): InvalidArgument, stricter than
//     golang.org/x/mod/sumdb/note, which verifies the first and drops the rest.
//   - Two verifiers with the same name+id but different public keys, when a signature uses
//     that name+id: InvalidArgument (ambiguous key).
//   - Malformed notes (see the format above; over kMaxNoteSize bytes or kMaxNoteSignatures
//     signature lines): InvalidArgument.
// Thread-safe.
absl::StatusOr<Note> OpenNote(absl::string_view msg,
                              absl::Span<const NoteVerifier* const> verifiers);

// Appends `signatures` (for example witness cosignatures) to the well-formed signed note
// `signed_note`, without verifying anything. Each new signature needs a valid name, strict
// base64 of at least 5 bytes whose first 4 are its key id, and a name+key id not already in
// the note; the result must stay within kMaxNoteSignatures and kMaxNoteSize.
absl::StatusOr<std::string> AppendNoteSignatures(absl::string_view signed_note,
                                                 absl::Span<const NoteSignature> signatures);

}  // namespace vellum

#endif  // VELLUM_PROOF_NOTE_H_
