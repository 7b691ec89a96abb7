#include "proof/note.h"

#include <string.h>  // explicit_bzero

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "proof/base64.h"
#include "proof/big_endian.h"
#include "proof/text_lines.h"
#include "proof/utf8.h"

namespace vellum {
namespace {

constexpr absl::string_view kSignaturePrefix = "\xE2\x80\x94 ";  // U+2014 em dash, space.
constexpr absl::string_view kSignerKeyPrefix = "PRIVATE+KEY+";
constexpr size_t kKeyIdSize = 4;
constexpr size_t kEncodedEd25519KeySize = 1 + crypto::kEd25519PublicKeySize;

// Wipes secret bytes in a way the compiler may not elide.
void Wipe(std::string& secret) {
  explicit_bzero(&secret[0], secret.size());
  secret.clear();
}

// The Unicode White_Space property, which Go's unicode.IsSpace implements.
bool IsUnicodeSpace(char32_t r) {
  return (r >= 0x09 && r <= 0x0D) || r == 0x20 || r == 0x85 || r == 0xA0 || r == 0x1680 ||
         (r >= 0x2000 && r <= 0x200A) || r == 0x2028 || r == 0x2029 || r == 0x202F || r == 0x205F ||
         r == 0x3000;
}

// Checks the signed-note character rules: valid UTF-8, no ASCII control character but '\n'.
// `what` names the checked text in the message.
absl::Status CheckNoteChars(absl::string_view s, absl::string_view what) {
  for (size_t i = 0; i < s.size();) {
    char32_t r;
    size_t len = DecodeUtf8(s.substr(i), &r);
    if (len == 0) {
      return absl::InvalidArgumentError(absl::StrFormat("%s: invalid UTF-8 at byte %d", what, i));
    }
    if (r < 0x20 && r != '\n') {
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s: control character 0x%02x at byte %d, want none but newline", what, r, i));
    }
    i += len;
  }
  return absl::OkStatus();
}

// Says why `name` is not a valid key name, without quoting it (it may be a mangled secret).
absl::Status CheckKeyName(absl::string_view name) {
  if (name.empty()) return absl::InvalidArgumentError("key name is empty");
  for (size_t i = 0; i < name.size();) {
    char32_t r;
    size_t len = DecodeUtf8(name.substr(i), &r);
    if (len == 0) {
      return absl::InvalidArgumentError(
          absl::StrFormat("key name has invalid UTF-8 at byte %d", i));
    }
    if (IsUnicodeSpace(r)) {
      return absl::InvalidArgumentError(
          absl::StrFormat("key name has space U+%04X at byte %d, want none", r, i));
    }
    if (r < 0x20) {
      return absl::InvalidArgumentError(
          absl::StrFormat("key name has control character 0x%02x at byte %d, want none", r, i));
    }
    if (r == '+') {
      return absl::InvalidArgumentError(
          absl::StrFormat("key name has '+' at byte %d, want none", i));
    }
    i += len;
  }
  return absl::OkStatus();
}

std::string FormatKeyId(uint32_t key_id) { return absl::StrFormat("%08x", key_id); }

std::string KeyLabel(absl::string_view name, uint32_t key_id) {
  return absl::StrCat(name, "+", FormatKeyId(key_id));
}


constexpr size_t kTimestampSize = 8;

// The key id that a signature's bytes start with.
uint32_t KeyIdPrefix(absl::string_view signature) {
  return static_cast<uint32_t>(ReadBigEndian(signature.substr(0, kKeyIdSize)));
}


// The big-endian timestamp of a cosignature, or nullopt if it is over 2^63 - 1.
absl::optional<uint64_t> LoadTimestamp(absl::string_view b) {
  const uint64_t v = ReadBigEndian(b.substr(0, kTimestampSize));
  if (v > kMaxCosignatureTimestamp) return absl::nullopt;
  return v;
}

// Splits `s` at the first `sep`; returns false if there is none.
bool Chop(absl::string_view s, char sep, absl::string_view* before, absl::string_view* after) {
  size_t i = s.find(sep);
  if (i == absl::string_view::npos) return false;
  *before = s.substr(0, i);
  *after = s.substr(i + 1);
  return true;
}

// The fields of `<name>+<8 lowercase hex key id>+<base64 key>`. `key` may hold a secret.
struct KeyFields {
  std::string name;
  uint32_t key_id = 0;
  uint8_t type = 0;  // key[0]
  std::string key;
};

bool IsKnownKeyType(uint8_t type) {
  return type == kNoteSignatureTypeEd25519 || type == kNoteSignatureTypeCosignatureV1;
}

// Parses `<name>+<key id>+<base64 key>`; `what` names the key kind in messages. Messages never
// quote the input, which may be (part of) a signer key.
absl::StatusOr<KeyFields> ParseKeyFields(absl::string_view text, absl::string_view what) {
  absl::string_view name, rest, id_hex, key64;
  if (!Chop(text, '+', &name, &rest) || !Chop(rest, '+', &id_hex, &key64)) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": fewer than 3 '+'-separated fields, want <name>+<key id>+<key>"));
  }
  if (absl::Status s = CheckKeyName(name); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": ", s.message()));
  }
  KeyFields fields;
  fields.name = std::string(name);
  bool hex_ok = id_hex.size() == 8;
  for (char c : id_hex) {
    uint32_t digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else {
      hex_ok = false;
      break;
    }
    fields.key_id = (fields.key_id << 4) | digit;
  }
  if (!hex_ok) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s: key id field is not 8 lowercase hex digits (%d characters)", what, id_hex.size()));
  }
  absl::StatusOr<std::string> key = Base64DecodeStrict(key64);
  if (!key.ok()) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s: key field is not strict standard base64 (%d characters)", what, key64.size()));
  }
  fields.key = *std::move(key);
  if (fields.key.empty() || !IsKnownKeyType(static_cast<uint8_t>(fields.key[0]))) {
    std::string got = fields.key.empty()
                          ? "no type byte"
                          : absl::StrFormat("type 0x%02x", static_cast<uint8_t>(fields.key[0]));
    Wipe(fields.key);
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s: got %s, want 0x01 (Ed25519) or 0x04 (cosignature/v1)", what, got));
  }
  fields.type = static_cast<uint8_t>(fields.key[0]);
  if (fields.key.size() != kEncodedEd25519KeySize) {
    size_t got = fields.key.size();
    Wipe(fields.key);
    return absl::InvalidArgumentError(
        absl::StrFormat("%s: key is %d bytes, want %d (type byte and 32-byte Ed25519 key)", what,
                        got, kEncodedEd25519KeySize));
  }
  return fields;
}

