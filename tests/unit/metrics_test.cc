// The Prometheus text exposition: counters by labels, cumulative histogram buckets with +Inf,
// sum and count, label values escaped, numbers in their shortest form.
#include <gtest/gtest.h>

#include "common/metrics.h"

namespace idgate {
namespace {

TEST(MetricsTest, CountersAndHistogramsInTheTextFormat) {
  CounterFamily c("t_requests_total", "Requests", {"route", "status"});
  c.add({"/a", "200"});
  c.add({"/a", "200"}, 2);
  c.add({"say \"hi\"\\\n", "500"});
  EXPECT_EQ(c.value({"/a", "200"}), 3u);
  EXPECT_EQ(c.value({"/b", "200"}), 0u);
  std::string out;
  c.render(out);
  EXPECT_EQ(out,
            "# HELP t_requests_total Requests\n# TYPE t_requests_total counter\n"
            "t_requests_total{route=\"/a\",status=\"200\"} 3\n"
            "t_requests_total{route=\"say \\\"hi\\\"\\\\\\n\",status=\"500\"} 1\n");

  HistogramFamily h("t_seconds", "Time", {}, {0.005, 0.1});
  h.observe({}, 0.001);
  h.observe({}, 0.005);
  h.observe({}, 0.05);
  h.observe({}, 3);
  EXPECT_EQ(h.count({}), 4u);
  out.clear();
  h.render(out);
  EXPECT_EQ(out,
            "# HELP t_seconds Time\n# TYPE t_seconds histogram\n"
            "t_seconds_bucket{le=\"0.005\"} 2\n"
            "t_seconds_bucket{le=\"0.1\"} 3\n"
            "t_seconds_bucket{le=\"+Inf\"} 4\n"
            "t_seconds_sum 3.056\n"
            "t_seconds_count 4\n");
}

TEST(MetricsTest, TheRegistryRendersCollectorsAndTheProcess) {
  Metrics& m = Metrics::get();
  int id =
      m.addCollector([](std::string& out) { out += "# TYPE t_collected gauge\nt_collected 7\n"; });
  std::string text = m.render();
  EXPECT_NE(text.find("t_collected 7\n"), std::string::npos);
  EXPECT_NE(text.find("\nprocess_resident_memory_bytes "), std::string::npos);
  EXPECT_NE(text.find("\nprocess_cpu_seconds_total "), std::string::npos);
  m.removeCollector(id);
  EXPECT_EQ(m.render().find("t_collected"), std::string::npos);
}

}  // namespace
}  // namespace idgate
