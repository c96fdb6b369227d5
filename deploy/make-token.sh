#!/usr/bin/env bash
# Prints a bearer token (JWT, RS256) for a user of the local stack, signed with the private key whose
# public half the service verifies (MAILSYNC_JWT_PUBLIC_KEY_LOCATION). In production your identity
# provider issues tokens; this is the local stand-in, with nothing but openssl.
#
#   ./make-token.sh alice            # subject alice, valid one hour
#   JWT_PRIVATE_KEY=... JWT_ISSUER=... ./make-token.sh bob
set -euo pipefail
subject=${1:?usage: make-token.sh SUBJECT}
key=${JWT_PRIVATE_KEY:-$(dirname "$0")/local/jwt-private.pem}
issuer=${JWT_ISSUER:-https://mailsync.local/issuer}

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
now=$(date +%s)
header=$(printf '{"alg":"RS256","typ":"JWT"}' | b64url)
payload=$(printf '{"iss":"%s","sub":"%s","groups":["user"],"iat":%d,"exp":%d}' \
  "$issuer" "$subject" "$now" "$((now + 3600))" | b64url)
signature=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -sign "$key" | b64url)
printf '%s.%s.%s\n' "$header" "$payload" "$signature"
