"""The guides work as written: every `sh` block of each page runs in bash, unchanged but for the
server's URL, against a server the test starts on a fresh home (guide_runner.py says how), and
the shell recipes in docs/guides/examples work against a running server."""
import contextlib
import json
import os
import re
import shutil
import subprocess
import unittest
import urllib.parse

import jwt

import guide_runner
from harness import (ADMIN_PASSWORD, BUILD, REPO, SERVER, Server, ServerTestCase, TempDir, free_port, init_home,
                     uncomment_own_tokens_example)

DOCS = os.path.join(guide_runner.ROOT, "docs")
GUIDES = os.path.join(DOCS, "guides")
EXAMPLES = os.path.join(GUIDES, "examples")
README = os.path.join(guide_runner.ROOT, "README.md")
PRIVATE_KEY_JWT = os.path.join(GUIDES, "private-key-jwt.md")
CLIENT_SECRET_JWT = os.path.join(GUIDES, "client-secret-jwt.md")
KEYSTORE = os.path.join(GUIDES, "keystore.md")
JWT_BEARER_GRANT = os.path.join(GUIDES, "jwt-bearer-grant.md")
LOGIN = os.path.join(GUIDES, "login.md")
TOKENS = os.path.join(GUIDES, "tokens.md")
OPERATIONS = os.path.join(GUIDES, "operations.md")
KEYSTORE_CLIENT = "nwU59qy9AsDqftmwLcfmkvOhvuYa"


@contextlib.contextmanager
def fresh_checkout(own_tokens=False):
    """A directory laid out like a checkout after ./run.sh: build/ (this build), conf/ (the
    repository's) and dropins/ (the bundled plugins), served with home/ (made by `init home --conf
    conf`: data, keystore, bootstrap.properties). The guides' commands run in it. own_tokens:
    the <openidConnectClient> example of conf/server.xml uncommented, as the README asks before
    its /api/me call."""
    with TempDir() as tmp:
        os.symlink(os.path.abspath(BUILD), os.path.join(tmp, "build"))
        conf = os.path.join(tmp, "conf")
        shutil.copytree(os.path.join(REPO, "conf"), conf)
        dropins = os.path.join(tmp, "dropins")
        shutil.copytree(os.path.join(BUILD, "dropins"), dropins)
        home = os.path.join(tmp, "home")
        out = subprocess.run([SERVER, "init", home, "--conf", conf, "--admin-password", ADMIN_PASSWORD],
                             capture_output=True, text=True, timeout=60)
        if out.returncode != 0:
            raise RuntimeError("init failed: " + out.stderr)
        port = 0
        if own_tokens:
            port = free_port()
            uncomment_own_tokens_example(home, "http://127.0.0.1:%d" % port, conf=conf)
        server = Server(home, port, conf=conf, dropins=dropins).start()
        try:
            yield server, tmp
        finally:
            server.stop()


