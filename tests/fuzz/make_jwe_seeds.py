#!/usr/bin/python3
# Writes corpus/jwe: compact JWEs made by jwcrypto for the keys in fixed_jwe_keys.inc, one per
# key-management and content-encryption pair idgate accepts, with JWT and nested-JWS payloads.
#   /usr/bin/python3 tests/fuzz/make_jwe_seeds.py
import os, re
from jwcrypto import jwe, jwk
from jwcrypto.common import json_encode

here = os.path.dirname(os.path.abspath(__file__))
inc = open(os.path.join(here, 'fixed_jwe_keys.inc')).read()
pems = re.findall(r'R"\((.*?)\)"', inc, re.S)
rsa = jwk.JWK.from_pem(pems[0].encode())
ec = jwk.JWK.from_pem(pems[1].encode())
payload = b'{"iss":"https://idp.example","sub":"alice","aud":"api","exp":4102444800}'
nested = b'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl'
out = os.path.join(here, 'corpus', 'jwe')
os.makedirs(out, exist_ok=True)
for key, alg, enc, body, cty in [
    (rsa, 'RSA-OAEP', 'A256GCM', payload, None),
    (rsa, 'RSA-OAEP-256', 'A128GCM', nested, 'JWT'),
    (ec, 'ECDH-ES', 'A128GCM', payload, None),
    (ec, 'ECDH-ES', 'A256GCM', nested, 'JWT'),
    (ec, 'ECDH-ES', 'A192GCM', payload, None),
]:
    header = {'alg': alg, 'enc': enc}
    if cty:
        header['cty'] = cty
    token = jwe.JWE(body, json_encode(header))
    token.add_recipient(key)
    name = f"{alg.lower()}-{enc.lower()}{'-nested' if cty else ''}"
    with open(os.path.join(out, name), 'w') as f:
        f.write(token.serialize(compact=True))
print('wrote', out)
