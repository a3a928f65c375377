"""Home creation, startup errors, broken dropins, HTTPS, PostgreSQL, and graceful shutdown."""
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import unittest

from harness import (ADMIN_PASSWORD, BUILD, FIXTURE_DROPINS, FORM, REPO, SERVER, Server, TempDir, basic,
                     bootstrap_property, edit, enable_https, form, init_home, postgres_connection)


class CheckoutLayoutTest(unittest.TestCase):
    """./run.sh's layout: conf/ and dropins/ outside the home (the checkout's), the home holding
    only data, keystore and bootstrap.properties; changes to that conf/identity.xml and dropins/
    apply on reload."""

    def test_home_for_a_shared_conf_and_dropins(self):
        with TempDir() as tmp:
            conf = os.path.join(tmp, "conf")
            shutil.copytree(os.path.join(REPO, "conf"), conf)
            dropins = os.path.join(tmp, "dropins")
            os.mkdir(dropins)
            bundled = os.path.join(BUILD, "dropins")
            for f in os.listdir(bundled):
                if f.endswith(".so") and f != "idgate-client-secret-post.so":
                    shutil.copy(os.path.join(bundled, f), dropins)
            home = os.path.join(tmp, "home")
            refused = subprocess.run([SERVER, "init", home, "--conf", conf, "--issuer", "https://x.example"],
                                     capture_output=True, text=True)
            self.assertEqual(refused.returncode, 1)
            self.assertIn("--issuer applies to a home's own conf/; with --conf set <Issuer> in %s/server.xml" % conf,
                          refused.stderr)
            out = subprocess.run([SERVER, "init", home, "--conf", conf, "--admin-password", ADMIN_PASSWORD],
                                 capture_output=True, text=True)
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertEqual(sorted(os.listdir(home)), ["bootstrap.properties", "data", "keystore"])
            with open(os.path.join(conf, "server.xml")) as f, open(os.path.join(REPO, "conf", "server.xml")) as g:
                self.assertEqual(f.read(), g.read(), "init leaves the shared conf/ as it was")
            server = Server(home, conf=conf, dropins=dropins).start()
            try:
                plugins = server.admin("GET", "/api/admin/plugins").json()
                self.assertNotIn("client_secret_post", plugins["order"])
                self.assertIn("client_secret_basic", plugins["order"])
                # A .so dropped into dropins/ and a change to conf/identity.xml: one reload.
                shutil.copy(os.path.join(bundled, "idgate-client-secret-post.so"), dropins)
                edit(os.path.join(conf, "identity.xml"), 'name="none" orderId="1000" enable="true"',
                     'name="none" orderId="1000" enable="false"')
                r = server.admin("POST", "/api/admin/plugins/reload")
                self.assertEqual(r.status, 200, r.text)
                order = server.admin("GET", "/api/admin/plugins").json()["order"]
                self.assertIn("client_secret_post", order)
                self.assertNotIn("none", order)
                self.assertFalse(os.path.exists(os.path.join(home, "conf")))
            finally:
                self.assertEqual(server.stop(), 0)


