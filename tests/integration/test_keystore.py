"""Keystores users already have (JKS, PKCS12 from Java's keytool), idgate-keytool, live import
into the running server, the admin keystore API, signing key rotation (seed 003)."""
import datetime
import json
import os
import re
import shutil
import subprocess
import time
import unittest
import urllib.parse

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID

import assertions as A
from harness import BUILD, edit, FORM, init_home, Server, store_password, TempDir

KEYTOOL = shutil.which("keytool")
IDGATE_KEYTOOL = os.path.join(BUILD, "bin", "idgate-keytool")
CLIENT_ID = "nwU59qy9AsDqftmwLcfmkvOhvuYa"  # the seed's client id


def run(*args, input=None):
    out = subprocess.run(args, capture_output=True, text=True, timeout=120, input=input)
    if out.returncode != 0:
        raise AssertionError("%s failed (%d):\n%s\n%s" % (" ".join(args), out.returncode, out.stdout, out.stderr))
    return out.stdout


def wait_for(predicate, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def private_key_from_p12(path, password):
    pem = run("openssl", "pkcs12", "-in", path, "-passin", "pass:" + password, "-nocerts", "-nodes")
    return serialization.load_pem_private_key(pem[pem.index("-----BEGIN"):].encode(), password=None)


def token_with(server, client_id, key, alg="RS256"):
    a = A.sign(A.claims(client_id, server.url + "/oauth2/token"), key, alg)
    return server.request("POST", "/oauth2/token", urllib.parse.urlencode(A.form(a)), FORM)


class Seed003Test(unittest.TestCase):
    """The whole WSO2 sequence, ending with a token request authenticated by private_key_jwt."""

    def sequence(self, tool):
        with TempDir() as tmp:
            home, _ = init_home(tmp)
            server = Server(home).start()
            try:
                server.register(client_id=CLIENT_ID, token_endpoint_auth_method="private_key_jwt")
                jks, p12, cert = (os.path.join(tmp, n) for n in ("TodayApp.jks", "TodayApp.p12", CLIENT_ID))
                run(tool, "-genkey", "-alias", CLIENT_ID, "-keyalg", "RSA", "-keysize", "2048", "-keystore", jks,
                    "-storetype", "JKS", "-storepass", "todaypass", "-keypass", "todaypass",
                    "-dname", "CN=TodayApp, O=Example", "-validity", "30", "-noprompt")
                run(tool, "-importkeystore", "-srckeystore", jks, "-srcstorepass", "todaypass", "-destkeystore", p12,
                    "-deststoretype", "PKCS12", "-deststorepass", "todaypass", "-noprompt")
                pubcert = run("openssl", "pkcs12", "-in", p12, "-passin", "pass:todaypass", "-nokeys")
                self.assertIn("BEGIN CERTIFICATE", pubcert)
                run(tool, "-export", "-alias", CLIENT_ID, "-file", cert, "-keystore", jks, "-storepass", "todaypass")
                # Import into the running server's keystore under the client id; no restart.
                run(tool, "-importcert", "-alias", CLIENT_ID, "-file", cert, "-keystore",
                    home + "/keystore/idgate.p12", "-storetype", "PKCS12", "-storepass", store_password(home),
                    "-noprompt")
                self.assertTrue(wait_for(lambda: "reloaded " in server.log()), server.log())
                r = token_with(server, CLIENT_ID, private_key_from_p12(p12, "todaypass"))
                self.assertEqual(r.status, 200, r.text)
                listing = server.admin("GET", "/api/admin/keystore").json()["entries"]
                self.assertIn(CLIENT_ID.lower(), [e["alias"].lower() for e in listing])
            finally:
                self.assertEqual(server.stop(), 0)

    @unittest.skipUnless(KEYTOOL, "Java's keytool is not installed (apt-get install openjdk-17-jre-headless)")
    def test_with_java_keytool(self):
        self.sequence(KEYTOOL)

    def test_with_idgate_keytool(self):
        self.sequence(IDGATE_KEYTOOL)


@unittest.skipUnless(KEYTOOL, "Java's keytool is not installed (apt-get install openjdk-17-jre-headless)")
class KeytoolInteropTest(unittest.TestCase):
    def test_java_lists_and_exports_what_idgate_writes(self):
        with TempDir() as tmp:
            for storetype in ("JKS", "PKCS12"):
                store = os.path.join(tmp, "store." + storetype.lower())
                run(IDGATE_KEYTOOL, "-genkeypair", "-alias", "Signer", "-keyalg", "EC", "-groupname", "secp256r1",
                    "-dname", "CN=Signer", "-keystore", store, "-storetype", storetype, "-storepass", "changeit")
                run(IDGATE_KEYTOOL, "-genkeypair", "-alias", "rsa", "-keyalg", "RSA", "-keysize", "2048",
                    "-dname", "CN=R", "-keystore", store, "-storetype", storetype, "-storepass", "changeit")
                run(IDGATE_KEYTOOL, "-exportcert", "-alias", "rsa", "-file", os.path.join(tmp, "rsa.cer"),
                    "-keystore", store, "-storepass", "changeit")
                run(IDGATE_KEYTOOL, "-importcert", "-alias", "partner", "-file", os.path.join(tmp, "rsa.cer"),
                    "-keystore", store, "-storepass", "changeit", "-noprompt")
                ours = run(IDGATE_KEYTOOL, "-list", "-keystore", store, "-storepass", "changeit")
                java = run(KEYTOOL, "-list", "-v", "-keystore", store, "-storepass", "changeit")
                self.assertIn("Keystore type: " + storetype, java)
                entries = dict(re.findall(r"Alias name: (\S+)\n(?:Creation date: .*\n)?Entry type: (\S+)", java))
                self.assertEqual({k.lower(): v for k, v in entries.items()},
                                 {"signer": "PrivateKeyEntry", "rsa": "PrivateKeyEntry", "partner": "trustedCertEntry"})
                for fp in re.findall(r"\(SHA-256\): (\S+)", ours):
                    self.assertIn("SHA256: " + fp, java)
                back = os.path.join(tmp, "back.pem")
                run(KEYTOOL, "-exportcert", "-alias", "partner", "-rfc", "-file", back, "-keystore", store,
                    "-storepass", "changeit")
                self.assertIn("subject=CN = R", run("openssl", "x509", "-in", back, "-noout", "-subject"))
                os.remove(back)

    def test_idgate_reads_what_java_writes(self):
        with TempDir() as tmp:
            jks, p12 = os.path.join(tmp, "java.jks"), os.path.join(tmp, "java.p12")
            run(KEYTOOL, "-genkeypair", "-alias", "App", "-keyalg", "EC", "-groupname", "secp384r1", "-dname", "CN=App",
                "-keystore", jks, "-storetype", "JKS", "-storepass", "changeit", "-keypass", "keypass1")
            run(KEYTOOL, "-exportcert", "-alias", "App", "-file", os.path.join(tmp, "app.cer"), "-keystore", jks,
                "-storepass", "changeit")
            run(KEYTOOL, "-importcert", "-alias", "ca", "-file", os.path.join(tmp, "app.cer"), "-keystore", p12,
                "-storetype", "PKCS12", "-storepass", "changeit", "-noprompt")
            out = run(IDGATE_KEYTOOL, "-list", "-keystore", jks, "-storepass", "changeit", "-keypass", "keypass1")
            self.assertIn("app, ", out)
            self.assertIn("PrivateKeyEntry", out)
            self.assertIn("ca, ", run(IDGATE_KEYTOOL, "-list", "-keystore", p12, "-storepass", "changeit"))
            wrong = subprocess.run([IDGATE_KEYTOOL, "-list", "-keystore", jks, "-storepass", "nope"],
                                   capture_output=True, text=True)
            self.assertEqual(wrong.returncode, 1)
            self.assertIn("keystore password was incorrect", wrong.stderr)


class LegacyPkcs12Test(unittest.TestCase):
    def test_rc2_3des_sha1_pkcs12_is_read(self):
        with TempDir() as tmp:
            key, crt, p12 = (os.path.join(tmp, n) for n in ("l.key", "l.crt", "legacy.p12"))
            run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", crt, "-days", "5",
                "-subj", "/CN=legacy")
            run("openssl", "pkcs12", "-export", "-legacy", "-in", crt, "-inkey", key, "-name", "legacykey", "-out", p12,
                "-passout", "pass:changeit")
            self.assertIn("pbeWithSHA1And40BitRC2-CBC",
                          run("openssl", "pkcs12", "-in", p12, "-passin", "pass:changeit", "-info", "-noout", "-legacy")
                          + subprocess.run(["openssl", "pkcs12", "-in", p12, "-passin", "pass:changeit", "-info",
                                            "-noout", "-legacy"], capture_output=True, text=True).stderr)
            out = run(IDGATE_KEYTOOL, "-list", "-keystore", p12, "-storepass", "changeit")
            self.assertIn("legacykey, ", out)
            self.assertIn("PrivateKeyEntry", out)


