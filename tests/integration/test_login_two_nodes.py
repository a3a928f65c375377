"""Two idgate nodes on one PostgreSQL (the same home copied: the same keystore, hence the same
signing key and cookie key; one issuer): a sign-in begun on one node finishes on the other, and
a session, a code and a logout are seen by both."""
import json
import re
import shutil
import subprocess
import threading
import time
import unittest

import jwt

from harness import (FORM, Server, TempDir, basic, edit, form, init_home, postgres_connection,
                     uncomment_own_tokens_example)
from login_support import Browser, pkce_pair

CB = "http://127.0.0.1:9/cb"
PASSWORD = "correct horse battery"
ISSUER = "https://idgate.example.test"


class TwoNodesTest(unittest.TestCase):
    def setUp(self):
        self.tmp = TempDir()
        d = self.tmp.__enter__()
        connection = re.sub(r"dbname=\S+", "dbname=idgate_login_nodes", postgres_connection())
        # A database of its own on the fixture's server.
        base = postgres_connection()
        subprocess.run(["psql", base, "-c", "DROP DATABASE IF EXISTS idgate_login_nodes WITH (FORCE)"],
                       check=True, capture_output=True)
        subprocess.run(["psql", base, "-c", "CREATE DATABASE idgate_login_nodes"], check=True, capture_output=True)
        home_a, _ = init_home(d, "a", issuer=ISSUER)
        edit(home_a + "/conf/server.xml", '<Database type="sqlite" path="data/idgate.db"/>',
             '<Database type="postgresql" connection="%s"/>' % connection)
        uncomment_own_tokens_example(home_a)  # both nodes accept idgate's tokens at /api/me
        home_b = d + "/b"
        shutil.copytree(home_a, home_b)
        self.a = Server(home_a).start()
        self.b = Server(home_b).start()

    def tearDown(self):
        self.a.stop()
        self.b.stop()
        self.tmp.__exit__(None, None, None)

    def test_log_in_on_one_node_finish_on_the_other(self):
        r = self.a.admin("POST", "/api/admin/users", {"username": "nina", "password": PASSWORD,
                                                      "claims": {"email": "nina@example.com"}})
        self.assertEqual(r.status, 201, r.text)
        self.b.register(client_id="spa", token_endpoint_auth_method="none",
                        grant_types=["authorization_code"], redirect_uris=[CB])
        browser = Browser(self.a.url)
        verifier, challenge = pkce_pair()
        page = browser.get(self.a.url + "/oauth2/authorize", response_type="code", client_id="spa",
                           redirect_uri=CB, scope="openid email", state="s1", nonce="n1",
                           code_challenge=challenge, code_challenge_method="S256")
        self.assertEqual(page.status, 200, page.text)
        # The login form posted to the other node.
        consent = browser.post(self.b.url + "/oauth2/login", {
            "ix": page.hidden("ix"), "csrf_token": page.hidden("csrf_token"),
            "username": "nina", "password": PASSWORD})
        self.assertEqual(consent.status, 200, consent.text)
        done = browser.post(self.a.url + "/oauth2/consent", {
            "ix": consent.hidden("ix"), "csrf_token": consent.hidden("csrf_token"), "decision": "allow",
            "remember": "yes"})
        self.assertEqual(done.status, 303, done.text)
        got = done.redirect_params()
        self.assertEqual(got["iss"], ISSUER)
        # The code from node A, exchanged at node B.
        r = self.b.request("POST", "/oauth2/token", form(grant_type="authorization_code", code=got["code"],
                                                         redirect_uri=CB, code_verifier=verifier,
                                                         client_id="spa"), FORM)
        self.assertEqual(r.status, 200, r.text)
        tokens = r.json()
        # Verified with node A's JWKS (the same key as B's) and the configured issuer.
        jwks = json.loads(self.a.request("GET", "/oauth2/jwks").data)
        claims = jwt.decode(tokens["id_token"], jwt.PyJWK(jwks["keys"][0]).key, algorithms=["ES256"],
                            audience="spa", issuer=ISSUER)
        self.assertEqual((claims["nonce"], claims["email"]), ("n1", "nina@example.com"))
        # Userinfo at A; the session (made by B) is known there.
        r = self.a.request("GET", "/oauth2/userinfo", headers={"Authorization": "Bearer " + tokens["access_token"]})
        self.assertEqual((r.status, r.json().get("email")), (200, "nina@example.com"), r.text)
        # The replay at A is seen (the code was redeemed at B).
        r = self.a.request("POST", "/oauth2/token", form(grant_type="authorization_code", code=got["code"],
                                                         redirect_uri=CB, code_verifier=verifier,
                                                         client_id="spa"), FORM)
        self.assertEqual(r.json()["error_description"],
                         "authorization code was already used; the tokens issued with it are revoked")
        # Signed in on both: prompt=none at B answers at once; logout at B ends it at A.
        silent = browser.get(self.b.url + "/oauth2/authorize", response_type="code", client_id="spa",
                             redirect_uri=CB, scope="openid email", prompt="none",
                             code_challenge=challenge, code_challenge_method="S256")
        self.assertIn("code", silent.redirect_params())
        bye = browser.get(self.b.url + "/oauth2/logout", id_token_hint=tokens["id_token"])
        self.assertEqual(bye.status, 200)
        self.assertIn("You are signed out", bye.text)
        silent = browser.get(self.a.url + "/oauth2/authorize", response_type="code", client_id="spa",
                             redirect_uri=CB, scope="openid", prompt="none",
                             code_challenge=challenge, code_challenge_method="S256")
        self.assertEqual(silent.redirect_params()["error"], "login_required")


    def test_two_nodes_racing_one_refresh_token_give_one_success(self):
        self.a.admin("POST", "/api/admin/users", {"username": "otto", "password": PASSWORD})
        self.a.register(client_id="app", token_endpoint_auth_method="none",
                        grant_types=["authorization_code", "refresh_token"], redirect_uris=[CB])
        browser = Browser(self.a.url)
        outcomes = []
        for round_ in range(20):
            verifier, challenge = pkce_pair()
            page = browser.get(self.a.url + "/oauth2/authorize", response_type="code", client_id="app",
                               redirect_uri=CB, scope="openid offline_access", prompt="login",
                               code_challenge=challenge, code_challenge_method="S256")
            page = browser.post(self.a.url + "/oauth2/login", {
                "ix": page.hidden("ix"), "csrf_token": page.hidden("csrf_token"),
                "username": "otto", "password": PASSWORD})
            if page.status == 200:
                page = browser.post(self.a.url + "/oauth2/consent", {
                    "ix": page.hidden("ix"), "csrf_token": page.hidden("csrf_token"),
                    "decision": "allow", "remember": "yes"})
            r = self.a.request("POST", "/oauth2/token", form(
                grant_type="authorization_code", code=page.redirect_params()["code"], redirect_uri=CB,
                code_verifier=verifier, client_id="app"), FORM)
            token = r.json()["refresh_token"]
            results = [None, None]
            barrier = threading.Barrier(2)

            def race(i, node):
                barrier.wait()
                results[i] = node.request("POST", "/oauth2/token", form(
                    grant_type="refresh_token", refresh_token=token, client_id="app"), FORM).status

            threads = [threading.Thread(target=race, args=(0, self.a)), threading.Thread(target=race, args=(1, self.b))]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            outcomes.append(sorted(results))
        self.assertEqual(outcomes, [[200, 400]] * 20)

    def test_a_token_revoked_on_one_node_is_refused_by_the_other_within_five_seconds(self):
        client = self.a.register(client_id="svc", scope="orders")
        r = self.a.request("POST", "/oauth2/token", form(grant_type="client_credentials"),
                           dict(FORM, Authorization=basic("svc", client["client_secret"])))
        token = r.json()["access_token"]
        me = {"Authorization": "Bearer " + token}
        self.assertEqual(self.a.request("GET", "/api/me", headers=me).status, 200)
        self.assertEqual(self.b.request("GET", "/api/me", headers=me).status, 200)
        r = self.a.request("POST", "/oauth2/revoke", form(token=token),
                           dict(FORM, Authorization=basic("svc", client["client_secret"])))
        self.assertEqual(r.status, 200, r.text)
        revoked_at = time.monotonic()
        self.assertEqual(self.a.request("GET", "/api/me", headers=me).status, 401, "at once where revoked")
        while self.b.request("GET", "/api/me", headers=me).status == 200:
            self.assertLess(time.monotonic() - revoked_at, 7, "node b still accepts the revoked token")
            time.sleep(0.2)
        r = self.b.request("GET", "/api/me", headers=me)
        self.assertEqual(r.json()["error_description"], "the token has been revoked")
        # propagationSeconds="5" (the default) bounds it; a margin for a loaded machine.
        self.assertLess(time.monotonic() - revoked_at, 6.5)


if __name__ == "__main__":
    unittest.main()
