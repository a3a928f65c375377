// Counters, gauges and histograms in the Prometheus text format (GET /metrics). One registry
// for the process; a series is found by its label values under a shared lock and updated with
// atomics, so the request path never waits on a scrape.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

namespace idgate {

/// A family of counters with the same name and label names.
class CounterFamily {
 public:
  CounterFamily(std::string name, std::string help, std::vector<std::string> labels);
  void add(const std::vector<std::string>& values, uint64_t n = 1);
  uint64_t value(const std::vector<std::string>& values) const;
  void render(std::string& out) const;

 private:
  std::atomic<uint64_t>& series(const std::vector<std::string>& values);
  std::string name_, help_;
  std::vector<std::string> labels_;
  mutable std::shared_mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<std::atomic<uint64_t>>> series_;
};

/// A family of histograms (seconds, or any unit) over fixed buckets.
class HistogramFamily {
 public:
  HistogramFamily(std::string name, std::string help, std::vector<std::string> labels,
                  std::vector<double> bounds);
  void observe(const std::vector<std::string>& values, double v);
  uint64_t count(const std::vector<std::string>& values) const;
  void render(std::string& out) const;

 private:
  struct Series {
    explicit Series(size_t n) : buckets(n) {}
    std::vector<std::atomic<uint64_t>> buckets;  ///< non-cumulative; rendered cumulative
    std::atomic<uint64_t> count{0};
    std::atomic<uint64_t> sum_micro{0};  ///< the sum in millionths of the unit
  };
  Series& series(const std::vector<std::string>& values);
  std::string name_, help_;
  std::vector<std::string> labels_;
  std::vector<double> bounds_;
  mutable std::shared_mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<Series>> series_;
};

class Metrics {
 public:
  /// The process's registry.
  static Metrics& get();

  // HTTP (the HTTP layer records every request it answers; route is a bounded label).
  CounterFamily http_requests{"idgate_http_requests_total",
                              "HTTP requests answered, by route, method and status",
                              {"route", "method", "status"}};
  HistogramFamily http_duration{
      "idgate_http_request_duration_seconds",
      "Time from the request's head to its answer, by route",
      {"route"},
      {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}};
  std::atomic<int64_t> connections_open{0};
  CounterFamily connections_accepted{
      "idgate_http_connections_accepted_total", "Connections accepted", {}};
  // OAuth.
  CounterFamily tokens_issued{"idgate_tokens_issued_total",
                              "Access tokens issued, by grant type and client authentication "
                              "method",
                              {"grant_type", "auth_method"}};
  CounterFamily token_errors{
      "idgate_token_errors_total", "Token endpoint refusals, by OAuth error code", {"error"}};
  CounterFamily resource_auth{"idgate_resource_authentications_total",
                              "Resource server decisions (/api/me, /auth/check, routes, admin "
                              "bearer), by outcome",
                              {"outcome"}};
  // The JTI table.
  HistogramFamily jti_commit_rows{"idgate_jti_commit_rows",
                                  "Rows per JTI group commit",
                                  {},
                                  {1, 2, 4, 8, 16, 32, 64, 128, 256, 512}};
  HistogramFamily jti_commit_duration{
      "idgate_jti_commit_duration_seconds",
      "Time of one JTI group commit",
      {},
      {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1}};
  // The keystore.
  CounterFamily keystore_reloads{
      "idgate_keystore_reloads_total", "Keystore file reloads, by result", {"result"}};

  /// Sections rendered at scrape time by their owners (plugin call counts, ...): each appends
  /// complete families in the text format.
  using Collector = std::function<void(std::string& out)>;
  /// Returns an id for removeCollector (an owner that ends before the process must remove it).
  int addCollector(Collector c);
  void removeCollector(int id);

  /// The whole exposition, Prometheus text format 0.0.4.
  std::string render() const;

 private:
  Metrics() = default;
  mutable std::mutex collectors_mu_;
  std::map<int, Collector> collectors_;
  int next_collector_ = 0;
};

/// Label value escaping of the text format (backslash, double quote, newline).
std::string metricLabelValue(const std::string& v);

/// "# HELP name help\n# TYPE name type\n", for a collector writing a family of its own.
void metricFamilyHeader(std::string& out, const std::string& name, const std::string& help,
                        const char* type);

}  // namespace idgate
