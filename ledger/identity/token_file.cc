#include "ledger/identity/token_file.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "proof/crypto.h"

namespace vellum {
namespace ledger {
namespace identity {
namespace {

std::string Digest(absl::string_view token) {
  crypto::Sha256Digest digest = crypto::Sha256({token});
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

bool IsLowerHex(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isdigit(c) && !(c >= 'a' && c <= 'f')) return false;
  }
  return true;
}

}  // namespace

bool IsValidName(absl::string_view name) {
  if (name.empty() || name.size() > 256) return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(c) && absl::string_view(".-_:@/#+=").find(c) == absl::string_view::npos) {
      return false;
    }
  }
  return true;
}

absl::StatusOr<std::unique_ptr<TokenSet>> TokenSet::Parse(absl::string_view contents) {
  if (contents.size() > kMaxFileBytes) {
    return absl::InvalidArgumentError(absl::StrCat("token file: got ", contents.size(),
                                                   " bytes, want at most ", kMaxFileBytes));
  }
  absl::flat_hash_map<std::string, Principal> principals;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(contents, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    const absl::string_view hash = fields[0];
    if (hash.size() != 64 || !IsLowerHex(hash)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "token file line ", line_number, ": want 64 lowercase hex digits (a token's SHA-256)"));
    }
    if (fields.size() > 3) {
      return absl::InvalidArgumentError(absl::StrCat(
          "token file line ", line_number, ": got ", fields.size(),
          " fields, want <sha256-hex> [<principal> [group,group...]]"));
    }
    Principal principal;
    principal.authenticated_by = kByToken;
    principal.name = fields.size() > 1 ? std::string(fields[1])
                                       : absl::StrCat("token-", hash.substr(0, 12));
    if (!IsValidName(principal.name)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "token file line ", line_number,
          ": the principal's name must be 1 to 256 letters, digits or .-_:@/#+="));
    }
    if (fields.size() > 2) {
      for (absl::string_view group : absl::StrSplit(fields[2], ',')) {
        if (!IsValidName(group)) {
          return absl::InvalidArgumentError(absl::StrCat(
              "token file line ", line_number,
              ": each group's name must be 1 to 256 letters, digits or .-_:@/#+="));
        }
        principal.groups.emplace_back(group);
      }
    }
    if (!principals.emplace(absl::HexStringToBytes(hash), std::move(principal)).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("token file line ", line_number, ": the same token hash is listed twice"));
    }
  }
  if (principals.empty()) return absl::InvalidArgumentError("token file holds no token hash");
  return std::unique_ptr<TokenSet>(new TokenSet(std::move(principals)));
}

absl::optional<Principal> TokenSet::Find(absl::string_view token) const {
  auto it = principals_.find(Digest(token));
  if (it == principals_.end()) return absl::nullopt;
  return it->second;
}

std::vector<Principal> TokenSet::Principals() const {
  std::vector<Principal> out;
  for (const auto& entry : principals_) out.push_back(entry.second);
  return out;
}

std::string TokenSet::Line(absl::string_view token, absl::string_view principal,
                           absl::string_view groups) {
  std::string line = absl::BytesToHexString(Digest(token));
  if (!principal.empty()) absl::StrAppend(&line, " ", principal);
  if (!groups.empty()) absl::StrAppend(&line, " ", groups);
  return line;
}

}  // namespace identity
}  // namespace ledger
}  // namespace vellum
