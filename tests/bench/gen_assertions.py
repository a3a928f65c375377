"""Pre-generates client assertions for the token endpoint benchmark (each used once).
usage: gen_assertions.py ALG CLIENT_ID AUD COUNT KEYFILE_OR_SECRET OUT [LIFETIME_SECONDS]
(exp = now + LIFETIME_SECONDS, default 3000)"""
import multiprocessing
import sys
import time
import uuid

import jwt
from cryptography.hazmat.primitives import serialization

alg, client_id, aud, count, key_arg, out = sys.argv[1:7]
count = int(count)
lifetime = int(sys.argv[7]) if len(sys.argv) > 7 else 3000


def load_key():
    if alg.startswith("HS"):
        return key_arg.encode()
    with open(key_arg, "rb") as f:
        return serialization.load_pem_private_key(f.read(), password=None)


def make(n):
    key = load_key()
    now = int(time.time())
    return [jwt.encode({"iss": client_id, "sub": client_id, "aud": aud, "exp": now + lifetime, "iat": now,
                        "jti": uuid.uuid4().hex}, key, algorithm=alg, headers={"kid": "bench"})
            for _ in range(n)]


if __name__ == "__main__":
    workers = 2
    with multiprocessing.Pool(workers) as pool:
        parts = pool.map(make, [count // workers + (1 if i < count % workers else 0) for i in range(workers)])
    with open(out, "w") as f:
        for part in parts:
            for a in part:
                f.write(a + "\n")
