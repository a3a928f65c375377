#include "common/metrics.h"

#include <unistd.h>

#include <dirent.h>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace idgate {
namespace {

std::string labelSet(const std::vector<std::string>& names, const std::vector<std::string>& values,
                     const std::string& extra = "") {
  std::string out;
  for (size_t i = 0; i < names.size() && i < values.size(); ++i) {
    out += (out.empty() ? "" : ",") + names[i] + "=\"" + metricLabelValue(values[i]) + "\"";
  }
  if (!extra.empty()) out += (out.empty() ? "" : ",") + extra;
  return out.empty() ? "" : "{" + out + "}";
}

std::string number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  for (int precision = 6; precision <= 17; ++precision) {  // the shortest form that reads back
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

/// Process figures from /proc (Linux): CPU seconds, resident memory, open descriptors, start.
void renderProcess(std::string& out) {
  static const long ticks = sysconf(_SC_CLK_TCK);
  static const long page = sysconf(_SC_PAGESIZE);
  std::ifstream stat("/proc/self/stat");
  std::string line;
  std::getline(stat, line);
  // Fields after the command (which is in parentheses and may hold spaces).
  size_t close = line.rfind(')');
  if (close != std::string::npos && ticks > 0) {
    std::istringstream rest(line.substr(close + 2));
    std::vector<std::string> f;
    for (std::string x; rest >> x;) f.push_back(x);
    // f[0] is field 3 (state): utime is field 14, stime 15, starttime 22.
    if (f.size() > 19) {
      double cpu = (std::stod(f[11]) + std::stod(f[12])) / static_cast<double>(ticks);
      metricFamilyHeader(out, "process_cpu_seconds_total", "User and system CPU time spent",
                         "counter");
      out += "process_cpu_seconds_total " + number(cpu) + "\n";
      std::ifstream uptime("/proc/uptime");
      double up = 0;
      uptime >> up;
      double boot = static_cast<double>(time(nullptr)) - up;
      metricFamilyHeader(out, "process_start_time_seconds",
                         "Start time of the process since the epoch", "gauge");
      out += "process_start_time_seconds " +
             number(std::floor(boot + std::stod(f[19]) / static_cast<double>(ticks))) + "\n";
    }
  }
  std::ifstream statm("/proc/self/statm");
  long size = 0, resident = 0;
  if (statm >> size >> resident) {
    metricFamilyHeader(out, "process_resident_memory_bytes", "Resident memory size", "gauge");
    out += "process_resident_memory_bytes " + number(static_cast<double>(resident) * page) + "\n";
    metricFamilyHeader(out, "process_virtual_memory_bytes", "Virtual memory size", "gauge");
    out += "process_virtual_memory_bytes " + number(static_cast<double>(size) * page) + "\n";
  }
  if (DIR* d = opendir("/proc/self/fd")) {
    int n = 0;
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] != '.') ++n;
    }
    closedir(d);
    metricFamilyHeader(out, "process_open_fds", "Open file descriptors", "gauge");
    out += "process_open_fds " + std::to_string(n - 1) + "\n";  // less the one reading
  }
}

}  // namespace