class GuidePagesTest(unittest.TestCase):
    def run_page(self, page, variant, server, cwd, failures=()):
        """failures: the (path, status) of each request the page shows failing, in order; every
        other exchange must succeed."""
        env = {k: v for k, v in os.environ.items() if k not in ("IDGATE_HOME", "IDGATE_CONF", "CLIENT_ID", "BASE")}
        env["ADMIN"] = ADMIN_PASSWORD
        result = guide_runner.run(page, variant, server.url, cwd, env)
        self.assertEqual(result.returncode, 0, result.describe())
        failed = [(urllib.parse.urlsplit(e.url).path, e.status) for e in result.exchanges
                  if e.status >= 400 or e.status == 0]
        self.assertEqual(failed, list(failures), result.describe())
        return result

    def assert_token(self, result, server, client_id, audience=None):
        """The page's last token request got a Bearer token for client_id that verifies with
        the server's published keys."""
        tokens = [e for e in result.exchanges if urllib.parse.urlsplit(e.url).path.endswith("/oauth2/token")]
        self.assertTrue(tokens, "no token request:\n" + result.describe())
        last = tokens[-1]
        self.assertEqual(last.status, 200, result.describe())
        body = json.loads(last.body)
        self.assertEqual(body["token_type"], "Bearer", body)
        token = body["access_token"]
        key = jwt.PyJWKClient(server.url + "/oauth2/jwks").get_signing_key_from_jwt(token).key
        claims = jwt.decode(token, key, algorithms=["ES256"], issuer=server.url,
                            audience=audience or server.url)
        self.assertEqual((claims["sub"], claims["client_id"]), (client_id, client_id))
        return claims

    def test_private_key_jwt_guide_for_each_algorithm(self):
        variants = guide_runner.variants(PRIVATE_KEY_JWT)
        self.assertEqual(variants, ["RS256", "ES256", "EdDSA"])
        for variant in variants:
            with self.subTest(variant), fresh_checkout() as (server, cwd):
                result = self.run_page(PRIVATE_KEY_JWT, variant, server, cwd)
                self.assert_token(result, server, "my-%s-service" % variant.lower())
                registered = server.admin("GET", "/api/admin/clients/my-%s-service" % variant.lower()).json()
                self.assertEqual(registered["token_endpoint_auth_signing_alg"], variant)

    def test_client_secret_jwt_guide(self):
        self.assertEqual(guide_runner.variants(CLIENT_SECRET_JWT), [None])
        with fresh_checkout() as (server, cwd):
            self.assert_token(self.run_page(CLIENT_SECRET_JWT, None, server, cwd), server, "my-jwt-app")

    def test_jwt_bearer_grant_guide(self):
        self.assertEqual(guide_runner.variants(JWT_BEARER_GRANT), [None])
        with fresh_checkout() as (server, cwd):
            result = self.run_page(JWT_BEARER_GRANT, None, server, cwd)
            reload = [e for e in result.exchanges if e.url.endswith("/api/admin/plugins/reload")]
            self.assertEqual(json.loads(reload[0].body),
                             {"applied": True, "generation": 2,
                              "changes": ["idgate-jwt-bearer-grant.so: disabled -> active"]})
            last = result.exchanges[-1]
            self.assertEqual((last.url, last.status), (server.url + "/oauth2/token", 200), result.describe())
            token = json.loads(last.body)["access_token"]
            key = jwt.PyJWKClient(server.url + "/oauth2/jwks").get_signing_key_from_jwt(token).key
            claims = jwt.decode(token, key, algorithms=["ES256"], issuer=server.url, audience=server.url)
            self.assertEqual((claims["sub"], claims["client_id"], claims["assertion_iss"], claims["scope"]),
                             ("ann@partner.example.com", "partner-bridge", "https://partner.example.com",
                              "orders:read"))

    def test_login_guide(self):
        self.assertEqual(guide_runner.variants(LOGIN), [None])
        with fresh_checkout() as (server, cwd):
            result = self.run_page(LOGIN, None, server, cwd)
            tokens = [e for e in result.exchanges if e.url.endswith("/oauth2/token")]
            self.assertEqual([e.status for e in tokens], [200, 200], result.describe())
            with open(os.path.join(cwd, "tokens.json")) as f:
                body = json.load(f)
            key = jwt.PyJWKClient(server.url + "/oauth2/jwks").get_signing_key_from_jwt(body["id_token"]).key
            claims = jwt.decode(body["id_token"], key, algorithms=["ES256"], issuer=server.url, audience="notes-app")
            self.assertEqual((claims["nonce"], claims["name"], claims["email"]), ("n-0S6_WzA2Mj", "Ann Smith", "ann@example.com"))
            userinfo = [e for e in result.exchanges if e.url.endswith("/oauth2/userinfo")]
            self.assertEqual(json.loads(userinfo[0].body)["email"], "ann@example.com")
            par = [e for e in result.exchanges if e.url.endswith("/oauth2/par")]
            self.assertEqual(par[0].status, 201)
            self.assertIn("Allow Web Shop?", open(os.path.join(cwd, "consent.html")).read())
            with open(os.path.join(cwd, "logout.txt")) as f:
                self.assertIn("location: com.example.notes:/signed-out?state=bye", f.read().lower())

    def test_tokens_guide(self):
        self.assertEqual(guide_runner.variants(TOKENS), [None])
        with fresh_checkout(own_tokens=True) as (server, cwd):
            result = self.run_page(TOKENS, None, server, cwd, failures=[
                ("/api/me", 401),  # a DPoP-bound token sent as Bearer
                ("/api/me", 401),  # revoked
                ("/oauth2/token", 400), ("/oauth2/token", 400)])  # refresh token reuse, then its family
            with open(os.path.join(cwd, "refreshed.json")) as f:
                refreshed = json.load(f)
            self.assertEqual(refreshed["scope"], "openid offline_access")
            self.assertIn("refresh_token", refreshed)
            bodies = [e.body.strip() for e in result.exchanges if e.url.endswith("/oauth2/introspect")]
            introspections = [json.loads(b) for b in bodies if b.startswith("{")]
            self.assertEqual([i["active"] for i in introspections], [True, True, False])
            self.assertEqual(introspections[0]["client_id"], "diary-app")
            self.assertEqual((introspections[1]["aud"], introspections[1]["client_id"]),
                             ("https://photos.example", "diary-api"))
            self.assertEqual(introspections[1]["sub"], introspections[0]["sub"])
            signed = [b for b in bodies if not b.startswith("{")]
            self.assertEqual(jwt.get_unverified_header(signed[0])["typ"], "token-introspection+jwt")
            with open(os.path.join(cwd, "exchanged.json")) as f:
                self.assertEqual(json.load(f)["issued_token_type"], "urn:ietf:params:oauth:token-type:access_token")
            with open(os.path.join(cwd, "dpop.json")) as f:
                self.assertEqual(json.load(f)["token_type"], "DPoP")
            me = [e for e in result.exchanges if e.url.endswith("/api/me")]
            self.assertEqual([e.status for e in me], [200, 401, 200, 401])
            self.assertIn('"principal":"diary-backup"', me[0].body)
            self.assertIn("the token has been revoked", me[3].body)
            revoke = [e for e in result.exchanges if e.url.endswith("/oauth2/revoke")]
            self.assertEqual((revoke[0].status, revoke[0].body.strip()), (200, "{}"))
            reuse = [e for e in result.exchanges if e.url.endswith("/oauth2/token")][-2:]
            self.assertIn("every token of this grant is revoked", reuse[0].body)
            self.assertIn("refresh token revoked", reuse[1].body)

    def test_operations_guide(self):
        with fresh_checkout() as (server, cwd):
            result = self.run_page(OPERATIONS, None, server, cwd)
            self.assertIn("# TYPE idgate_http_requests_total counter", result.stdout)
            metrics = [e for e in result.exchanges if e.url.endswith("/metrics")]
            self.assertEqual([e.status for e in metrics], [200])

    def test_keystore_guide_with_each_keytool(self):
        variants = guide_runner.variants(KEYSTORE)
        self.assertEqual(variants, ["idgate-keytool", "keytool"])
        for variant in variants:
            if variant == "keytool" and not shutil.which("keytool"):
                continue  # Java is a test dependency (scripts/bootstrap.sh); without it, idgate's only
            with self.subTest(variant), fresh_checkout() as (server, cwd):
                result = self.run_page(KEYSTORE, variant, server, cwd)
                self.assert_token(result, server, KEYSTORE_CLIENT)
                tokens = [e for e in result.exchanges if e.url.endswith("/oauth2/token")]
                self.assertEqual([e.status for e in tokens], [200, 200], "keytool's import, then the API's")
                self.assertIn("reloaded ", server.log())
                entries = server.admin("GET", "/api/admin/keystore").json()["entries"]
                listed = sorted((re.sub(r"\d+$", "N", e["alias"]), e["entry_type"]) for e in entries)
                self.assertEqual(listed, [("idgate", "PrivateKeyEntry"), ("idgate-secret-key", "SecretKeyEntry"),
                                          ("idgate.retired-until.N", "PrivateKeyEntry"),
                                          (KEYSTORE_CLIENT, "trustedCertEntry")], "the rotation kept the old key")
                rotated = [e for e in result.exchanges if e.url.endswith("/api/admin/keystore/signing-key")]
                self.assertEqual([e.status for e in rotated], [200])

    def test_readme_walk_through_then_every_guide_on_one_server(self):
        """A newcomer follows the README, then each guide, on the same server: no client id is
        taken twice, and every page still ends with a token."""
        with fresh_checkout(own_tokens=True) as (server, cwd):
            readme = self.run_page(README, None, server, cwd)
            self.assertTrue(any(e.url.endswith("/api/admin/plugins") for e in readme.exchanges), readme.describe())
            self.assert_token(readme, server, "my-app")
            me = json.loads(readme.exchanges[-1].body)
            self.assertEqual((readme.exchanges[-1].url, me["principal"], me["openid_connect_client"]),
                             (server.url + "/api/me", "my-app", "idgate"))
            for page, client in ((PRIVATE_KEY_JWT, "my-%s-service"), (CLIENT_SECRET_JWT, "my-jwt-app"),
                                 (KEYSTORE, KEYSTORE_CLIENT)):
                # The keystore guide's variants are two tools for the same steps: one of them.
                for variant in guide_runner.variants(page)[:1 if page == KEYSTORE else None]:
                    with self.subTest(page=os.path.basename(page), variant=variant):
                        result = self.run_page(page, variant, server, cwd)
                        self.assert_token(result, server, client % variant.lower() if "%" in client else client)

    def test_inits_own_tokens_example_uncommented_makes_api_me_accept_idgates_tokens(self):
        with TempDir() as tmp:
            default_home, _ = init_home(tmp, "default")
            with open(default_home + "/conf/server.xml") as f:
                self.assertRegex(f.read(), r'<!--\n  <openidConnectClient id="idgate" inboundPropagation="required" '
                                           r'signatureAlgorithm="ES256"\n +issuerIdentifier="http://127.0.0.1:9443" '
                                           r'tokenReuse="true"/>\n  -->\n</Server>\n$')
            # An issuer with "--" (a punycode host) cannot be written as is inside a comment.
            for n, issuer in enumerate(("https://idgate.example", "https://xn--idgate-7xa.example")):
                with self.subTest(issuer):
                    home, _ = init_home(tmp, "home%d" % n, issuer=issuer)
                    plain = Server(home).start()
                    try:
                        client = plain.register(client_id="me-client", scope="orders:read idgate:admin")
                        _, body = plain.curl_token("grant_type=client_credentials",
                                                   user="me-client:" + client["client_secret"])
                        before = plain.request("GET", "/api/me", headers={"Authorization": "Bearer "
                                                                           + body["access_token"]})
                        self.assertNotEqual(before.status, 200, "no openidConnectClient before uncommenting")
                    finally:
                        plain.stop()
                    uncomment_own_tokens_example(home)
                    server = Server(home).start()
                    try:
                        _, body = server.curl_token("grant_type=client_credentials",
                                                    user="me-client:" + client["client_secret"])
                        bearer = {"Authorization": "Bearer " + body["access_token"]}
                        for attempt in ("first", "again (tokenReuse)"):
                            r = server.request("GET", "/api/me", headers=bearer)
                            self.assertEqual(r.status, 200, "%s: %s\n%s" % (attempt, r.text, server.log()))
                            me = r.json()
                            self.assertEqual((me["principal"], me["client_id"], me["issuer"],
                                              me["openid_connect_client"]), ("me-client", "me-client", issuer, "idgate"))
                        r = server.request("GET", "/api/me")
                        self.assertEqual((r.status, r.headers["www-authenticate"]), (401, 'Bearer realm="idgate"'))
                        # The admin API takes the same token: it carries the idgate:admin scope.
                        r = server.request("GET", "/api/admin/clients/me-client", headers=bearer)
                        self.assertEqual(r.status, 200, r.text)
                    finally:
                        server.stop()

    def test_a_broken_command_fails_the_run(self):
        """The runner itself: a failing command, an undefined variable and an HTTP error are each
        reported with the page's line."""
        with TempDir() as tmp:
            page = os.path.join(tmp, "page.md")
            with open(page, "w") as f:
                f.write("# t\n\n```sh\ntrue\n```\n\n<!-- guide-test: a -->\n```sh\nfalse\n```\n\n"
                        "<!-- guide-test: b -->\n```sh\necho $UNDEFINED\n```\n\n"
                        "<!-- guide-test: c -->\n```sh\ncurl -s http://127.0.0.1:9443/nowhere\n```\n")
            self.assertEqual(guide_runner.variants(page), ["a", "b", "c"])
            env = dict(os.environ)
            a = guide_runner.run(page, "a", "http://127.0.0.1:1", tmp, env)
            self.assertNotEqual(a.returncode, 0)
            self.assertEqual(a.failed_at, "page.md:9: false")
            b = guide_runner.run(page, "b", "http://127.0.0.1:1", tmp, env)
            self.assertNotEqual(b.returncode, 0)
            self.assertIn("UNDEFINED: unbound variable", b.stderr)
            with fresh_checkout() as (server, cwd):
                c = guide_runner.run(page, "c", server.url, cwd, env)
                self.assertEqual(c.returncode, 0, c.describe())
                self.assertEqual([(e.status, e.url) for e in c.exchanges], [(404, server.url + "/nowhere")])


