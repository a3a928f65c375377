"""The WSO2 flow: a private_key_jwt client registered without keys, its certificate imported
into the server keystore under an alias equal to the client id (any case)."""
import os
import subprocess
import unittest
import urllib.parse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID
import datetime

import assertions as A
from harness import FORM, init_home, Server, store_password, TempDir


def self_signed(key, name):
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=30)).sign(key, hashes.SHA256()))


class KeystoreClientTest(unittest.TestCase):
    def test_certificate_under_client_id_authenticates(self):
        with TempDir() as tmp:
            home, _ = init_home(tmp)
            password = store_password(home)
            store = home + "/keystore/idgate.p12"
            # Rebuild the keystore with openssl: the signing key + the client's certificate
            # as a trusted entry named "wso2app" (keytool would do the same with -importcert).
            client_key = A.private_key("RS256")
            cert_pem = os.path.join(tmp, "client.pem")
            with open(cert_pem, "wb") as f:
                f.write(self_signed(client_key, "WSO2App").public_bytes(serialization.Encoding.PEM))
            everything = os.path.join(tmp, "all.pem")
            subprocess.run(["openssl", "pkcs12", "-in", store, "-passin", "pass:" + password, "-nodes",
                            "-out", everything], check=True, capture_output=True)
            subprocess.run(["openssl", "pkcs12", "-export", "-in", everything, "-name", "idgate",
                            "-certfile", cert_pem, "-caname", "wso2app", "-out", store,
                            "-passout", "pass:" + password, "-keypbe", "AES-256-CBC", "-certpbe", "AES-256-CBC",
                            "-macalg", "sha256"], check=True, capture_output=True)
            server = Server(home).start()
            try:
                self.assertIn("no 'idgate-secret-key' entry; generated one", server.log())
                server.register(client_id="WSO2App", token_endpoint_auth_method="private_key_jwt")
                a = A.sign(A.claims("WSO2App", server.url + "/oauth2/token"), client_key, "RS256")
                r = server.request("POST", "/oauth2/token", urllib.parse.urlencode(A.form(a)), FORM)
                self.assertEqual(r.status, 200, r.text)
                # A client without a certificate under its id has no keys at all.
                server.register(client_id="NoCert", token_endpoint_auth_method="private_key_jwt")
                a = A.sign(A.claims("NoCert", server.url + "/oauth2/token"), client_key, "RS256")
                r = server.request("POST", "/oauth2/token", urllib.parse.urlencode(A.form(a)), FORM)
                self.assertEqual((r.status, r.json()["error_description"]), (401,
                                 "client has no registered keys: register a JWKS (jwks or jwks_uri) or "
                                 "import a certificate under alias NoCert"))
            finally:
                server.stop()


if __name__ == "__main__":
    unittest.main()
