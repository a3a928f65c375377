#include <gtest/gtest.h>
#include <sys/stat.h>

#include "config/config_error.h"
#include "config/identity_config.h"
#include "config/server_config.h"
#include "config/xml_element.h"
#include "crypto/password_hash.h"
#include "test_support.h"

namespace idgate {
namespace {

class ServerConfigTest : public ::testing::Test {
 protected:
  std::string write(const std::string& body) {
    test::writeFile(dir_.file("conf/server.xml"), body);
    return dir_.file("conf/server.xml");
  }
  std::string errorOf(const std::string& body) {
    try {
      loadServerConfig(dir_.path(), write(body));
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "no error";
  }
  std::string valid(const std::string& listeners = "") {
    return "<Server>" + listeners +
           "<Database type=\"sqlite\" path=\"data/x.db\"/><Admin username=\"admin\" "
           "passwordHash=\"" +
           hash_ +
           "\"/><Security><KeyStore><Location>ks.p12</Location><Password>p</"
           "Password><KeyAlias>idgate</KeyAlias></KeyStore></Security></Server>";
  }
  test::TempDir dir_;
  std::string hash_ = crypto::hashPassword("pw", 1000);
};

TEST_F(ServerConfigTest, BasicRegistryPasswordsInUnderstoodEncodingsOnly) {
  auto with = [&](const std::string& user) {
    std::string v = valid();
    return v.replace(v.find("</Server>"), 9,
                     "<basicRegistry id=\"b\" realm=\"r\">" + user + "</basicRegistry></Server>");
  };
  ServerConfig c = loadServerConfig(
      dir_.path(), write(with("<user name=\"a\" password=\"{xor}JzAtci8+LCw=\"/>")));
  ASSERT_EQ(c.resource.registry.size(), 1u);
  EXPECT_TRUE(registryPasswordMatches(c.resource.registry[0], "xor-pass"));
  EXPECT_FALSE(registryPasswordMatches(c.resource.registry[0], "xor-pas"));
  EXPECT_EQ(errorOf(with("<user name=\"a\" password=\"{aes}ARBCD\"/>")),
            write("") +
                ": element <Server/basicRegistry/user> attribute 'password': only {xor}, an "
                "idgate hash (idgate-server hash-password) or plain text are understood; "
                "re-encode it with idgate-server hash-password");
  EXPECT_EQ(errorOf(with("<user name=\"a\" password=\"{xor}***\"/>")),
            write("") +
                ": element <Server/basicRegistry/user> attribute 'password': {xor} must be "
                "followed by Base64");
}

TEST_F(ServerConfigTest, TheRepositorysFileParsesWithItsVariables) {
  const std::string file = std::string(IDGATE_TEST_CONF_DIR) + "/server.xml";
  std::string error;
  try {
    loadServerConfig(dir_.path(), file);
  } catch (const ConfigError& e) {
    error = e.what();
  }
  EXPECT_EQ(error, file +
                       ": element <Server/Admin> attribute 'passwordHash': variable "
                       "${admin.passwordHash} has no value; define it in " +
                       dir_.path() + "/bootstrap.properties (admin.passwordHash=...)");
  test::writeFile(dir_.file("bootstrap.properties"),
                  "# secrets\nadmin.passwordHash=" + hash_ + "\nkeystore.password=s\\=cret\n");
  ServerConfig c = loadServerConfig(dir_.path(), file);
  EXPECT_EQ(c.admin_password_hash, hash_);
  EXPECT_EQ(c.keystore.password, "s=cret");
  EXPECT_EQ(c.keystore.key_password, "s=cret");
  EXPECT_EQ(c.keystore.location, dir_.path() + "/keystore/idgate.p12");
  EXPECT_EQ(c.database.path, dir_.path() + "/data/idgate.db");
  EXPECT_EQ(c.console_idle_timeout_s, 900);
  EXPECT_FALSE(c.metrics_public);
  EXPECT_TRUE(c.resource.clients.empty()) << "the own-tokens example is commented out";
}

TEST_F(ServerConfigTest, VariablesFromTheEnvironmentAndEscapes) {
  std::string v = valid();
  v.replace(v.find("<Password>p</Password>"), 22,
            "<Password>${env.IDGATE_TEST_STOREPASS}</Password><KeyPassword>$${x}</KeyPassword>");
  unsetenv("IDGATE_TEST_STOREPASS");
  EXPECT_EQ(errorOf(v), write("") +
                            ": element <Server/Security/KeyStore/Password>: variable "
                            "${env.IDGATE_TEST_STOREPASS} has no value; set the environment "
                            "variable IDGATE_TEST_STOREPASS");
  setenv("IDGATE_TEST_STOREPASS", "from-env", 1);
  ServerConfig c = loadServerConfig(dir_.path(), write(v));
  unsetenv("IDGATE_TEST_STOREPASS");
  EXPECT_EQ(c.keystore.password, "from-env");
  EXPECT_EQ(c.keystore.key_password, "${x}");
}

TEST_F(ServerConfigTest, DefaultsAndRelativePaths) {
  ServerConfig c = loadServerConfig(dir_.path(), write(valid()));
  ASSERT_EQ(c.listeners.size(), 1u);
  EXPECT_EQ(c.listeners[0].port, 9443);
  EXPECT_EQ(c.database.path, dir_.path() + "/data/x.db");
  EXPECT_EQ(c.keystore.location, dir_.path() + "/ks.p12");
  EXPECT_EQ(c.keystore.key_password, "p") << "KeyPassword defaults to Password";
  EXPECT_EQ(c.access_token_lifetime_s, 3600);
  EXPECT_TRUE(c.issuer.empty());
}

TEST_F(ServerConfigTest, BadPortNamesFileElementAndAttribute) {
  std::string err = errorOf(valid("<Listeners><Listener port=\"99999\"/></Listeners>"));
  EXPECT_EQ(err,
            dir_.file("conf/server.xml") +
                ": element <Server/Listeners/Listener> attribute 'port': must be an integer from 0 "
                "to 65535, not '99999'");
}

TEST_F(ServerConfigTest, UnknownElementIsRefused) {
  std::string body = valid();
  body.insert(body.find("<Database"), "<Databse/>");
  EXPECT_EQ(errorOf(body),
            dir_.file("conf/server.xml") + ": element <Server>: unknown element <Databse>");
}

TEST_F(ServerConfigTest, UnknownAttributeIsRefused) {
  EXPECT_EQ(errorOf(valid("<Listeners><Listener prot=\"1\"/></Listeners>")),
            dir_.file("conf/server.xml") +
                ": element <Server/Listeners/Listener> attribute 'prot': unknown attribute");
}

TEST_F(ServerConfigTest, PlainTextAdminPasswordIsRefused) {
  std::string body = valid();
  body.replace(body.find(hash_), hash_.size(), "secret");
  EXPECT_NE(errorOf(body).find("element <Server/Admin> attribute 'passwordHash'"),
            std::string::npos);
}

TEST_F(ServerConfigTest, MalformedXmlNamesTheFile) {
  EXPECT_EQ(errorOf("<Server>").rfind(dir_.file("conf/server.xml") + ": not well-formed XML", 0),
            0u);
}

TEST_F(ServerConfigTest, IssuerWithTrailingSlashIsRefused) {
  std::string body = valid();
  body.insert(8, "<Issuer>https://idp.example.com/</Issuer>");
  EXPECT_NE(errorOf(body).find("element <Server/Issuer>"), std::string::npos);
}

TEST_F(ServerConfigTest, OversizedOrSpecialFilesAreRefused) {
  std::string body = valid();
  body.insert(8, "<!--" + std::string(kMaxConfigFileBytes, 'x') + "-->");
  std::string error = errorOf(body);
  EXPECT_NE(error.find("configuration files are limited to 1048576 bytes (1 MiB)"),
            std::string::npos)
      << error;
  std::string fifo = dir_.file("fifo.xml");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  try {
    loadServerConfig(dir_.path(), fifo);
    ADD_FAILURE() << "a FIFO was read";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), fifo + ": not a regular file");
  }
}

TEST_F(ServerConfigTest, TlsProtocolsAreModernOnly) {
  ServerConfig c = loadServerConfig(dir_.path(), write(valid()));
  EXPECT_TRUE(c.tls.tls12 && c.tls.tls13) << "both by default";
  std::string body = valid();
  body.insert(8, "<Tls protocols=\"TLSv1.3\" cipherSuites=\"TLS_AES_256_GCM_SHA384\"/>");
  c = loadServerConfig(dir_.path(), write(body));
  EXPECT_FALSE(c.tls.tls12);
  EXPECT_TRUE(c.tls.tls13);
  EXPECT_EQ(c.tls.cipher_suites, "TLS_AES_256_GCM_SHA384");
  for (const char* bad : {"TLSv1.1", "SSLv3", "TLSv1.2 TLSv1", ""}) {
    std::string b = valid();
    b.insert(8, std::string("<Tls protocols=\"") + bad + "\"/>");
    EXPECT_NE(errorOf(b).find("element <Server/Tls> attribute 'protocols'"), std::string::npos)
        << bad;
  }
}

TEST_F(ServerConfigTest, PublicUrlsAreOriginsOnly) {
  std::string body = valid();
  body.insert(8,
              "<PublicUrl>https://idp.example.com</PublicUrl><PublicUrl>http://x:81/</PublicUrl>");
  ServerConfig c = loadServerConfig(dir_.path(), write(body));
  EXPECT_EQ(c.public_urls, (std::vector<std::string>{"https://idp.example.com", "http://x:81/"}));
  for (const char* bad : {"https://idp.example.com/app", "ftp://x", "https://x?q",
                          "idp.example.com", "https://u@x"}) {
    std::string b = valid();
    b.insert(8, std::string("<PublicUrl>") + bad + "</PublicUrl>");
    std::string error = errorOf(b);
    EXPECT_NE(error.find("element <Server/PublicUrl>: must be an origin"), std::string::npos)
        << bad << ": " << error;
  }
}

TEST(IdentityConfigTest, ParsesWso2ListenersCacheAndSkew) {
  test::TempDir dir;
  test::writeFile(dir.file("identity.xml"),
                  R"(<Server xmlns="http://wso2.org/projects/carbon/carbon.xml">
  <OAuth><TimestampSkew>30</TimestampSkew></OAuth>
  <EventListeners>
    <EventListener type="org.wso2.carbon.identity.core.handler.AbstractIdentityHandler"
        name="org.wso2.carbon.identity.oauth2.token.handler.clientauth.jwt.PrivateKeyJWTClientAuthenticator"
        orderId="899" enable="true">
      <Property name="preventTokenReuse">true</Property>
      <Property name="RejectBeforeInMinutes">100</Property>
      <Property name="RejectBeforeInMinutes">200</Property>
    </EventListener>
    <EventListener type="x" name="b" orderId="5" enable="yes"/>
  </EventListeners>
  <CacheConfig><CacheManager name="IdentityApplicationManagementCacheManager">
    <Cache name="PrivateKeyJWT" enable="true" timeout="10" capacity="5000" isDistributed="false"/>
  </CacheManager></CacheConfig>
</Server>)");
  IdentityConfig c = loadIdentityConfig(dir.file("identity.xml"));
  EXPECT_EQ(c.timestamp_skew_s, 30);
  ASSERT_EQ(c.listeners.size(), 2u);
  EXPECT_EQ(c.listeners[0].order_id, 899);
  EXPECT_EQ(c.listeners[0].properties.at("RejectBeforeInMinutes"), "200") << "later duplicate wins";
  EXPECT_FALSE(c.listeners[1].enable) << "invalid enable disables (WSO2)";
  EXPECT_FALSE(c.listeners[1].enable_valid);
  auto g = c.globalProperties();
  EXPECT_EQ(g.at("OAuth.TimestampSkew"), "30");
  EXPECT_EQ(g.at("CacheConfig.PrivateKeyJWT.capacity"), "5000");
  EXPECT_EQ(g.at("CacheConfig.PrivateKeyJWT.isDistributed"), "false");
}

TEST(IdentityConfigTest, NonIntegerOrderIdIsAConfigError) {
  test::TempDir dir;
  test::writeFile(dir.file("identity.xml"),
                  "<Server><EventListeners><EventListener name=\"a\" "
                  "orderId=\"first\"/></EventListeners></Server>");
  try {
    loadIdentityConfig(dir.file("identity.xml"));
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(
                  "element <Server/EventListeners/EventListener> attribute 'orderId'"),
              std::string::npos);
  }
}