std::string EncodeVerifierKey(absl::string_view name, uint32_t key_id, uint8_t type,
                              const crypto::Ed25519PublicKey& public_key) {
  std::string key(1, static_cast<char>(type));
  key.append(reinterpret_cast<const char*>(public_key.data()), public_key.size());
  return absl::StrCat(name, "+", FormatKeyId(key_id), "+", absl::Base64Escape(key));
}

// A signature line, parsed but not verified.
struct ParsedSignature {
  NoteSignature signature;
  std::string bytes;  // The signature, without the key id.
};

struct ParsedNote {
  absl::string_view text;
  std::vector<ParsedSignature> signatures;
};

}  // namespace

absl::string_view NoteText(absl::string_view note) {
  const size_t split = note.rfind("\n\n");
  return split == absl::string_view::npos ? note : note.substr(0, split + 1);
}

namespace {

// Parses a signed note's syntax and limits; checks no signature.
absl::StatusOr<ParsedNote> ParseSignedNote(absl::string_view msg) {
  if (msg.size() > kMaxNoteSize) {
    return absl::InvalidArgumentError(
        absl::StrFormat("malformed note: %d bytes, want at most %d", msg.size(), kMaxNoteSize));
  }
  if (absl::Status s = CheckNoteChars(msg, "malformed note"); !s.ok()) return s;
  size_t split = msg.rfind("\n\n");
  if (split == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        "malformed note: no blank line between the text and the signatures");
  }
  ParsedNote note;
  note.text = msg.substr(0, split + 1);
  absl::string_view block = msg.substr(split + 2);
  if (block.empty()) {
    return absl::InvalidArgumentError("malformed note: no signature lines after the blank line");
  }
  if (block.back() != '\n') {
    return absl::InvalidArgumentError(
        "malformed note: the last signature line does not end in a newline");
  }
  size_t count = std::count(block.begin(), block.end(), '\n');
  if (count > kMaxNoteSignatures) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "malformed note: %d signature lines, want at most %d", count, kMaxNoteSignatures));
  }
  note.signatures.reserve(count);
  for (size_t n = 1; !block.empty(); ++n) {
    size_t eol = block.find('\n');
    absl::string_view line = block.substr(0, eol);
    block.remove_prefix(eol + 1);
    if (!absl::ConsumePrefix(&line, kSignaturePrefix)) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "malformed note: signature line %d is %s, want \"\xE2\x80\x94 <name> <signature>\"", n,
          Quote(line)));
    }
    absl::string_view name, b64;
    if (!Chop(line, ' ', &name, &b64)) {
      return absl::InvalidArgumentError(
          absl::StrFormat("malformed note: signature line %d has no space after the key name", n));
    }
    if (absl::Status s = CheckKeyName(name); !s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrFormat("malformed note: signature line %d: %s", n, s.message()));
    }
    absl::StatusOr<std::string> raw = Base64DecodeStrict(b64);
    if (!raw.ok()) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "malformed note: signature line %d: signature is not strict standard base64 (%d "
          "characters)",
          n, b64.size()));
    }
    if (raw->size() < kKeyIdSize + 1) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "malformed note: signature line %d: signature is %d bytes, want at least %d (key id "
          "and signature)",
          n, raw->size(), kKeyIdSize + 1));
    }
    ParsedSignature sig;
    sig.signature.name = std::string(name);
    sig.signature.key_id = KeyIdPrefix(*raw);
    sig.signature.base64 = std::string(b64);
    sig.bytes = raw->substr(kKeyIdSize);
    note.signatures.push_back(std::move(sig));
  }
  return note;
}

