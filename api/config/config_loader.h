#ifndef VELLUM_API_CONFIG_CONFIG_LOADER_H_
#define VELLUM_API_CONFIG_CONFIG_LOADER_H_

// vellumd's configuration file (config.proto, docs/operations.md): the YAML loader, the checks
// that belong to the configuration itself, its canonical text and the digests of the files it
// names. Every function here is thread-safe.

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "api/config/config.pb.h"
#include "proof/crypto.h"

namespace vellum {
namespace api {
namespace config {

// The largest configuration file LoadConfigFile reads.
inline constexpr size_t kMaxConfigBytes = 1 << 20;

// Parses the YAML text of a configuration file, checks it (ValidateConfig) and makes every
// relative path in it absolute against `base_dir` (MakePathsAbsolute), which must be absolute.
// Keys are config.proto's field names. Fails with InvalidArgument naming the key path and line
// on unknown keys, wrong types, out-of-range numbers and refused values, e.g.
//   auth.oidc[0].audiences (line 7): want a list of strings, got a map
// and on YAML that yaml_document.h refuses (anchors, aliases, merge keys, tags, duplicate keys,
// nesting deeper than 16 levels, more than 100000 nodes, more than kMaxConfigBytes).
absl::StatusOr<Config> ParseConfig(absl::string_view yaml, absl::string_view base_dir);

// Reads `path` (at most kMaxConfigBytes) and parses it with ParseConfig, relative paths
// resolving against the file's folder. Errors name the file.
absl::StatusOr<Config> LoadConfigFile(absl::string_view path);

// The checks that belong to the configuration itself, each error naming the key path:
// `listen` is HOST:PORT; tls has both cert_file and key_file or neither, and
// require_client_cert needs client_ca_file; each OIDC issuer has an issuer, at least one
// audience, exactly one of jwks_file and jwks_uri (https://), algorithms among RS256, ES256 and
// EdDSA, and leeway_seconds at most 300; each binding names exactly one of principal and group
// and at least one role; roles and separation-of-duties sets are lists of non-empty strings;
// witnesses have a url and a vkey; the sequencer, HTTP and witnessing numbers are in range.
// Permission names are checked by ledger/identity, not here.
absl::Status ValidateConfig(const Config& config);

// Makes every relative path of `config` absolute against `base_dir`: the fields named *_file or
// *_dir, and signer_key. Requires `base_dir` to be absolute.
void MakePathsAbsolute(absl::string_view base_dir, Config* config);

// Parses a listen address HOST:PORT, IPv6 hosts in brackets ("[::1]:8443"), into host and port.
// Port 0 asks the kernel for a free port. `what` names the value in errors ("--listen").
absl::StatusOr<std::pair<std::string, uint16_t>> ParseListenAddress(absl::string_view listen,
                                                                    absl::string_view what);

// The configuration's canonical text: proto3 JSON with config.proto's field names, fields in
// field-number order, map keys sorted, no insignificant whitespace. Equal configurations give
// equal text, however their YAML was written. It holds no secrets: the schema has only their
// files' paths.
std::string CanonicalText(const Config& config);

// The configuration as the log records it (ledger::ConfigApplied): its canonical text with each
// principal that a binding or a quota names replaced by "$<i>", its position in `principals`
// (in order of first appearance; a quota's "*" stays), so that the text holds no identity and
// the principals can be sealed, each under its own key (docs/privacy.md).
struct RecordedConfig {
  std::string canonical_text;
  std::vector<std::string> principals;
};
RecordedConfig RecordedConfigOf(const Config& config);

// SHA-256 of RecordedConfigOf(config).canonical_text: the digest the log records and vellumd
// prints.
crypto::Sha256Digest CanonicalSha256(const Config& config);

// The SHA-256 of every file the configuration names, by absolute path: auth.token_file, the tls
// files, each OIDC issuer's jwks_file, jwks_ca_file and jwks_token_file, signer_key,
// ingest.k8s_resources_file, and each regular file in ingest.secrets_dir. Fails, naming the key
// path and the file, if one cannot be read or is larger than 1 MiB. Requires the paths to be
// absolute (ParseConfig's result). For ConfigApplied.files (ledger/events/audit_event.proto).
absl::StatusOr<std::map<std::string, crypto::Sha256Digest>> DigestNamedFiles(
    const Config& config);

}  // namespace config
}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_CONFIG_CONFIG_LOADER_H_
