#!/usr/bin/env bash
# client_secret_jwt with nothing but openssl and curl (docs/guides/client-secret-jwt.md).
#   BASE=http://127.0.0.1:9443 ADMIN=<admin password> CLIENT_ID=my-app ./client_secret_jwt.sh
set -euo pipefail
: "${BASE:?}" "${ADMIN:?}"
CLIENT_ID=${CLIENT_ID:-my-app}
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }

# 1. Register; idgate generates a 64-byte secret and shows it once.
SECRET=$(curl -sf -u "admin:$ADMIN" -H 'Content-Type: application/json' \
  -d "{\"client_id\":\"$CLIENT_ID\",\"token_endpoint_auth_method\":\"client_secret_jwt\"}" \
  "$BASE/api/admin/clients" | sed -n 's/.*"client_secret":"\([^"]*\)".*/\1/p')

# 2. The assertion, MACed with the secret's own bytes (no Base64 step).
NOW=$(date +%s)
HEADER=$(printf '{"alg":"HS256","typ":"JWT"}' | b64url)
PAYLOAD=$(printf '{"iss":"%s","sub":"%s","aud":"%s/o/oauth2/token","exp":%d,"jti":"%s"}' \
  "$CLIENT_ID" "$CLIENT_ID" "$BASE" "$((NOW + 60))" "$(openssl rand -hex 16)" | b64url)
SIG=$(printf '%s.%s' "$HEADER" "$PAYLOAD" | openssl dgst -sha256 -hmac "$SECRET" -binary | b64url)

# 3. The token request on the Liferay path, with client_id as Liferay documents it.
curl -s "$BASE/o/oauth2/token" \
  -d grant_type=client_credentials \
  -d "client_id=$CLIENT_ID" \
  -d client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer \
  -d "client_assertion=$HEADER.$PAYLOAD.$SIG"
echo