std::string ListKeys(const std::vector<std::string>& labels) {
  constexpr size_t kMaxListed = 5;
  if (labels.size() <= kMaxListed) return absl::StrCat("[", absl::StrJoin(labels, ", "), "]");
  return absl::StrCat("[", absl::StrJoin(labels.begin(), labels.begin() + kMaxListed, ", "),
                      ", ...]");
}

}  // namespace

bool IsValidNoteKeyName(absl::string_view name) { return CheckKeyName(name).ok(); }

uint32_t NoteKeyId(absl::string_view name, uint8_t signature_type,
                   absl::Span<const uint8_t> public_key) {
  const char type = static_cast<char>(signature_type);
  crypto::Sha256Digest digest = crypto::Sha256(
      {name, "\n", absl::string_view(&type, 1),
       absl::string_view(reinterpret_cast<const char*>(public_key.data()), public_key.size())});
  return static_cast<uint32_t>(
      ReadBigEndian(absl::string_view(reinterpret_cast<const char*>(digest.data()), kKeyIdSize)));
}

absl::Status CheckNoteText(absl::string_view text) {
  if (text.size() > kMaxNoteSize) {
    return absl::InvalidArgumentError(
        absl::StrFormat("note text is %d bytes, want at most %d", text.size(), kMaxNoteSize));
  }
  if (text.empty() || text.back() != '\n') {
    return absl::InvalidArgumentError("note text does not end in a newline");
  }
  return CheckNoteChars(text, "note text");
}