TEST(IdentityConfigTest, TheRepositorysFileParses) {
  IdentityConfig c = loadIdentityConfig(std::string(IDGATE_TEST_CONF_DIR) + "/identity.xml");
  EXPECT_EQ(c.listeners.size(), 7u);
  EXPECT_EQ(c.timestamp_skew_s, 60);
  EXPECT_FALSE(c.login.require_par);
  EXPECT_FALSE(c.login.require_pkce);
  EXPECT_EQ(c.login.session_lifetime_s, 28800);
  EXPECT_EQ(c.login.free_failures, 5);
  EXPECT_EQ(c.login.max_delay_s, 300);
  EXPECT_EQ(c.revocation.propagation_s, 5);
  EXPECT_FALSE(c.dpop.require_nonce);
  EXPECT_EQ(c.dpop.proof_max_age_s, 300);
}

TEST(IdentityConfigTest, RevocationAndDpopSettingsAreCheckedWithTheirNames) {
  test::TempDir dir;
  test::writeFile(
      dir.file("identity.xml"),
      "<Server><OAuth><Revocation propagationSeconds=\"0\"/><DPoP requireNonce=\"true\" "
      "nonceLifetimeSeconds=\"60\"/></OAuth></Server>");
  IdentityConfig c = loadIdentityConfig(dir.file("identity.xml"));
  EXPECT_EQ(c.revocation.propagation_s, 0);
  EXPECT_TRUE(c.dpop.require_nonce);
  EXPECT_EQ(c.dpop.nonce_lifetime_s, 60);
  test::writeFile(dir.file("identity.xml"),
                  "<Server><OAuth><Revocation propagationSeconds=\"301\"/></OAuth></Server>");
  try {
    loadIdentityConfig(dir.file("identity.xml"));
    FAIL() << "accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("propagationSeconds"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("Revocation"), std::string::npos) << e.what();
  }
}

TEST(IdentityConfigTest, LoginSettingsAreReadAndCheckedWithTheirNames) {
  test::TempDir dir;
  test::writeFile(dir.file("identity.xml"),
                  "<Server><OAuth><Login requirePushedAuthorizationRequests=\"true\" "
                  "requirePkce=\"true\" sessionLifetimeSeconds=\"600\"/></OAuth></Server>");
  IdentityConfig c = loadIdentityConfig(dir.file("identity.xml"));
  EXPECT_TRUE(c.login.require_par);
  EXPECT_TRUE(c.login.require_pkce);
  EXPECT_EQ(c.login.session_lifetime_s, 600);
  test::writeFile(dir.file("identity.xml"),
                  "<Server><OAuth><Login sessionLifetimeSeconds=\"5\"/></OAuth></Server>");
  try {
    loadIdentityConfig(dir.file("identity.xml"));
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("element <Server/OAuth/Login> attribute "
                                         "'sessionLifetimeSeconds'"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace idgate