class ExampleScriptsTest(ServerTestCase, unittest.TestCase):
    def run_example(self, name, **env):
        env = dict(os.environ, BASE=self.server.url, ADMIN=ADMIN_PASSWORD, **env)
        return subprocess.run(["bash", os.path.join(EXAMPLES, name)], env=env, capture_output=True, text=True,
                              timeout=120)

    def responses(self, out):
        self.assertEqual(out.returncode, 0, out.stderr)
        return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]

    def test_private_key_jwt_recipe(self):
        first, replay = self.responses(self.run_example("private_key_jwt.sh"))
        self.assertIn("access_token", first)
        self.assertEqual(replay, {"error": "invalid_client", "error_description": "jti already used"})

    def test_client_secret_jwt_recipe(self):
        (result,) = self.responses(self.run_example("client_secret_jwt.sh"))
        self.assertIn("access_token", result)

    def test_a_taken_client_id_is_reported_with_the_servers_answer(self):
        for name in ("private_key_jwt.sh", "client_secret_jwt.sh"):
            with self.subTest(name):
                client_id = "taken-" + name.split(".")[0].replace("_", "-")
                self.server.register(client_id=client_id)
                out = self.run_example(name, CLIENT_ID=client_id)
                self.assertEqual(out.returncode, 1, out.stderr)
                self.assertEqual(out.stdout, "")
                self.assertIn("registering client '%s' failed: HTTP 409 " % client_id, out.stderr)
                self.assertIn('"error":"conflict"', out.stderr)
                self.assertIn("is already registered", out.stderr)


if __name__ == "__main__":
    unittest.main()