NoteVerifier::NoteVerifier(std::string name, uint32_t key_id, uint8_t type,
                           const crypto::Ed25519PublicKey& public_key)
    : name_(std::move(name)), key_id_(key_id), type_(type), public_key_(public_key) {}

absl::StatusOr<std::unique_ptr<NoteVerifier>> NoteVerifier::Create(absl::string_view vkey) {
  if (absl::StartsWith(vkey, kSignerKeyPrefix)) {
    return absl::InvalidArgumentError(
        "verifier key: got a signer key (PRIVATE+KEY+...), want <name>+<key id>+<public key>");
  }
  absl::StatusOr<KeyFields> fields = ParseKeyFields(vkey, "verifier key");
  if (!fields.ok()) return fields.status();
  crypto::Ed25519PublicKey public_key;
  std::copy(fields->key.begin() + 1, fields->key.end(), public_key.begin());
  uint32_t want = NoteKeyId(fields->name, fields->type, public_key);
  if (fields->key_id != want) {
    return absl::InvalidArgumentError(
        absl::StrFormat("verifier key: key id %s does not match the key, want %s",
                        FormatKeyId(fields->key_id), FormatKeyId(want)));
  }
  return std::unique_ptr<NoteVerifier>(
      new NoteVerifier(std::move(fields->name), fields->key_id, fields->type, public_key));
}

absl::StatusOr<std::unique_ptr<NoteVerifier>> NoteVerifier::FromEd25519(
    absl::string_view name, const crypto::Ed25519PublicKey& public_key) {
  if (absl::Status s = CheckKeyName(name); !s.ok()) return s;
  return std::unique_ptr<NoteVerifier>(
      new NoteVerifier(std::string(name), NoteKeyId(name, kNoteSignatureTypeEd25519, public_key),
                       kNoteSignatureTypeEd25519, public_key));
}

bool NoteVerifier::Verify(absl::string_view msg, absl::Span<const uint8_t> signature) const {
  if (type_ == kNoteSignatureTypeEd25519) {
    return crypto::Ed25519Verify(public_key_, msg, signature);
  }
  if (signature.size() != kTimestampSize + crypto::kEd25519SignatureSize) return false;
  absl::optional<uint64_t> timestamp = LoadTimestamp(
      absl::string_view(reinterpret_cast<const char*>(signature.data()), kTimestampSize));
  if (!timestamp.has_value()) return false;
  return crypto::Ed25519Verify(public_key_, CosignatureMessage(msg, *timestamp),
                               signature.subspan(kTimestampSize));
}

std::string NoteVerifier::ToString() const {
  return EncodeVerifierKey(name_, key_id_, type_, public_key_);
}

NoteSigner::NoteSigner(std::string name, uint32_t key_id, uint8_t type,
                       std::unique_ptr<crypto::Ed25519PrivateKey> private_key)
    : name_(std::move(name)), key_id_(key_id), type_(type), private_key_(std::move(private_key)) {}

NoteSigner::~NoteSigner() = default;

absl::StatusOr<std::unique_ptr<NoteSigner>> NoteSigner::Create(absl::string_view skey) {
  absl::string_view rest = skey;
  if (!absl::ConsumePrefix(&rest, kSignerKeyPrefix)) {
    return absl::InvalidArgumentError("signer key: does not start with PRIVATE+KEY+");
  }
  absl::StatusOr<KeyFields> fields = ParseKeyFields(rest, "signer key");
  if (!fields.ok()) return fields.status();
  crypto::Ed25519Seed seed;
  std::copy(fields->key.begin() + 1, fields->key.end(), seed.begin());
  Wipe(fields->key);
  absl::StatusOr<std::unique_ptr<crypto::Ed25519PrivateKey>> private_key =
      crypto::Ed25519PrivateKey::Create(seed);
  explicit_bzero(seed.data(), seed.size());
  if (!private_key.ok()) return private_key.status();
  uint32_t want = NoteKeyId(fields->name, fields->type, (*private_key)->public_key());
  if (fields->key_id != want) {
    return absl::InvalidArgumentError(
        absl::StrFormat("signer key: key id %s does not match the key, want %s",
                        FormatKeyId(fields->key_id), FormatKeyId(want)));
  }
  return std::unique_ptr<NoteSigner>(new NoteSigner(std::move(fields->name), fields->key_id,
                                                    fields->type, *std::move(private_key)));
}

