#ifndef VELLUM_PROOF_NOTE_H_
#define VELLUM_PROOF_NOTE_H_

// Signed notes (c2sp.org/signed-note) with Ed25519 keys in the text formats of
// golang.org/x/mod/sumdb/note:
//
//   verifier key  <name>+<8 hex key id>+<base64(0x01 || 32-byte public key)>
//   signer key    PRIVATE+KEY+<name>+<8 hex key id>+<base64(0x01 || 32-byte seed)>
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

// Signature type byte of Ed25519 note signatures (c2sp.org/signed-note).
inline constexpr uint8_t kNoteSignatureTypeEd25519 = 0x01;

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

// The Ed25519 public key of a signed-note verifier key. Immutable, so thread-safe.
class NoteVerifier {
 public:
  // Parses a verifier key `<name>+<8 hex key id>+<base64(0x01 || public key)>`. The key id must
  // be 8 lowercase hex digits equal to NoteKeyId(name, 0x01, public key), the base64 standard and
  // padded, and the name valid. Rejects signer keys without echoing them.
  static absl::StatusOr<std::unique_ptr<NoteVerifier>> Create(absl::string_view vkey);

  // Builds the verifier for `public_key` under `name`, which must be a valid key name.
  static absl::StatusOr<std::unique_ptr<NoteVerifier>> FromEd25519(
      absl::string_view name, const crypto::Ed25519PublicKey& public_key);

  const std::string& name() const { return name_; }
  uint32_t key_id() const { return key_id_; }
  const crypto::Ed25519PublicKey& public_key() const { return public_key_; }

  // Returns true if `signature` (64 bytes, without the key id) is a valid Ed25519 signature of
  // `msg` by this key.
  bool Verify(absl::string_view msg, absl::Span<const uint8_t> signature) const;

  // Returns the verifier key text; Create(ToString()) gives back an equal verifier.
  std::string ToString() const;

 private:
  NoteVerifier(std::string name, uint32_t key_id, const crypto::Ed25519PublicKey& public_key);

  std::string name_;
  uint32_t key_id_;
  crypto::Ed25519PublicKey public_key_;
};

// An Ed25519 signer key for notes. Owns the private key; immutable after creation, so Sign()
// is thread-safe. Error messages never contain any part of the signer key text.
class NoteSigner {
 public:
  // Parses a signer key `PRIVATE+KEY+<name>+<8 hex key id>+<base64(0x01 || 32-byte seed)>`. The
  // key id must be 8 lowercase hex digits equal to the id of the derived public key.
  static absl::StatusOr<std::unique_ptr<NoteSigner>> Create(absl::string_view skey);

  NoteSigner(const NoteSigner&) = delete;
  NoteSigner& operator=(const NoteSigner&) = delete;
  ~NoteSigner();

  const std::string& name() const { return name_; }
  uint32_t key_id() const { return key_id_; }

  // Returns the 64-byte Ed25519 signature of `msg` (without the key id).
  absl::StatusOr<std::string> Sign(absl::string_view msg) const;

  // Returns the verifier key text for this signer.
  std::string VerifierKey() const;

 private:
  NoteSigner(std::string name, uint32_t key_id,
             std::unique_ptr<crypto::Ed25519PrivateKey> private_key);

  std::string name_;
  uint32_t key_id_;
  std::unique_ptr<crypto::Ed25519PrivateKey> private_key_;
};

// A freshly generated key pair in text form. `signer_key` is secret.
struct GeneratedKey {
  std::string signer_key;
  std::string verifier_key;
};

// Generates an Ed25519 key pair named `name` (which must be a valid key name) from
// crypto::RandomBytes. Thread-safe.
absl::StatusOr<GeneratedKey> GenerateNoteKey(absl::string_view name);

// Returns the verifier key text for an Ed25519 `public_key` named `name`, which must be a
// valid key name.
absl::StatusOr<std::string> Ed25519NoteVerifierKey(absl::string_view name,
                                                   const crypto::Ed25519PublicKey& public_key);

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
