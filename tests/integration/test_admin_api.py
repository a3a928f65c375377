"""Admin REST API: client registration (RFC 7591 metadata) and plugin status."""
import os
import unittest

from harness import ADMIN_PASSWORD, ServerTestCase, basic


class AdminApiTest(ServerTestCase, unittest.TestCase):
    def test_requires_admin_credentials(self):
        r = self.server.request("GET", "/api/admin/clients")
        self.assertEqual(r.status, 401)
        self.assertEqual(r.headers["www-authenticate"], 'Basic realm="idgate admin", charset="UTF-8"')
        self.assertEqual(self.server.admin("GET", "/api/admin/clients", password="wrong-password").status, 401)

    def test_register_generates_id_and_secret_shown_once(self):
        created = self.server.register(client_name="Generated")
        self.assertGreaterEqual(len(created["client_id"]), 20)
        self.assertGreaterEqual(len(created["client_secret"]), 43)
        self.assertEqual(created["client_secret_expires_at"], 0)
        self.assertEqual(created["token_endpoint_auth_method"], "client_secret_basic")
        self.assertEqual(created["grant_types"], ["client_credentials"])
        got = self.server.admin("GET", "/api/admin/clients/" + created["client_id"])
        self.assertEqual(got.status, 200)
        self.assertNotIn("client_secret", got.json())
        self.assertEqual(got.headers["cache-control"], "no-store")
        listed = self.server.admin("GET", "/api/admin/clients").json()["clients"]
        self.assertIn(created["client_id"], [c["client_id"] for c in listed])
        self.assertTrue(all("client_secret" not in c for c in listed))

    def test_secret_is_not_stored_in_clear(self):
        self.server.register(client_id="stored", client_secret="a-very-recognisable-secret-1234")
        with open(self.server.home + "/data/idgate.db", "rb") as f:
            self.assertNotIn(b"a-very-recognisable-secret-1234", f.read())

    def test_invalid_metadata(self):
        cases = [
            ({"token_endpoint_auth_method": "tls_client_auth"},
             "token_endpoint_auth_method 'tls_client_auth' is not provided by any plugin in dropins/"),
            ({"grant_types": ["password"]},
             "grant type 'password' is not supported (supported: client_credentials, authorization_code, refresh_token, "
             "urn:ietf:params:oauth:grant-type:token-exchange)"),
            ({"redirect_uris": ["not a uri"]}, "redirect_uris: 'not a uri' has spaces, controls or non-ASCII characters"),
            ({"client_secret": "short"}, "client_secret must be 16 to 512 bytes"),
        ]
        for payload, description in cases:
            r = self.server.admin("POST", "/api/admin/clients", payload)
            self.assertEqual(r.status, 400, payload)
            self.assertEqual(r.json(), {"error": "invalid_client_metadata", "error_description": description})

    def test_repeated_members_are_refused(self):
        for body in ('{"client_id":"twice","scope":"read","scope":"admin"}',
                     '{"client_id":"twice","client_id":"other"}'):
            r = self.server.request("POST", "/api/admin/clients", body,
                                    {"Authorization": basic("admin", ADMIN_PASSWORD), "Content-Type": "application/json"})
            self.assertEqual((r.status, r.json()["error"]), (400, "invalid_client_metadata"), body)
            self.assertIn("no repeated member", r.json()["error_description"])
        self.assertEqual(self.server.admin("GET", "/api/admin/clients/twice").status, 404)
        self.server.register(client_id="twice")
        r = self.server.request("PUT", "/api/admin/clients/twice", '{"scope":"read","scope":"admin"}',
                                {"Authorization": basic("admin", ADMIN_PASSWORD), "Content-Type": "application/json"})
        self.assertEqual(r.status, 400, r.text)

    def test_non_json_content_type_is_400(self):
        r = self.server.request("POST", "/api/admin/clients", "client_name=x",
                                {"Authorization": "Basic YWRtaW46YWRtaW4tcGFzcy0xMjM=",
                                 "Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 400)

    def test_changes_refuse_what_a_cross_site_form_can_send(self):
        # A browser with cached Basic credentials posts a form (or text) from another site: no
        # CORS preflight, so the Content-Type is the only tell. Calls without a body included.
        auth = {"Authorization": basic("admin", ADMIN_PASSWORD)}
        jwks_before = self.server.request("GET", "/oauth2/jwks").json()
        for path in ("/api/admin/plugins/reload", "/api/admin/keystore/signing-key"):
            for ctype in ("application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x"):
                r = self.server.request("POST", path, "", dict(auth, **{"Content-Type": ctype}))
                self.assertEqual(r.status, 400, (path, ctype, r.text))
                self.assertEqual(r.json()["error"], "invalid_request")
                self.assertIn("Content-Type must be application/json (or absent for a call without a body)",
                              r.json()["error_description"])
        self.assertEqual(self.server.request("GET", "/oauth2/jwks").json(), jwks_before, "the key was rotated")
        # Without a Content-Type, as curl -X POST sends it, the call is made.
        self.assertEqual(self.server.request("POST", "/api/admin/plugins/reload", None, auth).status, 200)

    def test_duplicate_id_is_409(self):
        self.server.register(client_id="dup")
        r = self.server.admin("POST", "/api/admin/clients", {"client_id": "dup"})
        self.assertEqual(r.status, 409)
        self.assertEqual(r.json()["error_description"], "client_id 'dup' is already registered")

    def test_replace_and_delete(self):
        created = self.server.register(client_id="crud", scope="a")
        r = self.server.admin("PUT", "/api/admin/clients/crud", {"scope": "a b", "client_name": "Renamed"})
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.json()["scope"], "a b")
        self.assertNotIn("client_secret", r.json(), "existing secret kept, not regenerated")
        code, body = self.server.curl_token("grant_type=client_credentials", "scope=b",
                                            user="crud:" + created["client_secret"])
        self.assertEqual(code, 200, body)
        r = self.server.admin("PUT", "/api/admin/clients/crud", {"client_id": "other"})
        self.assertEqual(r.status, 400)
        self.assertEqual(self.server.admin("DELETE", "/api/admin/clients/crud").status, 204)
        self.assertEqual(self.server.admin("GET", "/api/admin/clients/crud").status, 404)
        self.assertEqual(self.server.admin("DELETE", "/api/admin/clients/crud").status, 404)
        code, body = self.server.curl_token("grant_type=client_credentials", user="crud:" + created["client_secret"])
        self.assertEqual((code, body["error_description"]), (401, "client unknown or secret does not match"))

    def test_switching_to_post_keeps_working_secret(self):
        created = self.server.register(client_id="switch")
        r = self.server.admin("PUT", "/api/admin/clients/switch", {"token_endpoint_auth_method": "client_secret_post"})
        self.assertEqual(r.status, 200)
        code, body = self.server.curl_token("grant_type=client_credentials", "client_id=switch",
                                            "client_secret=" + created["client_secret"])
        self.assertEqual(code, 200, body)

    def test_plugins_listing(self):
        body = self.server.admin("GET", "/api/admin/plugins").json()
        self.assertEqual(body["order"], ["client_secret_basic", "client_secret_post", "private_key_jwt",
                                         "client_secret_jwt", "none"])
        by_file = {p["file"]: p for p in body["plugins"]}
        self.assertEqual(by_file["idgate-client-secret-basic.so"]["status"], "active")
        self.assertEqual(by_file["idgate-client-secret-basic.so"]["order_id"], 10)
        self.assertEqual(by_file["idgate-none.so"]["auth_method"], "none")


if __name__ == "__main__":
    unittest.main()


class AdminLoginThrottleTest(unittest.TestCase):
    @unittest.skipIf(os.environ.get("IDGATE_SANITIZER_RUN"),
                     "asserts 1 s and 2 s back-off windows, which a sanitizer's slowdown outlasts")
    def test_wrong_guesses_are_throttled_with_429_and_retry_after(self):
        import time
        from harness import Server, TempDir, init_home
        with TempDir() as tmp:
            server = Server(init_home(tmp)[0]).start()
            try:
                def get(password):
                    return server.request("GET", "/api/admin/clients",
                                          headers={"Authorization": basic("admin", password)})
                for i in range(5):
                    self.assertEqual(get("wrong-%d" % i).status, 401, i)
                r = get(ADMIN_PASSWORD)
                self.assertEqual(r.status, 429, "throttled before the password is even checked")
                self.assertEqual(r.headers["retry-after"], "1")
                self.assertEqual(r.json(), {"error": "too_many_requests", "error_description":
                                            "too many failed admin logins from this address or for this user; "
                                            "retry after 1 s"})
                time.sleep(1.1)
                self.assertEqual(get("wrong-again").status, 401)
                r = get(ADMIN_PASSWORD)
                self.assertEqual((r.status, r.headers["retry-after"]), (429, "2"), "the next wait doubles")
                time.sleep(2.1)
                self.assertEqual(get(ADMIN_PASSWORD).status, 200)
                self.assertEqual(get("wrong").status, 401, "a success cleared the failures")
                self.assertEqual(get(ADMIN_PASSWORD).status, 200)
                # The token endpoint is not affected.
                self.assertEqual(server.request("GET", "/health").status, 200)
            finally:
                self.assertEqual(server.stop(), 0)

    @unittest.skipIf(os.environ.get("IDGATE_SANITIZER_RUN"),
                     "asserts a 1 s back-off window, which a sanitizer's slowdown outlasts")
    def test_guesses_elsewhere_do_not_lock_the_admin_out(self):
        import http.client
        import threading
        import time
        from harness import Server, TempDir, init_home
        with TempDir() as tmp:
            server = Server(init_home(tmp)[0]).start()
            try:
                host, port = server.url.split("//")[1].split(":")

                def get_from(source, password):
                    c = http.client.HTTPConnection(host, int(port), timeout=30, source_address=(source, 0))
                    c.request("GET", "/api/admin/clients", headers={"Authorization": basic("admin", password)})
                    r = c.getresponse()
                    r.read()
                    c.close()
                    return r.status, r.getheader("Retry-After")

                # Concurrent guesses are counted before their hash: at most 5 are checked.
                statuses = []
                threads = [threading.Thread(target=lambda: statuses.append(get_from("127.0.0.2", "guess")))
                           for _ in range(16)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                checked = sum(1 for status, _ in statuses if status == 401)
                self.assertLessEqual(checked, 5, statuses)
                self.assertEqual(sum(1 for status, _ in statuses if status == 429), 16 - checked, statuses)
                # The guesser's address backs off; the admin user is held to one hash a second only.
                self.assertEqual(get_from("127.0.0.2", ADMIN_PASSWORD)[0], 429)
                status, retry = get_from("127.0.0.1", ADMIN_PASSWORD)
                if status == 429:
                    self.assertEqual(retry, "1")
                    time.sleep(1.1)
                    status, retry = get_from("127.0.0.1", ADMIN_PASSWORD)
                self.assertEqual(status, 200)
            finally:
                self.assertEqual(server.stop(), 0)
