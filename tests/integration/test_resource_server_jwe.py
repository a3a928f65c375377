"""Encrypted JWTs (JWE) at the resource server, made by an independent implementation:
Debian's python3-jwcrypto. The Liberty JWE matrix: algorithms, other key, other content
algorithm, cty not JWT, plain JSON payload, public key as decryption key."""
import os
import subprocess
import unittest

from cryptography import x509
from jwcrypto import jwe, jwk
from jwcrypto.common import json_encode

import rs_support as R
from harness import BUILD, edit, init_home, Server, store_password, TempDir

SECRET = R.SECRET
KEYTOOL = os.path.join(BUILD, "bin", "idgate-keytool")


def keytool(home, *args):
    out = subprocess.run([KEYTOOL, *args, "-keystore", home + "/keystore/idgate.p12", "-storetype", "PKCS12",
                          "-storepass", store_password(home)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout


def public_jwk(home, alias, parent):
    pem = os.path.join(parent, alias + ".pem")
    keytool(home, "-exportcert", "-alias", alias, "-rfc", "-file", pem)
    with open(pem, "rb") as f:
        cert = x509.load_pem_x509_certificate(f.read())
    return jwk.JWK.from_pyca(cert.public_key())


def encrypt(plaintext, key, alg, enc, cty="JWT", allow=None):
    header = {"alg": alg, "enc": enc}
    if cty is not None:
        header["cty"] = cty
    token = jwe.JWE(plaintext.encode(), json_encode(header), algs=allow)
    token.add_recipient(key)
    return token.serialize(compact=True)


class JweTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = TempDir()
        parent = cls.tmp.__enter__()
        home, _ = init_home(parent)
        keytool(home, "-genkeypair", "-alias", "jwe-rsa", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=jwe")
        keytool(home, "-genkeypair", "-alias", "jwe-ec", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=jwe")
        cls.rsa = public_jwk(home, "jwe-rsa", parent)
        cls.ec = public_jwk(home, "jwe-ec", parent)
        cls.upstream = R.Upstream()
        edit(home + "/conf/server.xml", "</Server>", """
  <openidConnectClient id="jwe-rsa" inboundPropagation="required" clientSecret="%(s)s"
      issuerIdentifier="https://jwe.example" audiences="ALL_AUDIENCES" tokenReuse="true"
      keyManagementKeyAlias="jwe-rsa"/>
  <openidConnectClient id="jwe-ec" inboundPropagation="required" clientSecret="%(s)s"
      issuerIdentifier="https://jwe-ec.example" audiences="ALL_AUDIENCES" tokenReuse="true"
      keyManagementKeyAlias="jwe-ec"/>
  <route path="/ec" upstream="%(up)s" openidConnectClientRef="jwe-ec"/>
</Server>""" % {"s": SECRET, "up": cls.upstream.url})
        cls.server = Server(home).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.upstream.stop()
        cls.tmp.__exit__(None, None, None)

    def me(self, token):
        return self.server.request("GET", "/api/me", headers=R.bearer(token))

    def ec_route(self, token):
        """Through a route bound to the jwe-ec configuration (a token that cannot be decrypted
        cannot name its issuer, so /api/me would pick the first configuration)."""
        return self.server.request("GET", "/ec/x", headers=R.bearer(token))

    def jws(self, iss="https://jwe.example"):
        return R.hs(R.claims(iss), SECRET)

    def assertInvalid(self, r, description, what=None):
        self.assertEqual(r.status, 401, (what, r.text))
        self.assertEqual(r.json()["error_description"], description, what)

    def test_algorithm_matrix(self):
        for alg, key, iss in (("RSA-OAEP", self.rsa, "https://jwe.example"),
                              ("RSA-OAEP-256", self.rsa, "https://jwe.example"),
                              ("ECDH-ES", self.ec, "https://jwe-ec.example")):
            for enc in ("A128GCM", "A192GCM", "A256GCM"):
                with self.subTest(alg=alg, enc=enc):
                    r = self.me(encrypt(self.jws(iss), key, alg, enc))
                    self.assertEqual(r.status, 200, r.text)
                    self.assertEqual(r.json()["principal"], "alice")

    def test_cty_is_case_insensitive_and_plain_jws_still_works(self):
        self.assertEqual(self.me(encrypt(self.jws(), self.rsa, "RSA-OAEP-256", "A256GCM", cty="jwt")).status, 200)
        self.assertEqual(self.me(self.jws()).status, 200)

    def test_refusals(self):
        other = jwk.JWK.generate(kty="RSA", size=2048)
        self.assertInvalid(self.me(encrypt(self.jws(), other, "RSA-OAEP-256", "A256GCM")), "token cannot be decrypted")
        other_ec = jwk.JWK.generate(kty="EC", crv="P-256")
        self.assertInvalid(self.ec_route(encrypt(self.jws("https://jwe-ec.example"), other_ec, "ECDH-ES", "A256GCM")),
                           "token cannot be decrypted")
        p384 = jwk.JWK.generate(kty="EC", crv="P-384")
        self.assertInvalid(self.ec_route(encrypt(self.jws("https://jwe-ec.example"), p384, "ECDH-ES", "A256GCM")),
                           "epk is on another curve than the decryption key")
        self.assertInvalid(self.me(encrypt(self.jws(), other_ec, "ECDH-ES", "A256GCM")),
                           "ECDH-ES needs an EC decryption key")
        self.assertEqual(self.ec_route(encrypt(self.jws("https://jwe-ec.example"), self.ec, "ECDH-ES", "A128GCM")).status,
                         200)
        self.assertInvalid(self.me(encrypt(self.jws(), self.rsa, "RSA-OAEP", "A128CBC-HS256")),
                           "content encryption 'A128CBC-HS256' is not accepted")
        self.assertInvalid(self.me(encrypt(self.jws(), self.rsa, "RSA1_5", "A128GCM", allow=["RSA1_5", "A128GCM"])),
                           "key management 'RSA1_5' is not accepted")
        self.assertInvalid(self.me(encrypt(self.jws(), self.rsa, "RSA-OAEP", "A256GCM", cty=None)),
                           "encrypted token's cty is not JWT")
        self.assertInvalid(self.me(encrypt(self.jws(), self.rsa, "RSA-OAEP", "A256GCM", cty="JSON")),
                           "encrypted token's cty is not JWT")
        plain = '{"iss":"https://jwe.example","sub":"alice","exp":9999999999}'
        self.assertInvalid(self.me(encrypt(plain, self.rsa, "RSA-OAEP", "A256GCM")),
                           "encrypted token does not hold a signed JWT")
        # Attacker-chosen header values never forge a log line.
        import base64 as _b, json as _j
        enc = lambda b: _b.urlsafe_b64encode(b).rstrip(b"=").decode()
        evil = ".".join([enc(_j.dumps({"alg": "RSA-OAEP", "enc": "A1\nFORGED LOG LINE"}).encode()), enc(b"k"),
                         enc(os.urandom(12)), enc(b"c"), enc(os.urandom(16))])
        self.assertEqual(self.me(evil).status, 401)
        self.assertNotIn("\nFORGED LOG LINE", self.server.log())
        # An ephemeral key off the curve (invalid-curve attack) is refused before any ECDH.
        import base64, json as _json
        b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
        header = {"alg": "ECDH-ES", "enc": "A256GCM", "cty": "JWT",
                  "epk": {"kty": "EC", "crv": "P-256", "x": b64(b"\x01" * 32), "y": b64(b"\x02" * 32)}}
        forged = ".".join([b64(_json.dumps(header).encode()), "", b64(os.urandom(12)), b64(os.urandom(40)),
                           b64(os.urandom(16))])
        self.assertInvalid(self.ec_route(forged), "EC point is not on the curve")
        # Any bit of the protected header (the AAD), IV, ciphertext or tag changed: GCM refuses
        # the whole token, and nothing decrypted is used.
        good = encrypt(self.jws(), self.rsa, "RSA-OAEP", "A256GCM")
        self.assertEqual(self.me(good).status, 200)
        parts = good.split(".")
        for i, name in ((0, "protected header"), (2, "iv"), (3, "ciphertext"), (4, "tag")):
            raw = bytearray(base64.urlsafe_b64decode(parts[i] + "=" * (-len(parts[i]) % 4)))
            if i == 0:  # a header that still parses: one more member, so only the AAD differs
                raw = raw[:-1] + b',"x":1}'
            else:
                raw[len(raw) // 2] ^= 0x01
            tampered = parts[:i] + [b64(bytes(raw))] + parts[i + 1:]
            self.assertInvalid(self.me(".".join(tampered)), "token cannot be decrypted", name)
        zipped = _json.dumps({"alg": "RSA-OAEP", "enc": "A256GCM", "cty": "JWT", "zip": "DEF"}).encode()
        self.assertInvalid(self.me(".".join([b64(zipped)] + parts[1:])), "compressed JWE is not accepted")
        # The nested JWS is checked like any other: a wrong signature inside is refused.
        self.assertInvalid(self.me(encrypt(R.hs(R.claims("https://jwe.example"), SECRET + "x"), self.rsa, "RSA-OAEP",
                                           "A256GCM")), "signature is not valid")


class JweConfigTest(unittest.TestCase):
    def test_public_key_or_missing_alias_as_decryption_key_stops_startup(self):
        with TempDir() as parent:
            home, _ = init_home(parent)
            pem = os.path.join(parent, "c.pem")
            keytool(home, "-exportcert", "-alias", "idgate", "-rfc", "-file", pem)
            keytool(home, "-importcert", "-alias", "just-a-cert", "-file", pem, "-noprompt")
            with open(home + "/conf/server.xml") as f:
                original = f.read()
            # A 1024-bit RSA key, made with openssl and imported (keytool refuses to generate one).
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:1024", "-nodes", "-keyout",
                            parent + "/small.key", "-out", parent + "/small.crt", "-days", "2", "-subj", "/CN=s"],
                           check=True, capture_output=True)
            subprocess.run(["openssl", "pkcs12", "-export", "-inkey", parent + "/small.key", "-in", parent + "/small.crt",
                            "-name", "small", "-out", parent + "/small.p12", "-passout", "pass:smallpass"],
                           check=True, capture_output=True)
            keytool(home, "-importkeystore", "-srckeystore", parent + "/small.p12", "-srcstoretype", "PKCS12",
                    "-srcstorepass", "smallpass", "-destkeystore", home + "/keystore/idgate.p12",
                    "-deststorepass", store_password(home), "-noprompt")
            for alias, message in (("just-a-cert", "no private key entry 'just-a-cert' in the KeyStore"),
                                   ("missing", "no private key entry 'missing' in the KeyStore"),
                                   ("small", "'small' must be an RSA key of at least 2048 bits or an EC key")):
                with self.subTest(alias=alias):
                    with open(home + "/conf/server.xml", "w") as f:
                        f.write(original.replace("</Server>", (
                            '<openidConnectClient id="j" inboundPropagation="required" clientSecret="%s" '
                            'issuerIdentifier="https://j.example" keyManagementKeyAlias="%s"/></Server>') % (SECRET, alias)))
                    s = Server(home)
                    self.assertEqual(s.start(expect_failure=True), 1)
                    log = s.log()[s.log_offset:]
                    self.assertIn("attribute 'keyManagementKeyAlias': " + message, log)


if __name__ == "__main__":
    unittest.main()
