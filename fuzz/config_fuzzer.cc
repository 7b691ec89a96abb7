// Fuzzes api::config::ParseConfig, the YAML configuration loader (yaml-cpp underneath).
//
// Input: the YAML text. Invariants: the loader never crashes or throws; it fails only with
// InvalidArgument and a message; a configuration it accepts passes ValidateConfig again, has
// every path absolute, and its canonical text parses back (protobuf's JSON parser, unknown
// fields refused) to the same configuration with the same canonical text.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "api/config/config.pb.h"
#include "api/config/config_loader.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"

namespace {

void Check(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "config_fuzzer: %s\n", what);
  __builtin_trap();
}

bool Absolute(const std::string& path) { return path.empty() || path[0] == '/'; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using vellum::api::config::Config;
  const absl::string_view yaml(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<Config> config = vellum::api::config::ParseConfig(yaml, "/etc/vellum");
  if (!config.ok()) {
    Check(config.status().code() == absl::StatusCode::kInvalidArgument, "unexpected error code");
    Check(!config.status().message().empty(), "empty error message");
    return 0;
  }
  Check(vellum::api::config::ValidateConfig(*config).ok(), "accepted config fails validation");
  Check(Absolute(config->data_dir()) && Absolute(config->signer_key()) &&
            Absolute(config->auth().token_file()) && Absolute(config->tls().cert_file()) &&
            Absolute(config->ingest().secrets_dir()),
        "relative path left in an accepted config");

  const std::string text = vellum::api::config::CanonicalText(*config);
  Config reparsed;
  Check(google::protobuf::util::JsonStringToMessage(text, &reparsed).ok(),
        "canonical text does not parse");
  Check(google::protobuf::util::MessageDifferencer::Equals(*config, reparsed),
        "canonical text does not round-trip");
  Check(vellum::api::config::CanonicalText(reparsed) == text, "canonical text is not stable");
  return 0;
}
