#include "protocol/report.h"

#include <gtest/gtest.h>

namespace pg::protocol {
namespace {

TEST(Report, HumanBytes) {
  EXPECT_EQ(human_bytes(0), "0 B");
  EXPECT_EQ(human_bytes(1023), "1023 B");
  EXPECT_EQ(human_bytes(1536), "1.50 KiB");
  EXPECT_EQ(human_bytes(uint64_t(3) << 30), "3.00 GiB");
}

TEST(Report, TableHasARowPerStageAndATotal) {
  const std::vector<StageStats> s = {{"merge", 0.5, 0, 0, 0}, {"online", 0.25, 2048, 1024, 3}};
  const std::string t = format_stage_table(s);
  EXPECT_NE(t.find("merge"), std::string::npos);
  EXPECT_NE(t.find("total            0.750 s       2.00 KiB       1.00 KiB       3"),
            std::string::npos)
      << t;
}

TEST(Report, JsonIsWellFormedAndEscaped) {
  EXPECT_EQ(json_string("a\"b\\c\n"), "\"a\\\"b\\\\c\\u000a\"");
  const std::vector<StageStats> s = {{"online", 1.5, 10, 20, 2}};
  EXPECT_EQ(stages_json(s),
            "[{\"name\":\"online\",\"seconds\":1.500000,\"bytes_client_to_server\":10,"
            "\"bytes_server_to_client\":20,\"rounds\":2}]");
  EXPECT_EQ(stages_json({}), "[]");
  EXPECT_GT(peak_rss_bytes(), 0u);
}

}  // namespace
}  // namespace pg::protocol
