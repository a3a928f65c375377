// idgate-server: `init DIR`, `--home DIR [--port N]`, `hash-password`.
#include <signal.h>
#include <unistd.h>

#include <Poco/Logger.h>

#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "api/app_handler.h"
#include "api/routes.h"
#include "app/home_init.h"
#include "app/log_setup.h"
#include "app/runtime.h"
#include "config/config_error.h"
#include "crypto/password_hash.h"
#include "http/http_server.h"
#include "store/store_error.h"

namespace fs = std::filesystem;
using namespace idgate;

namespace {

const char* kUsage =
    "usage:\n"
    "  idgate-server init DIR [--admin-password PW] [--issuer URL]   create a server home\n"
    "  idgate-server init DIR --conf CONF [--admin-password PW]      a home for the conf/ at CONF\n"
    "  idgate-server --home DIR [--conf CONF] [--dropins DROPINS] [--port N] [--verbose]\n"
    "                                                                run the server\n"
    "  idgate-server hash-password                                   hash a password read from "
    "stdin\n";

std::string exeDir() {
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : p.parent_path().string();
}

std::string bundledDropins() {
  if (const char* env = std::getenv("IDGATE_BUNDLED_DROPINS")) return env;
  for (const char* rel : {"/../dropins", "/../lib/idgate/dropins"}) {
    fs::path p = fs::path(exeDir() + rel);
    if (fs::is_directory(p)) return fs::canonical(p).string();
  }
  return exeDir() + "/../dropins";
}

/// The conf/ templates init copies: the build's (next to bin/) or the installed ones.
std::string bundledConf() {
  if (const char* env = std::getenv("IDGATE_BUNDLED_CONF")) return env;
  for (const char* rel : {"/../conf", "/../share/idgate/conf"}) {
    fs::path p = fs::path(exeDir() + rel);
    if (fs::is_regular_file(p / "server.xml")) return fs::canonical(p).string();
  }
  return exeDir() + "/../share/idgate/conf";
}

int runInit(const std::vector<std::string>& args) {
  InitOptions o;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--admin-password" && i + 1 < args.size()) {
      o.admin_password = args[++i];
    } else if (args[i] == "--issuer" && i + 1 < args.size()) {
      o.issuer = args[++i];
    } else if (args[i] == "--conf" && i + 1 < args.size()) {
      o.shared_conf = args[++i];
    } else if (o.home.empty() && args[i].rfind("--", 0) != 0) {
      o.home = args[i];
    } else {
      std::cerr << "idgate-server init: unexpected argument '" << args[i] << "'\n" << kUsage;
      return 2;
    }
  }
  if (o.home.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  o.bundled_dropins = bundledDropins();
  o.bundled_conf = bundledConf();
  try {
    auto generated = initHome(o);
    std::cout << "created idgate home " << o.home << "\n";
    if (generated) {
      std::cout << "admin user: admin\nadmin password (shown once, store it now): " << *generated
                << "\n";
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "idgate-server init: " << e.what() << "\n";
    return 1;
  }
}

int runHashPassword() {
  std::string password;
  std::getline(std::cin, password);
  if (password.empty()) {
    std::cerr << "idgate-server hash-password: empty password\n";
    return 2;
  }
  std::cout << crypto::hashPassword(password, crypto::kAdminPasswordIterations) << "\n";
  return 0;
}

struct Layout {
  std::string home;
  std::string conf;     ///< default <home>/conf
  std::string dropins;  ///< default <home>/dropins
};

int runServer(const Layout& layout, std::optional<int> port, bool verbose) {
  const std::string& home = layout.home;
  // Block the stop signals in every thread; the main thread waits for them below.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGHUP);  // waited for below: reloads identity.xml and dropins/
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  signal(SIGPIPE, SIG_IGN);
  setupLogging(verbose);
  Poco::Logger& log = Poco::Logger::get("idgate");

  // The loops outlive everything that owns sockets or posts to them (destroyed last).
  std::unique_ptr<IoLoops> loops;
  std::unique_ptr<Runtime> runtime;
  std::unique_ptr<Routes> routes;
  std::unique_ptr<AppHandler> handler;
  std::unique_ptr<HttpServer> server;
  try {
    ServerConfig config = loadServerConfig(home, layout.conf + "/server.xml");
    config.conf_dir = layout.conf;
    config.dropins_dir = layout.dropins;
    if (config.log_json) setupLogging(verbose, true);  // from here on: one JSON object a line
    if (port) config.listeners.front().port = *port;
    // The keystore is read once here for TLS listeners and again by the runtime.
    Keystore tls_keys = Keystore::load(config.keystore.location, config.keystore.type,
                                       config.keystore.password, config.keystore.key_password);
    loops =
        std::make_unique<IoLoops>(config.io_threads > 0 ? config.io_threads : IoLoops::autoCount());
    std::vector<BoundListener> listeners = bindListeners(config, tls_keys, *loops);
    std::string issuer = config.issuer.empty() ? listeners.front().url : config.issuer;
    std::vector<std::string> urls;
    for (const auto& l : listeners) urls.push_back(l.url);
    runtime = std::make_unique<Runtime>(home, config, issuer, urls);
    routes = std::make_unique<Routes>(*runtime);
    handler = std::make_unique<AppHandler>(*routes, runtime->gateway());
    HttpServerOptions options;
    options.workers = config.threads;
    options.stream_workers = runtime->gateway() != nullptr ? config.threads : 1;
    options.max_request_bytes = config.max_request_bytes;
    server = std::make_unique<HttpServer>(*handler, *loops, std::move(listeners), options);
    log.information("issuer " + issuer + ", " + std::to_string(loops->size()) + " event loop(s), " +
                    std::to_string(config.threads) + " worker threads");
    loops->start();
    server->start();
  } catch (const KeystoreError& e) {
    log.fatal(layout.conf + "/server.xml: element <Server/Security/KeyStore>: " + e.what());
    return 1;
  } catch (const std::exception& e) {
    log.fatal(e.what());
    return 1;
  }

  int sig = 0;
  for (;;) {
    sigwait(&stop, &sig);
    if (sig != SIGHUP) break;
    // What POST /api/admin/plugins/reload does; the plugin manager logs the outcome (changes,
    // or why the new set was refused while the running one keeps serving).
    log.information(
        "received SIGHUP: reloading conf/identity.xml and dropins/ (server.xml is "
        "read at startup only)");
    try {
      std::lock_guard<std::mutex> lock(runtime->identityXmlMutex());  // not amid an API edit
      runtime->reloadPlugins();  // refuses (and logs) a broken set itself
    } catch (const std::exception& e) {
      log.error(std::string("SIGHUP reload failed, the running plugins keep serving: ") + e.what());
    }
  }
  log.information(std::string("received ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") +
                  ", draining in-flight requests");
  server->stop();
  // What may still post to a loop (a jti commit releasing a held response, the gateway's
  // pooled upstream sockets) ends while the loops run; then the loops stop.
  server.reset();
  handler.reset();
  routes.reset();
  runtime.reset();
  loops->stop();
  log.information("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "init") return runInit(std::vector<std::string>(args.begin() + 1, args.end()));
  if (args[0] == "hash-password") return runHashPassword();
  Layout layout;
  std::optional<int> port;
  bool verbose = false;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--home" && i + 1 < args.size()) {
      layout.home = args[++i];
    } else if (args[i] == "--conf" && i + 1 < args.size()) {
      layout.conf = args[++i];
    } else if (args[i] == "--dropins" && i + 1 < args.size()) {
      layout.dropins = args[++i];
    } else if (args[i] == "--port" && i + 1 < args.size()) {
      try {
        size_t used = 0;
        int p = std::stoi(args[++i], &used);
        if (used != args[i].size() || p < 0 || p > 65535) throw std::out_of_range("port");
        port = p;
      } catch (...) {
        std::cerr << "idgate-server: --port must be 0-65535\n";
        return 2;
      }
    } else if (args[i] == "--verbose") {
      verbose = true;
    } else {
      std::cerr << "idgate-server: unexpected argument '" << args[i] << "'\n" << kUsage;
      return 2;
    }
  }
  if (layout.home.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  if (layout.conf.empty()) layout.conf = layout.home + "/conf";
  if (layout.dropins.empty()) layout.dropins = layout.home + "/dropins";
  return runServer(layout, port, verbose);
}