class InitTest(unittest.TestCase):
    def test_creates_complete_home(self):
        with TempDir() as tmp:
            home, out = init_home(tmp, admin_password=None, issuer="https://idp.example.com")
            for p in ("conf/server.xml", "conf/identity.xml", "keystore/idgate.p12", "data",
                      "dropins/idgate-client-secret-basic.so", "dropins/idgate-client-secret-post.so",
                      "dropins/idgate-none.so", "dropins/idgate-private-key-jwt.so",
                      "dropins/idgate-client-secret-jwt.so"):
                self.assertTrue(os.path.exists(os.path.join(home, p)), p)
            password = re.search(r"admin password \(shown once, store it now\): (\S+)", out.stdout).group(1)
            with open(os.path.join(home, "conf/server.xml")) as f:
                xml = f.read()
            with open(os.path.join(home, "bootstrap.properties")) as f:
                secrets = f.read()
            self.assertNotIn(password, xml + secrets, "only the hash is stored")
            # conf/ is the repository's, with the issuer given to init; the secrets are variables.
            with open(os.path.join(REPO, "conf", "server.xml")) as f:
                template = f.read()
            self.assertEqual(xml, template.replace("<Server>\n", "<Server>\n  <Issuer>https://idp.example.com</Issuer>\n", 1)
                             .replace('issuerIdentifier="http://127.0.0.1:9443"', 'issuerIdentifier="https://idp.example.com"'))
            with open(os.path.join(REPO, "conf", "identity.xml")) as f, \
                    open(os.path.join(home, "conf", "identity.xml")) as g:
                self.assertEqual(g.read(), f.read())
            self.assertIn('passwordHash="${admin.passwordHash}"', xml)
            self.assertRegex(secrets, r"(?m)^admin\.passwordHash=pbkdf2-sha256\$600000\$")
            self.assertEqual(os.stat(os.path.join(home, "bootstrap.properties")).st_mode & 0o777, 0o600)
            # The keystore is a PKCS12 file OpenSSL reads, with the signing key under alias idgate.
            store_password = bootstrap_property(home, "keystore.password")
            info = subprocess.run(["openssl", "pkcs12", "-in", os.path.join(home, "keystore/idgate.p12"),
                                   "-passin", "pass:" + store_password, "-nokeys", "-info"],
                                  capture_output=True, text=True)
            self.assertEqual(info.returncode, 0, info.stderr)
            self.assertIn("friendlyName: idgate", info.stdout)
            self.assertIn("subject=CN = idgate", info.stdout)
            server = Server(home).start()
            try:
                self.assertEqual(server.request("GET", "/.well-known/openid-configuration").json()["issuer"],
                                 "https://idp.example.com")
                self.assertEqual(server.admin("GET", "/api/admin/clients", password=password).status, 200)
            finally:
                self.assertEqual(server.stop(), 0)

    def test_refuses_to_overwrite(self):
        with TempDir() as tmp:
            home, _ = init_home(tmp)
            out = subprocess.run([SERVER, "init", home], capture_output=True, text=True)
            self.assertEqual(out.returncode, 1)
            self.assertIn("already exists and is not empty; refusing to overwrite it", out.stderr)


