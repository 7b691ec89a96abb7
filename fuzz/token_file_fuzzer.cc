// Fuzzes the token file (ledger::identity::TokenSet) and the checking of an Authorization header
// by api::Authorizer with the rules of that file (api::TokenFileRules), for an append.
//
// Input: one flags byte, then a token up to the first newline, then the token file's contents.
// The flags choose whether the file also gets the raw token as a line (an operator's mistake
// whose error must not echo the token), or the token's proper hash line, and which
// Authorization header the request carries. Invariants: a bearer token is accepted exactly when
// its hash line is in the file; errors have the documented codes; and no error message repeats
// a token of 8 bytes or more (secrets never go into messages, which end up in logs and
// responses). A message may only contain the token where the same message for a different token
// does too (a token like "bearer t" is part of the fixed wording).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "api/authorizer.h"
#include "ledger/identity/token_file.h"
#include "api/http.h"

namespace {

using vellum::api::HttpRequest;
using vellum::ledger::identity::TokenSet;

constexpr size_t kMinSecretBytes = 8;

void Check(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "token_file_fuzzer: %s\n", what);
  __builtin_trap();
}

// Fails if `message` shows `token` although `reference`, the message for another token, does
// not.
void CheckNoEcho(absl::string_view message, absl::string_view reference, absl::string_view token) {
  if (token.size() < kMinSecretBytes) return;
  Check(!absl::StrContains(message, token) || absl::StrContains(reference, token),
        "an error message repeats the token");
}

// Whether a line of `contents` lists `hash` (its first field).
bool FileHasLine(absl::string_view contents, absl::string_view hash) {
  for (absl::string_view l : absl::StrSplit(contents, '\n')) {
    l = absl::StripAsciiWhitespace(l);
    if (l.substr(0, l.find_first_of(" \t")) == hash) return true;
  }
  return false;
}

// The Authorizer's answer to an append with `header`, as a status: OK when it passes, else
// Unauthenticated or PermissionDenied with the answer's body.
absl::Status CheckHeader(vellum::api::Authorizer& authorizer, absl::string_view header) {
  HttpRequest request;
  request.method = "POST";
  request.target = "/v1/entries";
  request.headers["authorization"] = std::string(header);
  absl::Status status = absl::InternalError("no answer");
  authorizer.Admit(request, [&](vellum::api::HttpServer::Admission admission) {
    if (!admission.answer.has_value()) {
      status = absl::OkStatus();
    } else if (admission.answer->status == 401) {
      status = absl::UnauthenticatedError(admission.answer->body);
    } else {
      status = absl::PermissionDeniedError(admission.answer->body);
    }
  });
  return status;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t flags = data[0];
  const absl::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const size_t newline = input.find('\n');
  const absl::string_view token = input.substr(0, newline);
  const absl::string_view rest =
      newline == absl::string_view::npos ? absl::string_view() : input.substr(newline + 1);

  const std::string hash_line = TokenSet::Line(token);
  Check(hash_line.size() == 64, "TokenFileLine must be 64 hex digits");
  for (char c : hash_line) Check(absl::ascii_isxdigit(c) && !absl::ascii_isupper(c), "lower hex");

  std::string contents(rest);
  std::string reference_contents(rest);
  switch (flags & 3) {
    case 1:  // The raw token pasted into the file instead of its hash.
      absl::StrAppend(&contents, "\n", token, "\n");
      absl::StrAppend(&reference_contents, "\n", std::string(token.size(), '!'), "\n");
      break;
    case 2:
      absl::StrAppend(&contents, "\n", hash_line, "\n");
      absl::StrAppend(&reference_contents, "\n", hash_line, "\n");
      break;
    default:
      break;
  }

  absl::StatusOr<std::unique_ptr<TokenSet>> tokens = TokenSet::Parse(contents);
  if (!tokens.ok()) {
    Check(tokens.status().code() == absl::StatusCode::kInvalidArgument,
          "a bad token file must be InvalidArgument");
    absl::StatusOr<std::unique_ptr<TokenSet>> reference = TokenSet::Parse(reference_contents);
    CheckNoEcho(tokens.status().message(), reference.status().message(), token);
    return 0;
  }
  absl::StatusOr<std::shared_ptr<const vellum::api::AccessRules>> rules =
      vellum::api::TokenFileRules(*std::move(tokens));
  Check(rules.ok(), "a token file's rules must be valid");
  vellum::api::Authorizer authorizer(*std::move(rules), vellum::api::Authorizer::Options());

  std::string header;
  switch ((flags >> 2) & 3) {
    case 0: header = absl::StrCat("Bearer ", token); break;
    case 1: header = std::string(token); break;
    case 2: header = absl::StrCat("bearer ", token); break;
    case 3: header = absl::StrCat("Bearer  ", token); break;
  }
  absl::Status status = CheckHeader(authorizer, header);
  const bool known = FileHasLine(contents, hash_line);
  // The scheme is case-insensitive: "bearer " is as good as "Bearer ".
  if ((((flags >> 2) & 3) == 0 || ((flags >> 2) & 3) == 2) && !token.empty()) {
    Check(status.ok() == known, "a token must be accepted exactly when its hash is in the file");
  }
  if (status.ok()) {
    // Then some suffix of the header after "Bearer " (in any case) is a token whose hash is in
    // the file.
    Check(absl::StartsWithIgnoreCase(header, "bearer "), "accepted a header without \"Bearer \"");
    const std::string accepted = TokenSet::Line(header.substr(7));
    Check(FileHasLine(contents, accepted), "accepted a token whose hash is not in the file");
    return 0;
  }
  Check(status.code() == absl::StatusCode::kUnauthenticated,
        "a rejected token must be Unauthenticated");
  // The message for a different token of the same shape.
  std::string other = header;
  for (size_t i = header.size() - token.size(); i < other.size(); ++i) {
    other[i] = other[i] == '\x01' ? '\x02' : '\x01';
  }
  absl::Status reference = CheckHeader(authorizer, other);
  CheckNoEcho(status.message(), reference.message(), token);
  return 0;
}
