#ifndef VELLUM_API_SERVER_PRIVACY_RULES_H_
#define VELLUM_API_SERVER_PRIVACY_RULES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "api/config/config.pb.h"
#include "ledger/privacy/custodian.h"

namespace vellum {
namespace api {

// The privacy section of a configuration as the custodian's options (docs/privacy.md,
// "Configuration"): the defaults (ledger::PrivacyRules::Default), then privacy.fields for every
// source, then privacy.sources.<source>.fields for that one (over ForServerEvents for
// vellum). `sources` are the names a source
// may have: the ingestion adapters', "native" and "vellum". Fails with InvalidArgument naming
// the key (an unknown field path or source, a rule that is not seal, drop or clear).
absl::StatusOr<ledger::Custodian::Options> PrivacyOptionsOf(
    const config::Config& config, const std::vector<std::string>& sources);

}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_SERVER_PRIVACY_RULES_H_