class ConfigErrorTest(unittest.TestCase):
    def start_expecting_failure(self, change):
        with TempDir() as tmp:
            home, _ = init_home(tmp)
            change(home)
            out = subprocess.run([SERVER, "--home", home, "--port", "0"], capture_output=True, text=True, timeout=60)
            return out.returncode, out.stderr + out.stdout, home

    def test_bad_attribute_names_file_element_attribute(self):
        code, log, home = self.start_expecting_failure(
            lambda h: edit(h + "/conf/server.xml", 'accessTokenLifetimeSeconds="3600"',
                           'accessTokenLifetimeSeconds="soon"'))
        self.assertEqual(code, 1)
        self.assertIn("conf/server.xml: element <Server/Tokens> attribute 'accessTokenLifetimeSeconds': "
                      "must be an integer from 60 to 86400, not 'soon'", log)

    def test_unknown_element_in_identity_xml(self):
        code, log, _ = self.start_expecting_failure(
            lambda h: edit(h + "/conf/identity.xml", "<OAuth>", "<OAuth><TimestampSkw>5</TimestampSkw>"))
        self.assertEqual(code, 1)
        self.assertIn("conf/identity.xml: element <Server/OAuth>: unknown element <TimestampSkw>", log)

    def test_oversized_config_file_is_refused(self):
        # Refused by its size before any parsing (a 12 MB comment took 10 s to parse).
        code, log, _ = self.start_expecting_failure(
            lambda h: edit(h + "/conf/identity.xml", "<OAuth>", "<OAuth><!--" + "x" * (12 << 20) + "-->"))
        self.assertEqual(code, 1)
        self.assertRegex(log, r"conf/identity.xml: \d+ bytes; configuration files are limited to 1048576 bytes "
                              r"\(1 MiB\)")

    def test_missing_variable_names_file_element_attribute_and_where_to_set_it(self):
        def drop(h):
            edit(h + "/bootstrap.properties", "admin.passwordHash=", "admin.oldPasswordHash=")
        code, log, home = self.start_expecting_failure(drop)
        self.assertEqual(code, 1)
        self.assertIn("/conf/server.xml: element <Server/Admin> attribute 'passwordHash': variable "
                      "${admin.passwordHash} has no value; define it in %s/bootstrap.properties "
                      "(admin.passwordHash=...)" % home, log)

    def test_wrong_keystore_password(self):
        def change(h):
            with open(h + "/conf/server.xml") as f:
                xml = f.read()
            edit(h + "/conf/server.xml", "<Password>${keystore.password}</Password>", "<Password>wrong</Password>")
        code, log, _ = self.start_expecting_failure(change)
        self.assertEqual(code, 1)
        self.assertIn("element <Server/Security/KeyStore>: keystore password was incorrect", log)

    def test_missing_key_alias(self):
        code, log, _ = self.start_expecting_failure(
            lambda h: edit(h + "/conf/server.xml", "<KeyAlias>idgate</KeyAlias>", "<KeyAlias>nope</KeyAlias>"))
        self.assertEqual(code, 1)
        self.assertIn("element <Server/Security/KeyStore/KeyAlias>: keystore has no entry with alias 'nope'", log)

    def test_port_in_use(self):
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", 0))
            busy.listen()
            port = busy.getsockname()[1]
            with TempDir() as tmp:
                home, _ = init_home(tmp)
                out = subprocess.run([SERVER, "--home", home, "--port", str(port)], capture_output=True,
                                     text=True, timeout=60)
                self.assertEqual(out.returncode, 1)
                self.assertIn("element <Server/Listeners/Listener> attribute 'port': cannot listen on 127.0.0.1:%d"
                              % port, out.stderr)

    def test_a_second_server_on_the_same_port_stops_at_startup(self):
        # Poco turned on SO_REUSEPORT: a second idgate bound the port and took half the traffic.
        with TempDir() as tmp:
            first = Server(init_home(tmp, "a")[0]).start()
            try:
                port = int(first.url.rsplit(":", 1)[1])
                home_b, _ = init_home(tmp, "b")
                out = subprocess.run([SERVER, "--home", home_b, "--port", str(port)], capture_output=True,
                                     text=True, timeout=60)
                self.assertEqual(out.returncode, 1, out.stderr)
                self.assertIn("element <Server/Listeners/Listener> attribute 'port': cannot listen on 127.0.0.1:%d"
                              % port, out.stderr)
                self.assertNotIn("listening on", out.stderr)
                # And a process that does use SO_REUSEPORT cannot join the server's port either.
                with socket.socket() as s:
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
                    with self.assertRaises(OSError):
                        s.bind(("127.0.0.1", port))
                self.assertEqual(first.request("GET", "/health").status, 200)
            finally:
                self.assertEqual(first.stop(), 0)