absl::StatusOr<std::string> NoteSigner::Sign(absl::string_view msg) const {
  if (type_ != kNoteSignatureTypeEd25519) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "key %s is a cosigner key (type 0x%02x): it signs checkpoints with Cosign, want an "
        "Ed25519 note key (type 0x01)",
        KeyLabel(name_, key_id_), type_));
  }
  absl::StatusOr<crypto::Ed25519Signature> sig = private_key_->Sign(msg);
  if (!sig.ok()) return sig.status();
  return std::string(reinterpret_cast<const char*>(sig->data()), sig->size());
}

absl::StatusOr<NoteSignature> NoteSigner::Cosign(absl::string_view text,
                                                 uint64_t timestamp) const {
  if (type_ != kNoteSignatureTypeCosignatureV1) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "key %s has type 0x%02x, want a cosigner key (type 0x04)", KeyLabel(name_, key_id_),
        type_));
  }
  if (timestamp > kMaxCosignatureTimestamp) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "cosignature timestamp %d is over the maximum %d", timestamp, kMaxCosignatureTimestamp));
  }
  if (absl::Status s = CheckNoteText(text); !s.ok()) return s;
  absl::StatusOr<crypto::Ed25519Signature> sig =
      private_key_->Sign(CosignatureMessage(text, timestamp));
  if (!sig.ok()) return sig.status();
  std::string bytes;
  AppendBigEndian(timestamp, kTimestampSize, &bytes);
  bytes.append(reinterpret_cast<const char*>(sig->data()), sig->size());
  return MakeNoteSignature(name_, key_id_, bytes);
}

std::string NoteSigner::VerifierKey() const {
  return EncodeVerifierKey(name_, key_id_, type_, private_key_->public_key());
}

absl::StatusOr<GeneratedKey> GenerateNoteKey(absl::string_view name, uint8_t type) {
  if (absl::Status s = CheckKeyName(name); !s.ok()) return s;
  if (!IsKnownKeyType(type)) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "key type 0x%02x, want 0x01 (Ed25519) or 0x04 (cosignature/v1)", type));
  }
  crypto::Ed25519Seed seed;
  if (absl::Status s = crypto::RandomBytes(absl::MakeSpan(seed)); !s.ok()) return s;
  absl::StatusOr<std::unique_ptr<crypto::Ed25519PrivateKey>> private_key =
      crypto::Ed25519PrivateKey::Create(seed);
  if (!private_key.ok()) {
    explicit_bzero(seed.data(), seed.size());
    return private_key.status();
  }
  const crypto::Ed25519PublicKey& public_key = (*private_key)->public_key();
  uint32_t key_id = NoteKeyId(name, type, public_key);
  std::string encoded_seed(1, static_cast<char>(type));
  encoded_seed.append(reinterpret_cast<const char*>(seed.data()), seed.size());
  explicit_bzero(seed.data(), seed.size());
  GeneratedKey key;
  key.signer_key = absl::StrCat(kSignerKeyPrefix, name, "+", FormatKeyId(key_id), "+",
                                absl::Base64Escape(encoded_seed));
  Wipe(encoded_seed);
  key.verifier_key = EncodeVerifierKey(name, key_id, type, public_key);
  return key;
}

absl::StatusOr<std::string> Ed25519NoteVerifierKey(absl::string_view name,
                                                   const crypto::Ed25519PublicKey& public_key) {
  if (absl::Status s = CheckKeyName(name); !s.ok()) return s;
  return EncodeVerifierKey(name, NoteKeyId(name, kNoteSignatureTypeEd25519, public_key),
                           kNoteSignatureTypeEd25519, public_key);
}