void metricFamilyHeader(std::string& out, const std::string& name, const std::string& help,
                        const char* type) {
  out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

std::string metricLabelValue(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

CounterFamily::CounterFamily(std::string name, std::string help, std::vector<std::string> labels)
    : name_(std::move(name)), help_(std::move(help)), labels_(std::move(labels)) {}

std::atomic<uint64_t>& CounterFamily::series(const std::vector<std::string>& values) {
  {
    std::shared_lock<std::shared_mutex> lock(mu_);
    auto it = series_.find(values);
    if (it != series_.end()) return *it->second;
  }
  std::unique_lock<std::shared_mutex> lock(mu_);
  auto& slot = series_[values];
  if (!slot) slot = std::make_unique<std::atomic<uint64_t>>(0);
  return *slot;
}

void CounterFamily::add(const std::vector<std::string>& values, uint64_t n) {
  series(values).fetch_add(n, std::memory_order_relaxed);
}

uint64_t CounterFamily::value(const std::vector<std::string>& values) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  auto it = series_.find(values);
  return it == series_.end() ? 0 : it->second->load(std::memory_order_relaxed);
}

void CounterFamily::render(std::string& out) const {
  metricFamilyHeader(out, name_, help_, "counter");
  std::shared_lock<std::shared_mutex> lock(mu_);
  if (series_.empty() && labels_.empty()) out += name_ + " 0\n";
  for (const auto& [values, v] : series_) {
    out += name_ + labelSet(labels_, values) + " " +
           std::to_string(v->load(std::memory_order_relaxed)) + "\n";
  }
}

HistogramFamily::HistogramFamily(std::string name, std::string help,
                                 std::vector<std::string> labels, std::vector<double> bounds)
    : name_(std::move(name)),
      help_(std::move(help)),
      labels_(std::move(labels)),
      bounds_(std::move(bounds)) {}

HistogramFamily::Series& HistogramFamily::series(const std::vector<std::string>& values) {
  {
    std::shared_lock<std::shared_mutex> lock(mu_);
    auto it = series_.find(values);
    if (it != series_.end()) return *it->second;
  }
  std::unique_lock<std::shared_mutex> lock(mu_);
  auto& slot = series_[values];
  if (!slot) slot = std::make_unique<Series>(bounds_.size() + 1);
  return *slot;
}

void HistogramFamily::observe(const std::vector<std::string>& values, double v) {
  Series& s = series(values);
  size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  s.buckets[i].fetch_add(1, std::memory_order_relaxed);
  s.count.fetch_add(1, std::memory_order_relaxed);
  s.sum_micro.fetch_add(static_cast<uint64_t>(std::max(0.0, v) * 1e6), std::memory_order_relaxed);
}

uint64_t HistogramFamily::count(const std::vector<std::string>& values) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  auto it = series_.find(values);
  return it == series_.end() ? 0 : it->second->count.load(std::memory_order_relaxed);
}

void HistogramFamily::render(std::string& out) const {
  metricFamilyHeader(out, name_, help_, "histogram");
  std::shared_lock<std::shared_mutex> lock(mu_);
  for (const auto& [values, s] : series_) {
    uint64_t cumulative = 0;
    for (size_t i = 0; i <= bounds_.size(); ++i) {
      cumulative += s->buckets[i].load(std::memory_order_relaxed);
      std::string le = "le=\"" + (i < bounds_.size() ? number(bounds_[i]) : "+Inf") + "\"";
      out += name_ + "_bucket" + labelSet(labels_, values, le) + " " + std::to_string(cumulative) +
             "\n";
    }
    out += name_ + "_sum" + labelSet(labels_, values) + " " +
           number(static_cast<double>(s->sum_micro.load(std::memory_order_relaxed)) / 1e6) + "\n";
    out += name_ + "_count" + labelSet(labels_, values) + " " +
           std::to_string(s->count.load(std::memory_order_relaxed)) + "\n";
  }
}

Metrics& Metrics::get() {
  static Metrics* m = new Metrics();  // never destroyed: threads may count until exit
  return *m;
}

int Metrics::addCollector(Collector c) {
  std::lock_guard<std::mutex> lock(collectors_mu_);
  collectors_[next_collector_] = std::move(c);
  return next_collector_++;
}

void Metrics::removeCollector(int id) {
  std::lock_guard<std::mutex> lock(collectors_mu_);
  collectors_.erase(id);
}

std::string Metrics::render() const {
  std::string out;
  out.reserve(16 * 1024);
  http_requests.render(out);
  http_duration.render(out);
  metricFamilyHeader(out, "idgate_http_connections_open", "Client connections open now", "gauge");
  out += "idgate_http_connections_open " +
         std::to_string(connections_open.load(std::memory_order_relaxed)) + "\n";
  connections_accepted.render(out);
  tokens_issued.render(out);
  token_errors.render(out);
  resource_auth.render(out);
  jti_commit_rows.render(out);
  jti_commit_duration.render(out);
  keystore_reloads.render(out);
  {
    std::lock_guard<std::mutex> lock(collectors_mu_);
    for (const auto& [id, c] : collectors_) c(out);
  }
  renderProcess(out);
  return out;
}

}  // namespace idgate