class BrokenDropinsTest(unittest.TestCase):
    """Every failure mode is reported with file and reason; the server keeps serving."""

    def test_server_reports_skips_and_serves(self):
        with TempDir() as tmp:
            home, _ = init_home(tmp)
            for f in os.listdir(FIXTURE_DROPINS):
                shutil.copy(os.path.join(FIXTURE_DROPINS, f), os.path.join(home, "dropins", f))
            # Not regular files: opening a FIFO blocked startup forever.
            os.mkfifo(os.path.join(home, "dropins", "fifo.so"))
            os.mkdir(os.path.join(home, "dropins", "folder.so"))
            server = Server(home).start(timeout=15)
            try:
                plugins = {p["file"]: p for p in server.admin("GET", "/api/admin/plugins").json()["plugins"]}
                expected = {
                    "fixture_abi_mismatch.so": "ABI major version 99, server speaks 2 (and 1 through its adapter)",
                    "fixture_no_entry_point.so": "no entry point idgate_plugin_v2 (ABI 2) or idgate_plugin_descriptor_v1 (ABI 1)",
                    "fixture_not_elf.so": "not a shared library (no ELF header)",
                    "fixture_config_refused.so": "configuration refused: property RequiredSetting is missing",
                    "fixture_throws_in_constructor.so": "constructor threw an exception",
                    "fifo.so": "not a regular file (a FIFO)",
                    "folder.so": "not a regular file (a directory)",
                }
                for f, reason in expected.items():
                    self.assertEqual((plugins[f]["status"], plugins[f]["reason"]), ("failed", reason), f)
                    self.assertIn("plugin %s skipped: %s" % (f, reason), server.log())
                self.assertEqual(plugins["fixture_garbage_code.so"]["status"], "active")
                # A garbage return code and an exception inside a plugin are denials.
                client = server.register(client_id="c1")
                auth = {"Authorization": basic("c1", client["client_secret"])}
                for fixture in ("garbage", "throw"):
                    r = server.request("POST", "/oauth2/token", form(grant_type="client_credentials", fixture=fixture),
                                       dict(FORM, **auth))
                    self.assertEqual(r.status, 401, fixture)
                    self.assertEqual(r.json()["error_description"], "client authentication failed")
                # Everything else still works.
                r = server.request("POST", "/oauth2/token", "grant_type=client_credentials", dict(FORM, **auth))
                self.assertEqual(r.status, 200, r.text)
                # The admin API counts each active plugin's calls, failures and time: the
                # garbage code was a failure of that plugin, not of the others it passed.
                plugins = {p["file"]: p for p in server.admin("GET", "/api/admin/plugins").json()["plugins"]}
                garbage = plugins["fixture_garbage_code.so"]["calls"]
                self.assertGreaterEqual(garbage["count"], 1)
                self.assertEqual(garbage["failures"], 1)
                basic_calls = plugins["idgate-client-secret-basic.so"]["calls"]
                self.assertGreaterEqual(basic_calls["count"], 1)
                self.assertEqual(basic_calls["failures"], 0)
                self.assertGreater(basic_calls["total_us"], 0)
                self.assertNotIn("calls", plugins["fixture_abi_mismatch.so"])  # never loaded
            finally:
                self.assertEqual(server.stop(), 0)

    def test_identity_xml_disables_and_reorders(self):
        with TempDir() as tmp:
            home, _ = init_home(tmp)
            edit(home + "/conf/identity.xml", 'name="client_secret_post" orderId="20" enable="true"',
                 'name="client_secret_post" orderId="20" enable="false"')
            edit(home + "/conf/identity.xml", 'name="none" orderId="1000" enable="true"',
                 'name="none" orderId="1" enable="ture"')
            server = Server(home).start()
            try:
                body = server.admin("GET", "/api/admin/plugins").json()
                self.assertEqual(body["order"], ["client_secret_basic", "private_key_jwt", "client_secret_jwt"])
                states = {p["file"]: (p["status"], p.get("reason")) for p in body["plugins"]}
                self.assertEqual(states["idgate-client-secret-post.so"], ("disabled", "disabled in identity.xml"))
                self.assertEqual(states["idgate-none.so"][0], "disabled")
                d = server.request("GET", "/.well-known/openid-configuration").json()
                self.assertEqual(d["token_endpoint_auth_methods_supported"],
                                 ["client_secret_basic", "private_key_jwt", "client_secret_jwt"])
                server.register(client_id="p", token_endpoint_auth_method="client_secret_post",
                                client_secret="0123456789abcdef0123")
                code, body = server.curl_token("grant_type=client_credentials", "client_id=p",
                                               "client_secret=0123456789abcdef0123")
                self.assertEqual((code, body["error"]), (401, "invalid_client"))
            finally:
                server.stop()