std::string CosignatureMessage(absl::string_view text, uint64_t timestamp) {
  return absl::StrCat("cosignature/v1\ntime ", timestamp, "\n", text);
}

absl::StatusOr<uint64_t> CosignatureTimestamp(const NoteSignature& signature) {
  absl::StatusOr<std::string> raw = Base64DecodeStrict(signature.base64);
  constexpr size_t kWant = kKeyIdSize + kTimestampSize + crypto::kEd25519SignatureSize;
  if (!raw.ok() || raw->size() != kWant) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "signature of %s is not a cosignature/v1: want base64 of %d bytes (key id, timestamp, "
        "Ed25519 signature)",
        KeyLabel(signature.name, signature.key_id), kWant));
  }
  absl::optional<uint64_t> timestamp =
      LoadTimestamp(absl::string_view(*raw).substr(kKeyIdSize, kTimestampSize));
  if (!timestamp.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrFormat("cosignature of %s has a timestamp over 2^63-1",
                        KeyLabel(signature.name, signature.key_id)));
  }
  return *timestamp;
}

std::string NoteSignatureLine(const NoteSignature& sig) {
  return absl::StrCat(kSignaturePrefix, sig.name, " ", sig.base64, "\n");
}

NoteSignature MakeNoteSignature(absl::string_view name, uint32_t key_id,
                                absl::string_view signature) {
  NoteSignature sig;
  sig.name = std::string(name);
  sig.key_id = key_id;
  std::string bytes;
  AppendBigEndian(key_id, kKeyIdSize, &bytes);
  bytes.append(signature.data(), signature.size());
  sig.base64 = absl::Base64Escape(bytes);
  return sig;
}

absl::StatusOr<std::string> SignNote(absl::string_view text,
                                     absl::Span<const NoteSigner* const> signers) {
  if (absl::Status s = CheckNoteText(text); !s.ok()) return s;
  if (signers.empty() || signers.size() > kMaxNoteSignatures) {
    return absl::InvalidArgumentError(
        absl::StrFormat("got %d signers, want 1 to %d", signers.size(), kMaxNoteSignatures));
  }
  std::string out = absl::StrCat(text, "\n");
  absl::flat_hash_set<std::pair<std::string, uint32_t>> seen;
  for (size_t i = 0; i < signers.size(); ++i) {
    const NoteSigner* signer = signers[i];
    if (signer == nullptr) {
      return absl::InvalidArgumentError(absl::StrFormat("signer %d is null", i));
    }
    if (!seen.emplace(signer->name(), signer->key_id()).second) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "signer %d repeats key %s", i, KeyLabel(signer->name(), signer->key_id())));
    }
    absl::StatusOr<std::string> sig = signer->Sign(text);
    if (!sig.ok()) return sig.status();
    out += NoteSignatureLine(MakeNoteSignature(signer->name(), signer->key_id(), *sig));
  }
  if (out.size() > kMaxNoteSize) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "signed note would be %d bytes, want at most %d", out.size(), kMaxNoteSize));
  }
  return out;
}

