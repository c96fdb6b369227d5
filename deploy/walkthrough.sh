#!/usr/bin/env bash
# The walkthrough of deploy/README.md as one script: a token, a demo message in alice's INBOX, an IMAP
# account, a device, a sync job, the device's changes, one message opened, and an acknowledgement. Needs
# bash, curl and openssl. The defaults fit the compose stack; the test dev.mailsync.ops.DeployDovecotTest
# runs this same script against a test instance with other values.
set -euo pipefail
cd "$(dirname "$0")"
API=${MAILSYNC_URL:-http://127.0.0.1:8080}
MAIL_HOST=${MAIL_HOST:-dovecot}            # the mail server as the service sees it
MAIL_PORT=${MAIL_PORT:-143}
IMAP_URL=${IMAP_URL:-imap://127.0.0.1:1143} # the same server as this shell sees it
DEMO_USER=${DEMO_USER:-alice}
DEMO_PASSWORD=${DEMO_PASSWORD:-alice-demo-password}

step() { printf '\n== %s\n' "$*" >&2; }
# The value of a top-level string field of a JSON object (enough for these answers; no jq needed).
field() { grep -o "\"$1\" *: *\"[^\"]*\"" | head -1 | sed 's/.*"\([^"]*\)"$/\1/'; }
api() { curl -sS --fail-with-body -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$@"; }

step "1. a token for the user demo-$DEMO_USER"
TOKEN=$(./make-token.sh "demo-$DEMO_USER")

step "2. a message arrives in $DEMO_USER's INBOX (IMAP APPEND with curl)"
MESSAGE_FILE=$(mktemp)
trap 'rm -f "$MESSAGE_FILE"' EXIT
printf 'From: Bob <bob@example.test>\r\nTo: %s@example.test\r\nSubject: Hello from the walkthrough\r\nDate: %s\r\nMessage-ID: <%s@walkthrough.example.test>\r\n\r\nIt works.\r\n' \
  "$DEMO_USER" "$(LC_ALL=C date -R)" "$(date +%s%N)" >"$MESSAGE_FILE"
curl -sS --url "$IMAP_URL/INBOX" --user "$DEMO_USER:$DEMO_PASSWORD" -T "$MESSAGE_FILE"

step "3. create the IMAP account (the password is stored encrypted and never shown again)"
ACCOUNT=$(api -d "{\"protocol\":\"IMAP\",\"host\":\"$MAIL_HOST\",\"port\":$MAIL_PORT,\"security\":\"NONE\",
  \"username\":\"$DEMO_USER\",\"password\":\"$DEMO_PASSWORD\"}" "$API/v1/accounts" | field id)
echo "account $ACCOUNT"

step "4. create a device"
DEVICE=$(api -d '{"name":"walkthrough phone","platform":"MOBILE"}' "$API/v1/accounts/$ACCOUNT/devices" | field id)
echo "device $DEVICE"

step "5. schedule a sync job and wait for it"
JOB=$(api -X POST "$API/v1/accounts/$ACCOUNT/devices/$DEVICE/sync-jobs" | field id)
for _ in $(seq 1 60); do
  STATUS=$(api "$API/v1/sync-jobs/$JOB" | field status)
  case $STATUS in QUEUED|RUNNING) sleep 1 ;; *) break ;; esac
done
api "$API/v1/sync-jobs/$JOB"; echo
[ "$STATUS" = SUCCEEDED ] || { echo "job $JOB ended $STATUS" >&2; exit 1; }

step "6. the device's changes: folders and message summaries"
CHANGES=$(api "$API/v1/accounts/$ACCOUNT/devices/$DEVICE/changes?limit=100")
echo "$CHANGES"
STATE=$(echo "$CHANGES" | field newState)
MESSAGE=$(echo "$CHANGES" | grep -o '"messages" *: *{"created" *: *\[{"id" *: *"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/' || true)

if [ -n "$MESSAGE" ]; then
  step "7. open the message: its body is fetched from the mail server now"
  api "$API/v1/accounts/$ACCOUNT/messages/$MESSAGE"; echo
fi

step "8. acknowledge the state: the device has everything up to it"
api -d "{\"state\":\"$STATE\"}" "$API/v1/accounts/$ACCOUNT/devices/$DEVICE/ack"; echo
echo "walkthrough done: account $ACCOUNT, device $DEVICE, state $STATE" >&2