class HttpsAndPostgresTest(unittest.TestCase):
    def test_https_listener_uses_keystore_key(self):
        with TempDir() as tmp:
            home, _ = init_home(tmp)
            enable_https(home)
            server = Server(home)
            server.start()
            try:
                https = server.https_url()
                r = server.request("GET", "/health", url=https)
                self.assertEqual(r.status, 200)
                cert = subprocess.run(
                    ["openssl", "s_client", "-connect", https[len("https://"):], "-brief"],
                    input="", capture_output=True, text=True, timeout=30)
                self.assertIn("CN = idgate", cert.stderr + cert.stdout)
            finally:
                self.assertEqual(server.stop(), 0)

    def https_server(self, tmp, tls=""):
        home, _ = init_home(tmp)
        enable_https(home)
        if tls:
            edit(home + "/conf/server.xml", "  <Listeners>", tls + "\n  <Listeners>")
        return home

    @staticmethod
    def https_address(server):
        """host:port of the HTTPS listener (logged after the plain one)."""
        return server.https_url()[len("https://"):]

    def s_client(self, address, *args):
        out = subprocess.run(["openssl", "s_client", "-connect", address, "-brief", *args],
                             input="", capture_output=True, text=True, timeout=30)
        return out.returncode, out.stdout + out.stderr

    def test_tls_offers_only_modern_protocols_and_aead_ciphers(self):
        with TempDir() as tmp:
            server = Server(self.https_server(tmp)).start()
            try:
                address = self.https_address(server)
                code, out = self.s_client(address, "-tls1_3")
                self.assertEqual(code, 0, out)
                self.assertIn("Protocol version: TLSv1.3", out)
                code, out = self.s_client(address, "-tls1_2")
                self.assertEqual(code, 0, out)
                self.assertIn("Ciphersuite: ECDHE-ECDSA-AES128-GCM-SHA256", out, "the server's first choice")
                # Older protocols, and TLS 1.2 ciphers without AEAD or forward secrecy, are refused.
                for args in (("-tls1_1", "-cipher", "ALL:@SECLEVEL=0"), ("-tls1", "-cipher", "ALL:@SECLEVEL=0"),
                             ("-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA256"),
                             ("-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA"),
                             ("-tls1_2", "-cipher", "AES128-GCM-SHA256")):
                    code, out = self.s_client(address, *args)
                    self.assertNotEqual(code, 0, (args, out))
                # Renegotiation is refused.
                reneg = subprocess.run(["openssl", "s_client", "-connect", address, "-tls1_2"], input="R\n",
                                       capture_output=True, text=True, timeout=30)
                self.assertIn("RENEGOTIATING", reneg.stdout + reneg.stderr)
                self.assertIn("no renegotiation", reneg.stdout + reneg.stderr)
                self.assertIn("Compression: NONE", subprocess.run(
                    ["openssl", "s_client", "-connect", address, "-tls1_2"], input="", capture_output=True,
                    text=True, timeout=30).stdout)
            finally:
                self.assertEqual(server.stop(), 0)

    def test_tls_settings_are_configurable_and_checked(self):
        with TempDir() as tmp:
            home = self.https_server(tmp, '  <Tls protocols="TLSv1.3"/>')
            server = Server(home).start()
            try:
                address = self.https_address(server)
                self.assertNotEqual(self.s_client(address, "-tls1_2")[0], 0)
                self.assertEqual(self.s_client(address, "-tls1_3")[0], 0)
            finally:
                self.assertEqual(server.stop(), 0)
        for tls, message in (
                ('<Tls protocols="TLSv1.1 TLSv1.2"/>', "element <Server/Tls> attribute 'protocols': 'TLSv1.1' is not "
                                                       "offered: TLSv1.2 and TLSv1.3 are"),
                ('<Tls ciphers="AES128-SHA:ECDHE-ECDSA-AES128-GCM-SHA256"/>',
                 "element <Server/Tls> attribute 'ciphers': AES128-SHA is not an AEAD cipher with forward secrecy"),
                ('<Tls ciphers="NOPE"/>', "element <Server/Tls> attribute 'ciphers': OpenSSL knows none of 'NOPE'")):
            with TempDir() as tmp:
                home = self.https_server(tmp, "  " + tls)
                out = subprocess.run([SERVER, "--home", home, "--port", "0"], capture_output=True, text=True,
                                     timeout=60)
                self.assertEqual(out.returncode, 1, tls)
                self.assertIn(message, out.stderr)

    def test_postgresql_database(self):
        with TempDir() as tmp:
            home, _ = init_home(tmp)
            edit(home + "/conf/server.xml", '<Database type="sqlite" path="data/idgate.db"/>',
                 '<Database type="postgresql" connection="%s"/>' % postgres_connection())
            server = Server(home).start()
            try:
                client = server.register(client_id="pg-%d" % os.getpid())
                code, body = server.curl_token("grant_type=client_credentials",
                                               user="%s:%s" % (client["client_id"], client["client_secret"]))
                self.assertEqual(code, 200, body)
                self.assertFalse(os.path.exists(home + "/data/idgate.db"))
            finally:
                server.stop()

    def test_unreachable_postgresql_stops_startup(self):
        with TempDir() as tmp:
            home, _ = init_home(tmp)
            edit(home + "/conf/server.xml", '<Database type="sqlite" path="data/idgate.db"/>',
                 '<Database type="postgresql" connection="host=127.0.0.1 port=1 dbname=x connect_timeout=2"/>')
            out = subprocess.run([SERVER, "--home", home, "--port", "0"], capture_output=True, text=True, timeout=60)
            self.assertEqual(out.returncode, 1)
            self.assertIn("conf/server.xml: element <Server/Database>:", out.stderr)