absl::StatusOr<Note> OpenNote(absl::string_view msg,
                              absl::Span<const NoteVerifier* const> verifiers) {
  for (size_t i = 0; i < verifiers.size(); ++i) {
    if (verifiers[i] == nullptr) {
      return absl::InvalidArgumentError(absl::StrFormat("verifier %d is null", i));
    }
  }
  absl::StatusOr<ParsedNote> parsed = ParseSignedNote(msg);
  if (!parsed.ok()) return parsed.status();

  Note note;
  note.text = std::string(parsed->text);
  absl::flat_hash_set<std::pair<std::string, uint32_t>> seen_known;
  absl::flat_hash_set<std::pair<std::string, std::string>> seen_unknown;
  std::vector<std::string> unknown_labels;
  for (const ParsedSignature& sig : parsed->signatures) {
    const NoteSignature& s = sig.signature;
    const NoteVerifier* verifier = nullptr;
    for (const NoteVerifier* v : verifiers) {
      if (v->name() != s.name || v->key_id() != s.key_id) continue;
      if (verifier != nullptr && verifier->public_key() != v->public_key()) {
        return absl::InvalidArgumentError(
            absl::StrFormat("ambiguous key %s: two verifiers with different public keys",
                            KeyLabel(s.name, s.key_id)));
      }
      verifier = v;
    }
    if (verifier == nullptr) {
      if (seen_unknown.emplace(s.name, s.base64).second) {
        note.unverified.push_back(s);
        unknown_labels.push_back(KeyLabel(s.name, s.key_id));
      }
      continue;
    }
    if (!seen_known.emplace(s.name, s.key_id).second) {
      return absl::InvalidArgumentError(
          absl::StrFormat("malformed note: more than one signature line for known key %s",
                          KeyLabel(s.name, s.key_id)));
    }
    if (!verifier->Verify(note.text,
                          absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(sig.bytes.data()),
                                              sig.bytes.size()))) {
      return absl::UnauthenticatedError(
          absl::StrFormat("invalid signature for key %s", KeyLabel(s.name, s.key_id)));
    }
    note.verified.push_back(s);
  }
  if (note.verified.empty()) {
    std::vector<std::string> known_labels;
    for (const NoteVerifier* v : verifiers)
      known_labels.push_back(KeyLabel(v->name(), v->key_id()));
    return absl::UnauthenticatedError(absl::StrFormat(
        "note has no verifiable signatures: got %d from unknown keys %s, want one from %s",
        note.unverified.size(), ListKeys(unknown_labels), ListKeys(known_labels)));
  }
  return note;
}

absl::StatusOr<std::string> AppendNoteSignatures(absl::string_view signed_note,
                                                 absl::Span<const NoteSignature> signatures) {
  absl::StatusOr<ParsedNote> parsed = ParseSignedNote(signed_note);
  if (!parsed.ok()) return parsed.status();
  size_t total = parsed->signatures.size() + signatures.size();
  if (total > kMaxNoteSignatures) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "note would have %d signatures, want at most %d", total, kMaxNoteSignatures));
  }
  absl::flat_hash_set<std::pair<std::string, uint32_t>> seen;
  for (const ParsedSignature& sig : parsed->signatures) {
    seen.emplace(sig.signature.name, sig.signature.key_id);
  }
  std::string out(signed_note);
  for (size_t i = 0; i < signatures.size(); ++i) {
    const NoteSignature& sig = signatures[i];
    if (absl::Status s = CheckKeyName(sig.name); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrFormat("signature %d: %s", i, s.message()));
    }
    absl::StatusOr<std::string> raw = Base64DecodeStrict(sig.base64);
    if (!raw.ok() || raw->size() < kKeyIdSize + 1) {
      return absl::InvalidArgumentError(
          absl::StrFormat("signature %d: want strict base64 of at least %d bytes (%d characters)",
                          i, kKeyIdSize + 1, sig.base64.size()));
    }
    if (KeyIdPrefix(*raw) != sig.key_id) {
      return absl::InvalidArgumentError(absl::StrFormat("signature %d: encoded key id %s, want %s",
                                                        i, FormatKeyId(KeyIdPrefix(*raw)),
                                                        FormatKeyId(sig.key_id)));
    }
    if (!seen.emplace(sig.name, sig.key_id).second) {
      return absl::InvalidArgumentError(
          absl::StrFormat("signature %d: the note already has a signature by key %s", i,
                          KeyLabel(sig.name, sig.key_id)));
    }
    out += NoteSignatureLine(sig);
  }
  if (out.size() > kMaxNoteSize) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "signed note would be %d bytes, want at most %d", out.size(), kMaxNoteSize));
  }
  return out;
}

}  // namespace vellum