class KeytoolCliTest(unittest.TestCase):
    @unittest.skipUnless(KEYTOOL, "Java keytool is not installed")
    def test_importkeystore_applies_the_alias_alphabet_to_source_aliases(self):
        with TempDir() as tmp:
            src, dst = os.path.join(tmp, "src.p12"), os.path.join(tmp, "dst.p12")
            run(KEYTOOL, "-genkeypair", "-alias", "my key", "-keyalg", "EC", "-dname", "CN=k", "-keystore", src,
                "-storetype", "PKCS12", "-storepass", "changeit", "-noprompt")
            out = subprocess.run([IDGATE_KEYTOOL, "-importkeystore", "-srckeystore", src, "-srcstorepass", "changeit",
                                  "-destkeystore", dst, "-deststorepass", "changeit", "-noprompt"],
                                 capture_output=True, text=True)
            self.assertEqual(out.returncode, 1, out.stdout)
            self.assertIn("Invalid alias <my key>: alias must be 1-255 characters", out.stderr)
            run(IDGATE_KEYTOOL, "-importkeystore", "-srckeystore", src, "-srcstorepass", "changeit", "-destkeystore",
                dst, "-deststorepass", "changeit", "-srcalias", "my key", "-destalias", "my-key", "-noprompt")
            self.assertIn("my-key, ", run(IDGATE_KEYTOOL, "-list", "-keystore", dst, "-storepass", "changeit"))

    def test_existing_alias_message_and_exit_code(self):
        with TempDir() as tmp:
            store = os.path.join(tmp, "s.p12")
            run(IDGATE_KEYTOOL, "-genkeypair", "-alias", "a", "-keyalg", "Ed25519", "-dname", "CN=a", "-keystore", store,
                "-storepass", "changeit")
            run(IDGATE_KEYTOOL, "-exportcert", "-alias", "a", "-rfc", "-file", os.path.join(tmp, "a.pem"),
                "-keystore", store, "-storepass", "changeit")
            again = subprocess.run([IDGATE_KEYTOOL, "-importcert", "-alias", "A", "-file", os.path.join(tmp, "a.pem"),
                                    "-keystore", store, "-storepass", "changeit", "-noprompt"],
                                   capture_output=True, text=True)
            self.assertEqual(again.returncode, 1)
            self.assertIn("Certificate not imported, alias <A> already exists", again.stderr)
            declined = subprocess.run([IDGATE_KEYTOOL, "-importcert", "-alias", "b", "-file", os.path.join(tmp, "a.pem"),
                                       "-keystore", store, "-storepass", "changeit"], input="no\n",
                                      capture_output=True, text=True)
            self.assertEqual(declined.returncode, 1)
            self.assertIn("Certificate was not added to keystore", declined.stderr)
            for bad in ("caf\u00e9", "a\nb", "x\u202ey", "../x", "a b", ".."):
                refused = subprocess.run([IDGATE_KEYTOOL, "-changealias", "-alias", "a", "-destalias", bad,
                                          "-keystore", store, "-storepass", "changeit"], capture_output=True, text=True)
                self.assertEqual(refused.returncode, 1, bad)
                self.assertIn("alias must be 1-255 characters of A-Z a-z 0-9 - . _ ~ @", refused.stderr)
                refused = subprocess.run([IDGATE_KEYTOOL, "-importcert", "-alias", bad, "-file", os.path.join(tmp, "a.pem"),
                                          "-keystore", store, "-storepass", "changeit", "-noprompt"],
                                         capture_output=True, text=True)
                self.assertEqual(refused.returncode, 1, bad)
            run(IDGATE_KEYTOOL, "-changealias", "-alias", "a", "-destalias", "renamed", "-keystore", store,
                "-storepass", "changeit")
            run(IDGATE_KEYTOOL, "-storepasswd", "-new", "newpass1", "-keystore", store, "-storepass", "changeit")
            listing = run(IDGATE_KEYTOOL, "-list", "-keystore", store, "-storepass", "newpass1")
            self.assertIn("renamed, ", listing)
            run(IDGATE_KEYTOOL, "-delete", "-alias", "renamed", "-keystore", store, "-storepass", "newpass1")
            self.assertIn("Your keystore contains 0 entries",
                          run(IDGATE_KEYTOOL, "-list", "-keystore", store, "-storepass", "newpass1"))
            self.assertIn("Owner: CN=a", run(IDGATE_KEYTOOL, "-printcert", "-file", os.path.join(tmp, "a.pem")))
            self.assertIn("-importkeystore", run(IDGATE_KEYTOOL, "-help"))