class PostgresOutageTest(unittest.TestCase):
    """PostgreSQL stops under a running server: requests fail at once with the reason, and the
    server does not grow (Poco's connector kept about 12 KB of every failed connection attempt,
    one per request, until idgate tried first: store/postgres_connect_gate.h)."""

    def rss_kb(self, pid):
        with open("/proc/%d/status" % pid) as f:
            return int(re.search(r"^VmRSS:\s+(\d+) kB", f.read(), re.M).group(1))

    def test_an_outage_fails_fast_and_does_not_grow_the_server(self):
        postgres_sh = os.path.join(REPO, "tests", "support", "postgres.sh")
        with TempDir() as tmp:
            pg = os.path.join(tmp, "pg")
            subprocess.run([postgres_sh, "start", pg], check=True, capture_output=True, timeout=120)
            try:
                with open(os.path.join(pg, "connection")) as f:
                    connection = f.read().strip()
                home, _ = init_home(tmp)
                edit(home + "/conf/server.xml", '<Database type="sqlite" path="data/idgate.db"/>',
                     '<Database type="postgresql" connection="%s"/>' % connection)
                server = Server(home).start()
                try:
                    self.assertEqual(server.request("GET", "/health").json(), {"status": "ok", "database": "ok"})
                    subprocess.run([postgres_sh, "stop", pg], check=True, capture_output=True, timeout=120)
                    # Until the last good check's cache has run out and the pool's sessions are
                    # found dead: the first failed attempts.
                    deadline = time.monotonic() + 20
                    while server.request("GET", "/health").status != 503:
                        self.assertLess(time.monotonic(), deadline, "/health still ok 20 s into the outage")
                        time.sleep(0.05)
                    for _ in range(50):
                        server.request("GET", "/health")
                    before = self.rss_kb(server.proc.pid)
                    started = time.monotonic()
                    for _ in range(1000):
                        r = server.request("GET", "/health")
                        self.assertEqual(r.status, 503, r.text)
                        self.assertEqual(r.json(), {"status": "unavailable", "database": "failed"})
                    elapsed = time.monotonic() - started
                    grown = self.rss_kb(server.proc.pid) - before
                    # The leak was some 12 MB for these 1000 requests. (Under ASan freed memory
                    # stays in quarantine; LeakSanitizer checks the leak there instead.)
                    if os.environ.get("IDGATE_SANITIZER_RUN") != "address":
                        self.assertLess(grown, 3000, "RSS grew %d kB in 1000 requests during the outage" % grown)
                    # About one connection attempt a second, not one a request, each logged once
                    # with libpq's reason.
                    attempts = re.findall(r"idgate\.store: (?:\[[^\]]*\] )?database unavailable: (.*); new "
                                          r"connections refused for 1 s", server.log())
                    self.assertGreaterEqual(len(attempts), 1)
                    self.assertLessEqual(len(attempts), elapsed + 5, (len(attempts), elapsed))
                    self.assertIn('"127.0.0.1"', attempts[-1])
                finally:
                    server.stop()
            finally:
                subprocess.run([postgres_sh, "stop", pg], capture_output=True, timeout=120)


