#include "api/message_codec.h"

#include <string>

#include "api/log.pb.h"
#include "gtest/gtest.h"

namespace vellum {
namespace api {
namespace {

HttpRequest Accepting(std::string accept) {
  HttpRequest request;
  request.headers["accept"] = std::move(accept);
  return request;
}

TEST(MessageCodecTest, ProtobufOnlyWhenAcceptListsItWithoutRefusingIt) {
  for (const char* yes : {"application/x-protobuf", "Application/X-Protobuf",
                          "application/json, application/x-protobuf;q=0.5",
                          " application/x-protobuf ; charset=binary",
                          "application/x-protobuf;q=0, application/x-protobuf;q=1"}) {
    EXPECT_TRUE(WantsProtobuf(Accepting(yes))) << yes;
  }
  for (const char* no :
       {"", "*/*", "application/json", "application/x-protobuffer",
        "text/application/x-protobuf", "application/x-protobuf;q=0",
        "application/x-protobuf ; Q=0.000", "application/json;x=application/x-protobuf"}) {
    EXPECT_FALSE(WantsProtobuf(Accepting(no))) << no;
  }
  EXPECT_FALSE(WantsProtobuf(HttpRequest()));
}

TEST(MessageCodecTest, EncodesAsAsked) {
  ConsistencyProof message;
  message.set_from(1);
  message.set_to(2);
  message.add_proof(std::string(32, 'h'));
  HttpResponse binary = EncodeMessage(true, message);
  EXPECT_EQ(binary.status, 200);
  EXPECT_EQ(binary.content_type, kProtobufType);
  ConsistencyProof parsed;
  ASSERT_TRUE(parsed.ParseFromString(binary.body));
  EXPECT_EQ(parsed.proof(0), message.proof(0));
  HttpResponse json = EncodeMessage(false, message);
  EXPECT_EQ(json.content_type, "application/json");
  EXPECT_EQ(json.body.back(), '\n');
  EXPECT_NE(json.body.find("\"from\":\"1\""), std::string::npos) << json.body;
}

TEST(MessageCodecTest, ThreadMessageIsClearedForEachUse) {
  ConsistencyProof& first = ThreadMessage<ConsistencyProof>();
  first.set_from(7);
  first.add_proof("a");
  first.add_proof("b");
  ConsistencyProof& second = ThreadMessage<ConsistencyProof>();
  EXPECT_EQ(&first, &second);
  EXPECT_EQ(second.from(), 0u);
  EXPECT_EQ(second.proof_size(), 0);
  second.add_proof("c");
  EXPECT_EQ(second.proof(0), "c");
}

}  // namespace
}  // namespace api
}  // namespace vellum
