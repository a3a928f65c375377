"""Installs the SDK, builds each example plugin (one per kind) as a separate CMake project
against it, drops it into a home and uses it through HTTP, as a plugin author would."""
import os
import shutil
import subprocess
import time
import unittest
import uuid

import jwt

from harness import BUILD, FORM, Server, TempDir, basic, edit, form, init_home

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "plugin-api", "examples")
KEY = "an-example-shared-key-of-40-characters!!"
SECRET = "an-hmac-secret-for-the-example-mapper-test-of-64-bytes-at-least!"
LISTENER = '<EventListener type="org.wso2.carbon.identity.core.handler.AbstractIdentityHandler" '


def run(*args):
    out = subprocess.run(args, capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise AssertionError("%s failed:\n%s\n%s" % (" ".join(args), out.stdout, out.stderr))
    return out


class SdkExampleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = TempDir()
        root = cls.tmp.__enter__()
        cls.prefix = os.path.join(root, "prefix")
        run("cmake", "--install", BUILD, "--prefix", cls.prefix)
        cls.root = root

    @classmethod
    def tearDownClass(cls):
        cls.tmp.__exit__(None, None, None)

    def build(self, example):
        """Builds plugin-api/examples/<example> out of tree; returns the .so path."""
        self.assertTrue(os.path.exists(os.path.join(self.prefix, "include/idgate/plugin_abi.h")))
        build = os.path.join(self.root, "build-" + example)
        run("cmake", "-S", os.path.join(EXAMPLES, example), "-B", build, "-DCMAKE_PREFIX_PATH=" + self.prefix,
            "-DCMAKE_BUILD_TYPE=Release")
        run("cmake", "--build", build, "-j2")
        plugin = os.path.join(build, "example-" + example.replace("_", "-") + ".so")
        self.assertTrue(os.path.exists(plugin), plugin)
        exported = run("nm", "-D", "--defined-only", plugin).stdout
        self.assertIn(" T idgate_plugin_v2", exported)
        return plugin

    def home_with(self, example, listener_xml):
        home, _ = init_home(os.path.join(self.root, "home-" + example))
        shutil.copy(self.build(example), os.path.join(home, "dropins"))
        edit(home + "/conf/identity.xml", "</EventListeners>", listener_xml + "</EventListeners>")
        return home

    def plugin(self, server, example):
        plugins = {p["file"]: p for p in server.admin("GET", "/api/admin/plugins").json()["plugins"]}
        return plugins["example-" + example.replace("_", "-") + ".so"]

    def test_client_authenticator(self):
        home = self.home_with("shared_key", LISTENER + 'name="com.example.idgate.SharedKeyAuthenticator" orderId="30" '
                              'enable="true"><Property name="SharedKey">%s</Property></EventListener>' % KEY)
        server = Server(home).start()
        try:
            p = self.plugin(server, "shared_key")
            self.assertEqual((p["status"], p["abi"], p["capabilities"]), ("active", "2.2", ["client_read"]))
            # Credential-like properties are listed as set, never shown.
            self.assertEqual(p["properties"], {"SharedKey": "********"})
            self.assertNotIn(KEY, server.admin("GET", "/api/admin/plugins").text)
            server.register(client_id="svc", token_endpoint_auth_method="shared_key")
            out = run("curl", "-sS", "-H", "Authorization: SharedKey " + KEY,
                      "-d", "grant_type=client_credentials", "-d", "client_id=svc", server.url + "/oauth2/token")
            self.assertIn('"access_token"', out.stdout)
            out = run("curl", "-sS", "-H", "Authorization: SharedKey wrong",
                      "-d", "grant_type=client_credentials", "-d", "client_id=svc", server.url + "/oauth2/token")
            self.assertIn('"error_description":"shared key does not match"', out.stdout)
            self.assertIn("shared_key authenticator configured", server.log())
        finally:
            self.assertEqual(server.stop(), 0)

    def test_subject_mapper(self):
        home = self.home_with("tenant_realm", LISTENER + 'name="tenant_realm" orderId="10" enable="true">'
                              '<Property name="RequireTenant">true</Property></EventListener>')
        edit(home + "/conf/server.xml", "</Server>",
             '<openidConnectClient id="hs" inboundPropagation="required" signatureAlgorithm="HS256" '
             'clientSecret="%s" issuerIdentifier="https://hs.example" audiences="ALL_AUDIENCES"/></Server>' % SECRET)
        server = Server(home).start()
        try:
            self.assertEqual(self.plugin(server, "tenant_realm")["kind"], "subject_mapper")
            now = int(time.time())
            claims = {"iss": "https://hs.example", "sub": "ann", "exp": now + 60, "iat": now,
                      "jti": str(uuid.uuid4())}
            token = jwt.encode(dict(claims, tenant="acme"), SECRET, algorithm="HS256")
            r = server.request("GET", "/api/me", headers={"Authorization": "Bearer " + token})
            self.assertEqual(r.status, 200, r.text)
            self.assertEqual(r.json()["realm"], "acme")
            token = jwt.encode(dict(claims, jti=str(uuid.uuid4())), SECRET, algorithm="HS256")
            r = server.request("GET", "/api/me", headers={"Authorization": "Bearer " + token})
            self.assertEqual(r.status, 403, r.text)
        finally:
            self.assertEqual(server.stop(), 0)

    def test_token_customizer(self):
        home = self.home_with("static_claims", LISTENER + 'name="static_claims" orderId="20" enable="true">'
                              '<Property name="Claim.region">eu-west</Property>'
                              '<Property name="DropScope">true</Property></EventListener>')
        server = Server(home).start()
        try:
            c = server.register(client_id="svc", scope="a b")
            r = server.request("POST", "/oauth2/token", form(grant_type="client_credentials"),
                               dict(FORM, Authorization=basic("svc", c["client_secret"])))
            self.assertEqual(r.status, 200, r.text)
            claims = jwt.decode(r.json()["access_token"], options={"verify_signature": False})
            self.assertEqual(claims["region"], "eu-west")
            self.assertNotIn("scope", claims)
        finally:
            self.assertEqual(server.stop(), 0)

    def test_grant_handler(self):
        grant = "urn:example:params:oauth:grant-type:service-account"
        home = self.home_with("service_account_grant", LISTENER + 'name="service_account_grant" orderId="50" '
                              'enable="true"><Property name="Account.reporting">svc-reporting@example.com</Property>'
                              '</EventListener>')
        server = Server(home).start()
        try:
            discovery = server.request("GET", "/.well-known/openid-configuration").json()
            self.assertIn(grant, discovery["grant_types_supported"])
            c = server.register(client_id="reporting", grant_types=[grant])
            r = server.request("POST", "/oauth2/token", form(grant_type=grant),
                               dict(FORM, Authorization=basic("reporting", c["client_secret"])))
            self.assertEqual(r.status, 200, r.text)
            claims = jwt.decode(r.json()["access_token"], options={"verify_signature": False})
            self.assertEqual((claims["sub"], claims["act_as"], claims["client_id"]),
                             ("svc-reporting@example.com", "svc-reporting@example.com", "reporting"))
            other = server.register(client_id="other", grant_types=[grant])
            r = server.request("POST", "/oauth2/token", form(grant_type=grant),
                               dict(FORM, Authorization=basic("other", other["client_secret"])))
            self.assertEqual(r.json(), {"error": "unauthorized_client",
                                        "error_description": "no service account for this client"})
        finally:
            self.assertEqual(server.stop(), 0)

    def test_user_authenticator(self):
        home = self.home_with("demo_users", LISTENER + 'name="demo_users" orderId="90" enable="true">'
                              '<Property name="Password.demo">a-demo-password</Property></EventListener>')
        server = Server(home).start()
        try:
            p = self.plugin(server, "demo_users")
            self.assertEqual((p["status"], p["kind"]), ("active", "user_authenticator"))
            self.assertEqual(p["properties"], {"Password.demo": "********"})
            self.assertIn("demo_users keeps passwords in identity.xml: for demos only", server.log())
            r = server.admin("POST", "/api/admin/user-check", {"username": "demo", "password": "a-demo-password"})
            self.assertEqual(r.json(), {"authenticated": True, "authenticator": "demo_users",
                                        "subject": "demo:demo", "claims": {"name": "demo"}})
            r = server.admin("POST", "/api/admin/user-check", {"username": "demo", "password": "wrong-password"})
            self.assertEqual(r.json(), {"authenticated": False, "authenticator": "demo_users",
                                        "reason": "wrong username or password"})
        finally:
            self.assertEqual(server.stop(), 0)


if __name__ == "__main__":
    unittest.main()