class ShutdownTest(unittest.TestCase):
    def test_sighup_reloads_identity_xml_and_dropins(self):
        with TempDir() as tmp:
            home, _ = init_home(tmp)
            server = Server(home).start()
            try:
                self.assertEqual(server.admin("GET", "/api/admin/plugins").json()["generation"], 1)
                edit(home + "/conf/identity.xml", 'name="client_secret_post" orderId="20" enable="true"',
                     'name="client_secret_post" orderId="20" enable="false"')
                server.proc.send_signal(signal.SIGHUP)
                deadline = time.time() + 10
                while "reload: generation 2 in force" not in server.log() and time.time() < deadline:
                    time.sleep(0.05)
                self.assertIn("received SIGHUP: reloading conf/identity.xml and dropins/", server.log())
                self.assertIn("reload: generation 2 in force: idgate-client-secret-post.so: active -> disabled",
                              server.log())
                self.assertIsNone(server.proc.poll(), "still running")
                listing = server.admin("GET", "/api/admin/plugins").json()
                self.assertEqual(listing["generation"], 2)
                self.assertNotIn("client_secret_post", listing["order"])
                self.assertEqual(server.request("GET", "/health").status, 200)
            finally:
                self.assertEqual(server.stop(), 0)

    def test_sigterm_drains_in_flight_request_and_exits_zero(self):
        with TempDir() as tmp:
            home, _ = init_home(tmp)
            server = Server(home).start()
            client = server.register(client_id="drain")
            host, port = server.url.split("//")[1].split(":")
            body = b"grant_type=client_credentials"
            s = socket.create_connection((host, int(port)), timeout=10)
            s.sendall(b"POST /oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                      + b"Authorization: " + basic("drain", client["client_secret"]).encode() + b"\r\n"
                      + b"Content-Length: %d\r\n\r\n" % len(body) + body[:5])
            time.sleep(0.3)  # the request is now in flight
            server.proc.send_signal(signal.SIGTERM)
            time.sleep(0.3)
            s.sendall(body[5:])
            reply = b""
            while b"\r\n\r\n" not in reply or not reply.rstrip().endswith(b"}"):
                chunk = s.recv(65536)
                if not chunk:
                    break
                reply += chunk
            s.close()
            self.assertTrue(reply.startswith(b"HTTP/1.1 200"), reply[:200])
            self.assertIn(b"access_token", reply)
            self.assertEqual(server.proc.wait(30), 0)
            self.assertIn("received SIGTERM, draining in-flight requests", server.log())
            self.assertIn("stopped", server.log())
            server.stop()


if __name__ == "__main__":
    unittest.main()