def certificate(key, name, days_from, days_to):
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now + datetime.timedelta(days=days_from))
            .not_valid_after(now + datetime.timedelta(days=days_to)).sign(key, hashes.SHA256())
            .public_bytes(serialization.Encoding.PEM).decode())


class ServerKeystoreTest(unittest.TestCase):
    def test_admin_api_import_delete_and_expiry(self):
        with TempDir() as tmp:
            home, _ = init_home(tmp)
            server = Server(home).start()
            try:
                key = A.private_key("RS256")
                server.register(client_id="api-client", token_endpoint_auth_method="private_key_jwt")
                self.assertEqual(token_with(server, "api-client", key).json()["error_description"],
                                 "client has no registered keys: register a JWKS (jwks or jwks_uri) or import "
                                 "a certificate under alias api-client")
                r = server.admin("POST", "/api/admin/keystore/certificates",
                                 {"alias": "API-Client", "certificate": certificate(key, "api", -1, 30)})
                self.assertEqual((r.status, r.json()["error_description"]), (400, (
                    "alias 'API-Client' differs only in case from client 'api-client': import its certificate "
                    "under 'api-client'")))
                r = server.admin("POST", "/api/admin/keystore/certificates",
                                 {"alias": "api-client", "certificate": certificate(key, "api", -1, 30)})
                self.assertEqual(r.status, 201, r.text)
                self.assertEqual(token_with(server, "api-client", key).status, 200)
                r = server.admin("POST", "/api/admin/keystore/certificates",
                                 {"alias": "api-client", "certificate": certificate(key, "api", -1, 30)})
                self.assertEqual((r.status, r.json()["error_description"]),
                                 (409, "Certificate not imported, alias <api-client> already exists"))
                listing = server.admin("GET", "/api/admin/keystore")
                self.assertNotIn("PRIVATE", listing.text)
                entries = {e["alias"]: e for e in listing.json()["entries"]}
                self.assertEqual(entries["idgate"]["entry_type"], "PrivateKeyEntry")
                self.assertEqual(entries["api-client"]["entry_type"], "trustedCertEntry")
                self.assertEqual(entries["api-client"]["subject"], "CN=api")
                self.assertRegex(entries["api-client"]["sha256_fingerprint"], r"^([0-9A-F]{2}:){31}[0-9A-F]{2}$")
                self.assertEqual(server.admin("DELETE", "/api/admin/keystore/certificates/idgate").status, 409)
                for bad in ("caf\u00e9", "a\nb", "x\u202ey", "../x", "a/b", "", "x" * 256, "."):
                    r = server.admin("POST", "/api/admin/keystore/certificates",
                                     {"alias": bad, "certificate": certificate(key, "api", -1, 30)})
                    self.assertEqual((r.status, r.json()["error"]), (400, "invalid_request"), bad)
                    if bad:
                        self.assertEqual(r.json()["error_description"],
                                         "alias must be 1-255 characters of A-Z a-z 0-9 - . _ ~ @ (the characters "
                                         "of a client id), and not . or ..")
                self.assertEqual(server.admin("DELETE", "/api/admin/keystore/certificates/api-client").status, 204)
                self.assertEqual(server.admin("DELETE", "/api/admin/keystore/certificates/api-client").status, 404)
                # Expired and not-yet-valid certificates are refused with that reason.
                for alias, cert, reason in (("old", certificate(key, "old", -30, -1), "client certificate expired"),
                                            ("new", certificate(key, "new", 2, 30), "client certificate not yet valid")):
                    server.register(client_id=alias, token_endpoint_auth_method="private_key_jwt")
                    server.admin("POST", "/api/admin/keystore/certificates", {"alias": alias, "certificate": cert})
                    self.assertEqual(token_with(server, alias, key).json()["error_description"], reason)
            finally:
                server.stop()

    def test_failed_reload_keeps_previous_contents(self):
        with TempDir() as tmp:
            home, _ = init_home(tmp)
            server = Server(home).start()
            try:
                key = A.private_key("ES256")
                server.register(client_id="kept", token_endpoint_auth_method="private_key_jwt")
                server.admin("POST", "/api/admin/keystore/certificates",
                             {"alias": "kept", "certificate": certificate(key, "kept", -1, 30)})
                with open(home + "/keystore/idgate.p12", "wb") as f:
                    f.write(b"not a keystore")
                self.assertTrue(wait_for(lambda: "failed, keeping the previous contents" in server.log()))
                self.assertEqual(token_with(server, "kept", key, "ES256").status, 200)
            finally:
                server.stop()

    def test_signing_key_rotation(self):
        with TempDir() as tmp:
            home, _ = init_home(tmp)
            server = Server(home).start()
            client = server.register(client_id="rot")
            old = server.request("POST", "/oauth2/token", "grant_type=client_credentials",
                                 dict(FORM, Authorization="Basic " + __import__("base64").b64encode(
                                     ("rot:" + client["client_secret"]).encode()).decode())).json()["access_token"]
            run(IDGATE_KEYTOOL, "-genkeypair", "-alias", "idgate-2027", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=idgate 2027", "-keystore", home + "/keystore/idgate.p12", "-storepass", store_password(home))
            server.stop()
            url = server.url
            edit(home + "/conf/server.xml", "<KeyAlias>idgate</KeyAlias>",
                 '<KeyAlias>idgate-2027</KeyAlias><RetiredKey alias="idgate" publishUntil="2099-01-01T00:00:00Z"/>')
            edit(home + "/conf/server.xml", "<!-- <Issuer>https://idp.example.com</Issuer>", "<Issuer>%s</Issuer><!--" % url)
            again = Server(home).start()
            try:
                keys = jwt.PyJWKClient(again.url + "/oauth2/jwks")
                claims = jwt.decode(old, keys.get_signing_key_from_jwt(old).key, algorithms=["ES256"], audience=url)
                self.assertEqual(claims["sub"], "rot", "a token from before the rotation still verifies")
                code, body = again.curl_token("grant_type=client_credentials", user="rot:" + client["client_secret"])
                new_kid = jwt.get_unverified_header(body["access_token"])["kid"]
                self.assertNotEqual(new_kid, jwt.get_unverified_header(old)["kid"])
                kids = [k["kid"] for k in again.request("GET", "/oauth2/jwks").json()["keys"]]
                self.assertEqual(kids[0], new_kid)
                self.assertEqual(len(kids), 2)
            finally:
                again.stop()

    def test_jks_server_keystore(self):
        with TempDir() as tmp:
            home, _ = init_home(tmp)
            password = store_password(home)
            jks = home + "/keystore/wso2carbon.jks"
            run(IDGATE_KEYTOOL, "-importkeystore", "-srckeystore", home + "/keystore/idgate.p12", "-srcstorepass",
                password, "-srcalias", "idgate", "-destkeystore", jks, "-deststoretype", "JKS", "-deststorepass", password)
            edit(home + "/conf/server.xml", "<Location>keystore/idgate.p12</Location>\n      <Type>PKCS12</Type>",
                 "<Location>keystore/wso2carbon.jks</Location>\n      <Type>JKS</Type>")
            server = Server(home).start()
            try:
                self.assertTrue(os.path.exists(jks + ".secrets.p12"), "secret key kept beside the JKS")
                self.assertEqual(server.admin("GET", "/api/admin/keystore").json()["type"], "JKS")
                created = server.register(client_id="jks-client", token_endpoint_auth_method="client_secret_jwt")
                a = A.sign(A.claims("jks-client", server.url), created["client_secret"].encode(), "HS256")
                r = server.request("POST", "/oauth2/token", urllib.parse.urlencode(A.form(a)), FORM)
                self.assertEqual(r.status, 200, r.text)
            finally:
                server.stop()
            # The type in server.xml is a check against the file's bytes.
            edit(home + "/conf/server.xml", "<Type>JKS</Type>", "<Type>PKCS12</Type>")
            out = subprocess.run([os.path.join(BUILD, "bin", "idgate-server"), "--home", home, "--port", "0"],
                                 capture_output=True, text=True, timeout=60)
            self.assertEqual(out.returncode, 1)
            self.assertIn("wso2carbon.jks is a JKS keystore, not PKCS12", out.stderr)


if __name__ == "__main__":
    unittest.main()


class ClientIdCaseTest(unittest.TestCase):
    """Keystore aliases are matched without case, so client ids are unique without case: a
    certificate imported for one client must never authenticate another."""

    def test_registration_refuses_an_id_that_differs_only_in_case(self):
        with TempDir() as tmp:
            home, _ = init_home(tmp)
            server = Server(home).start()
            try:
                server.register(client_id="tenant-a", token_endpoint_auth_method="private_key_jwt")
                r = server.admin("POST", "/api/admin/clients",
                                 {"client_id": "TENANT-A", "token_endpoint_auth_method": "private_key_jwt"})
                self.assertEqual((r.status, r.json()["error"]), (400, "invalid_client_metadata"), r.text)
                self.assertIn("differs only in case from the registered client 'tenant-a'",
                              r.json()["error_description"])
                self.assertEqual(server.admin("GET", "/api/admin/clients/TENANT-A").status, 404)
                # The exact id again is still a plain conflict.
                r = server.admin("POST", "/api/admin/clients",
                                 {"client_id": "tenant-a", "token_endpoint_auth_method": "private_key_jwt"})
                self.assertEqual(r.status, 409, r.text)
            finally:
                self.assertEqual(server.stop(), 0)

    def test_a_certificate_never_serves_another_client(self):
        with TempDir() as tmp:
            home, _ = init_home(tmp)
            server = Server(home).start()
            key = A.private_key("RS256")
            try:
                # Deleting a client deletes its certificate: a later id in other case inherits nothing.
                server.register(client_id="tenant-x", token_endpoint_auth_method="private_key_jwt")
                server.admin("POST", "/api/admin/keystore/certificates",
                             {"alias": "tenant-x", "certificate": certificate(key, "x", -1, 30)})
                self.assertEqual(token_with(server, "tenant-x", key).status, 200)
                self.assertEqual(server.admin("DELETE", "/api/admin/clients/tenant-x").status, 204)
                aliases = [e["alias"] for e in server.admin("GET", "/api/admin/keystore").json()["entries"]]
                self.assertNotIn("tenant-x", aliases)
                self.assertIn("deleted keystore certificate 'tenant-x' with client tenant-x", server.log())
                server.register(client_id="TENANT-X", token_endpoint_auth_method="private_key_jwt")
                r = token_with(server, "TENANT-X", key)
                self.assertEqual((r.status, r.json()["error"]), (401, "invalid_client"))
                # A certificate imported by hand (keytool) under another case variant serves nobody.
                server.register(client_id="tenant-y", token_endpoint_auth_method="private_key_jwt")
                pem = os.path.join(tmp, "y.pem")
                with open(pem, "w") as f:
                    f.write(certificate(key, "y", -1, 30))
                run(IDGATE_KEYTOOL, "-importcert", "-alias", "Tenant-Y", "-file", pem, "-keystore",
                    home + "/keystore/idgate.p12", "-storetype", "PKCS12", "-storepass", store_password(home),
                    "-noprompt")
                self.assertTrue(wait_for(lambda: "reloaded " in server.log()), server.log())
                self.assertEqual(token_with(server, "tenant-y", key).status, 401)
                self.assertIn("keystore certificate 'Tenant-Y' not used for client 'tenant-y'", server.log())
                # The server's own keys are no client's: such ids cannot be registered.
                r = server.admin("POST", "/api/admin/clients",
                                 {"client_id": "IDGATE", "token_endpoint_auth_method": "private_key_jwt"})
                self.assertEqual((r.status, r.json()["error"]), (400, "invalid_client_metadata"))
                self.assertIn("is the alias of a keystore entry the server's configuration uses",
                              r.json()["error_description"])
            finally:
                self.assertEqual(server.stop(), 0)

    def test_a_legacy_pair_is_refused_on_the_keystore_path_until_one_is_deleted(self):
        import sqlite3
        with TempDir() as tmp:
            home, _ = init_home(tmp)
            server = Server(home).start()
            key = A.private_key("RS256")
            try:
                server.register(client_id="tenant-a", token_endpoint_auth_method="private_key_jwt")
                r = server.admin("POST", "/api/admin/keystore/certificates",
                                 {"alias": "tenant-a", "certificate": certificate(key, "a", -1, 30)})
                self.assertEqual(r.status, 201, r.text)
                self.assertEqual(token_with(server, "tenant-a", key).status, 200)
            finally:
                self.assertEqual(server.stop(), 0)
            # A database written before the rule: the pair exists and the index does not.
            db = sqlite3.connect(os.path.join(home, "data", "idgate.db"))
            db.execute("DROP INDEX IDGATE_CLIENT_ID_NOCASE")
            db.execute("INSERT INTO IDGATE_CLIENT (CLIENT_ID, METADATA, SECRET_HASH, SECRET_SEALED, CREATED_AT, "
                       "UPDATED_AT) SELECT 'TENANT-A', REPLACE(METADATA, '\"tenant-a\"', '\"TENANT-A\"'), "
                       "SECRET_HASH, SECRET_SEALED, CREATED_AT, UPDATED_AT FROM IDGATE_CLIENT "
                       "WHERE CLIENT_ID = 'tenant-a'")
            db.commit()
            db.close()
            server = Server(home).start()
            try:
                self.assertIn("client ids that differ only in case: 'TENANT-A', 'tenant-a'", server.log())
                for client in ("TENANT-A", "tenant-a"):
                    r = token_with(server, client, key)
                    self.assertEqual((r.status, r.json()["error"]), (401, "invalid_client"), client)
                self.assertIn("keystore certificate for 'TENANT-A' refused", server.log())
                self.assertEqual(server.admin("DELETE", "/api/admin/clients/TENANT-A").status, 204)
                self.assertEqual(token_with(server, "tenant-a", key).status, 200)
                # The last pair resolved: the database refuses new pairs at once, no restart needed.
                self.assertIn("the database now refuses such pairs", server.log())
                db = sqlite3.connect(os.path.join(home, "data", "idgate.db"))
                names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")]
                db.close()
                self.assertIn("IDGATE_CLIENT_ID_NOCASE", names)
                r = token_with(server, "TENANT-A", key)
                self.assertEqual((r.status, r.json()["error"]), (401, "invalid_client"))
            finally:
                self.assertEqual(server.stop(), 0)
