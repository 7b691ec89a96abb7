#include "api/server/gate_rules.h"

#include <functional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vellum {
namespace api {
namespace {

using ::testing::HasSubstr;

TEST(GateRulesTest, DefaultsAndGivenKeys) {
  config::GateAdmission admission;
  absl::StatusOr<AdmissionConfig> config = AdmissionConfigOf(admission);
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->resources,
            (std::vector<std::string>{"serving.kserve.io/inferenceservices", "apps/deployments"}));
  EXPECT_TRUE(config->namespaces.empty());
  EXPECT_EQ(config->model_key, "vellum.dev/model");

  admission.add_resources("/pods");
  config::AdmissionNamespace* ns = admission.add_namespaces();
  ns->set_namespace_("ml-prod-*");
  ns->set_environment("production");
  admission.add_exempt_namespaces("vellum-system");
  admission.set_digest_key("example.com/digest");
  config = AdmissionConfigOf(admission);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->resources, (std::vector<std::string>{"/pods"}));
  ASSERT_EQ(config->namespaces.size(), 1u);
  EXPECT_EQ(config->namespaces[0].first, "ml-prod-*");
  EXPECT_EQ(config->namespaces[0].second, "production");
  EXPECT_EQ(config->exempt_namespaces, (std::vector<std::string>{"vellum-system"}));
  EXPECT_EQ(config->digest_key, "example.com/digest");
  EXPECT_EQ(config->version_key, "vellum.dev/model-version");
}

TEST(GateRulesTest, BadValuesNameTheKey) {
  auto error = [](const std::function<void(config::GateAdmission*)>& set) -> std::string {
    config::GateAdmission admission;
    set(&admission);
    return std::string(AdmissionConfigOf(admission).status().message());
  };
  EXPECT_THAT(error([](config::GateAdmission* a) { a->add_resources("deployments"); }),
              HasSubstr("gate.admission.resources[0]: want <api group>/<resource>"));
  EXPECT_THAT(error([](config::GateAdmission* a) { a->add_resources("Apps/Deployments"); }),
              HasSubstr("lowercase"));
  EXPECT_THAT(error([](config::GateAdmission* a) { a->add_namespaces()->set_namespace_("p"); }),
              HasSubstr("gate.admission.namespaces[0].environment: got none"));
  EXPECT_THAT(error([](config::GateAdmission* a) {
                auto* ns = a->add_namespaces();
                ns->set_namespace_("a b");
                ns->set_environment("production");
              }),
              HasSubstr("namespaces[0].namespace: want printable ASCII without spaces"));
  EXPECT_THAT(error([](config::GateAdmission* a) {
                for (size_t i = 0; i <= kMaxAdmissionNamespaces; ++i) {
                  a->add_exempt_namespaces("x");
                }
              }),
              HasSubstr("want at most 256"));
  EXPECT_THAT(error([](config::GateAdmission* a) { a->set_model_key(std::string(318, 'k')); }),
              HasSubstr("gate.admission.model_key: got 318 bytes"));
}

}  // namespace
}  // namespace api
}  // namespace vellum
