#include "app/log_setup.h"

#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>
#include <Poco/PatternFormatter.h>

#include "http/request_id.h"

namespace idgate {
namespace {

class RequestIdFormatter : public Poco::PatternFormatter {
 public:
  RequestIdFormatter() : Poco::PatternFormatter("%Y-%m-%dT%H:%M:%S.%iZ %p %s: %t") {}
  void format(const Poco::Message& msg, std::string& text) override {
    Poco::PatternFormatter::format(msg, text);
    const std::string& id = currentRequestId();
    if (!id.empty()) {
      size_t colon = text.find(": ");
      if (colon != std::string::npos) text.insert(colon + 2, "[" + id + "] ");
    }
  }
};

}  // namespace

void setupLogging(bool verbose) {
  Poco::AutoPtr<Poco::ConsoleChannel> console(new Poco::ConsoleChannel);
  Poco::AutoPtr<Poco::FormattingChannel> channel(
      new Poco::FormattingChannel(new RequestIdFormatter, console));
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
