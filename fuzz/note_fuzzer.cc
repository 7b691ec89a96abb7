// Opens the input as a signed note with one known key, and parses it as a verifier key and as
// a signer key. Opened notes must have a verified signature and a text that prefixes the input;
// parsed keys must re-encode to the input exactly; errors have only the documented codes.

#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "proof/note.h"

namespace {

// A test vector from golang.org/x/mod/sumdb/note (BSD-style license); the seed corpus holds
// notes it signed.
constexpr absl::string_view kVerifierKey =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const vellum::NoteVerifier* const verifier =
      vellum::NoteVerifier::Create(kVerifierKey)->release();
  const absl::string_view input(reinterpret_cast<const char*>(data), size);

  absl::StatusOr<vellum::Note> note = vellum::OpenNote(input, {verifier});
  if (note.ok()) {
    if (note->verified.empty() || !absl::StartsWith(input, note->text) ||
        !vellum::CheckNoteText(note->text).ok()) {
      __builtin_trap();
    }
  } else if (note.status().code() != absl::StatusCode::kInvalidArgument &&
             note.status().code() != absl::StatusCode::kUnauthenticated) {
    __builtin_trap();
  }

  absl::StatusOr<std::unique_ptr<vellum::NoteVerifier>> v = vellum::NoteVerifier::Create(input);
  if (v.ok()) {
    if ((*v)->ToString() != input) __builtin_trap();
  } else if (v.status().code() != absl::StatusCode::kInvalidArgument) {
    __builtin_trap();
  }

  absl::StatusOr<std::unique_ptr<vellum::NoteSigner>> s = vellum::NoteSigner::Create(input);
  if (s.ok()) {
    if (!vellum::NoteVerifier::Create((*s)->VerifierKey()).ok()) __builtin_trap();
  } else if (s.status().code() != absl::StatusCode::kInvalidArgument) {
    __builtin_trap();
  }
  return 0;
}
