#include "app/log_setup.h"

#include <Poco/AutoPtr.h>
#include <Poco/Channel.h>
#include <Poco/Formatter.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <string_view>

#include <idgate/jose/utf8.h>
#include "common/json_writer.h"
#include "http/access_log.h"
#include "http/request_id.h"

namespace idgate {
namespace {

const char* priorityName(Poco::Message::Priority p) {
  // Poco's priorities run from PRIO_FATAL (1) to PRIO_TRACE (8).
  static constexpr const char* kNames[] = {"Information", "Fatal",   "Critical",
                                           "Error",       "Warning", "Notice",
                                           "Information", "Debug",   "Trace"};
  return p >= Poco::Message::PRIO_FATAL && p <= Poco::Message::PRIO_TRACE ? kNames[p]
                                                                          : "Information";
}

/// "2026-11-29T12:07:40.408Z" (UTC) of a message, without per-message calendar arithmetic: the
/// date and time of day are formatted once a second per thread (one line per request is on the
/// hot path).
std::string timestamp(const Poco::Message& msg) {
  const int64_t us = msg.getTime().epochMicroseconds();
  const std::time_t second = static_cast<std::time_t>(us / 1000000);
  thread_local std::time_t cached_second = -1;
  thread_local char date[32];
  if (second != cached_second) {
    std::tm tm{};
    gmtime_r(&second, &tm);
    std::strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
    cached_second = second;
  }
  char millis[8];
  std::snprintf(millis, sizeof(millis), ".%03dZ", static_cast<int>((us / 1000) % 1000));
  return std::string(date) + millis;
}

/// "2026-11-29T12:07:40.408Z Information idgate.access: [request id] text": the lines
/// PatternFormatter made.
class LineFormatter : public Poco::Formatter {
 public:
  void format(const Poco::Message& msg, std::string& text) override {
    const std::string& id = currentRequestId();
    text.reserve(text.size() + 64 + msg.getSource().size() + msg.getText().size() + id.size());
    text.append(timestamp(msg)).append(" ").append(priorityName(msg.getPriority())).append(" ");
    text.append(msg.getSource()).append(": ");
    if (!id.empty()) text.append("[").append(id).append("] ");
    // Values in messages come from requests: no control character or invalid byte gets out.
    text.append(logSafe(msg.getText()));
  }
};

/// {"time":...,"level":...,"logger":...,"request_id":...,"message":...,<access fields>}: values
/// passed through logSafe (no control character or invalid byte) and JSON-escaped.
class JsonFormatter : public Poco::Formatter {
 public:
  void format(const Poco::Message& msg, std::string& text) override {
    JsonWriter w;
    w.field("time", timestamp(msg))
        .field("level", priorityName(msg.getPriority()))
        .field("logger", msg.getSource());
    std::string id = msg.has("request_id") ? msg.get("request_id") : currentRequestId();
    if (!id.empty()) w.field("request_id", logSafe(id));
    w.field("message", logSafe(msg.getText()));
    for (const char* name :
         {"route", "method", "path", "status", "duration_ms", "outcome", "client_id", "reason"}) {
      if (!msg.has(name)) continue;
      const std::string& v = msg.get(name);
      if (std::string_view(name) == "status") {
        w.field(name, static_cast<int64_t>(std::atoi(v.c_str())));
      } else if (std::string_view(name) == "duration_ms") {
        w.raw(name, v);  // formatted by the access log as a number
      } else {
        w.field(name, logSafe(v));
      }
    }
    text += w.finish();
  }
};

/// One write(2) per line on stderr (Poco's ConsoleChannel made two: the text, then endl).
class StderrLineChannel : public Poco::Channel {
 public:
  void log(const Poco::Message& msg) override {
    std::string line = msg.getText();
    line += '\n';
    std::lock_guard<std::mutex> lock(mutex_);
    const char* p = line.data();
    size_t left = line.size();
    while (left > 0) {
      ssize_t n = ::write(STDERR_FILENO, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;  // nowhere to report a failed log write
      p += n;
      left -= static_cast<size_t>(n);
    }
  }

 private:
  std::mutex mutex_;
};

}  // namespace

void setupLogging(bool verbose, bool json) {
  setAccessLogFields(json);
  Poco::AutoPtr<StderrLineChannel> out(new StderrLineChannel);
  Poco::AutoPtr<Poco::FormattingChannel> channel(new Poco::FormattingChannel(
      json ? static_cast<Poco::Formatter*>(new JsonFormatter) : new LineFormatter, out));
  Poco::Logger::root().setChannel(channel);
  Poco::Logger::root().setLevel(verbose ? Poco::Message::PRIO_DEBUG
                                        : Poco::Message::PRIO_INFORMATION);
  // Loggers created before this call keep their old channel: reset the ones used early.
  for (const char* name :
       {"idgate", "idgate.plugins", "idgate.plugin", "idgate.access", "idgate.store",
        "idgate.token", "idgate.admin", "idgate.auth", "idgate.http"}) {
    Poco::Logger::get(name).setChannel(channel);
    Poco::Logger::get(name).setLevel(Poco::Logger::root().getLevel());
  }
}

}  // namespace idgate
