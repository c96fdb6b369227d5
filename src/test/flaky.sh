#!/usr/bin/env bash
# Finds non-deterministic tests: runs the suite (or chosen classes) N times in a row, each run on a fresh
# database, keeps every run's reports, and prints per test how many runs it failed and its first failure.
#
#   src/test/flaky.sh                          # the whole suite (./mvnw verify), 5 runs
#   RUNS=50 TESTS='BackgroundStoreTest,JobQueueTest' src/test/flaky.sh   # chosen surefire classes only
#   RUNS=20 ITS='TwoInstancesIT' src/test/flaky.sh                      # chosen failsafe classes only
#   LOAD=1 RUNS=2 src/test/flaky.sh            # the same with a second build looping beside it
#
# Environment:
#   RUNS      how many runs (default 5)
#   TESTS     surefire's -Dtest pattern (classes or Class#method, comma-separated); empty = all
#   ITS       failsafe's -Dit.test pattern; empty = all, unless TESTS is set (then no ITs)
#   LOAD      1 = build a copy of the project in a loop for the whole time (the machine under load)
#   STOP_ON_FAILURE  1 = stop after the first red run (default: go on, count)
#   QUARKUS_DATASOURCE_JDBC_URL (+ _USERNAME, _PASSWORD): a PostgreSQL server; every run gets a database
#             of its own on it, created before and dropped after. Unset: the tests start an embedded
#             PostgreSQL, which is new for every run.
#   Anything else the suite reads (MAILSYNC_REQUIRE_DOVECOT, JAVA_HOME, ...) is passed through.
#
# Output: target/flaky/<time>/run-<i>/{maven.log,reports/} and a summary printed at the end (also in
# target/flaky/<time>/summary.txt). The exit status is 0 only when every run was green.
# Each run is a fresh Maven build of the working tree as it is; do not edit the tree while it runs.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
cd "$HERE/../.."

RUNS=${RUNS:-5}
TESTS=${TESTS:-}
ITS=${ITS:-}
LOAD=${LOAD:-0}
STOP_ON_FAILURE=${STOP_ON_FAILURE:-0}

if [ -z "${JAVA_HOME:-}" ] && [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
[ -n "${JAVA_HOME:-}" ] && export PATH="$JAVA_HOME/bin:$PATH"

OUT="target/flaky/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

# --- what to run ----------------------------------------------------------------------------------------
MVN_ARGS=(-B -Dspotless.check.skip=true)
if [ -n "$TESTS" ] && [ -z "$ITS" ]; then
  # surefire classes only: no packaging, no failsafe
  MVN_ARGS+=(test "-Dtest=$TESTS" -Dsurefire.failIfNoSpecifiedTests=false)
elif [ -n "$TESTS" ]; then
  MVN_ARGS+=(verify "-Dtest=$TESTS" -Dsurefire.failIfNoSpecifiedTests=false "-Dit.test=$ITS")
elif [ -n "$ITS" ]; then
  MVN_ARGS+=(verify -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false "-Dit.test=$ITS" -Dfailsafe.failIfNoSpecifiedTests=false)
else
  MVN_ARGS+=(verify)
fi

# --- a fresh database per run on a given server -----------------------------------------------------------
BASE_URL=${QUARKUS_DATASOURCE_JDBC_URL:-}
PG_HOST="" PG_PORT="" PG_USER=${QUARKUS_DATASOURCE_USERNAME:-postgres}
if [ -n "$BASE_URL" ]; then
  if [[ "$BASE_URL" =~ ^jdbc:postgresql://([^:/]+)(:([0-9]+))?/([^?]*) ]]; then
    PG_HOST=${BASH_REMATCH[1]}
    PG_PORT=${BASH_REMATCH[3]:-5432}
  else
    echo "flaky.sh: cannot read host and port from QUARKUS_DATASOURCE_JDBC_URL=$BASE_URL" >&2
    exit 2
  fi
  command -v psql >/dev/null || { echo "flaky.sh: psql is needed to make a database per run" >&2; exit 2; }
fi
psql_admin() { PGPASSWORD=${QUARKUS_DATASOURCE_PASSWORD:-} psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -qAtc "$1"; }

# --- optional load: a second build of a copy of the project, over and over --------------------------------
LOAD_PID=""
stop_load() {
  if [ -n "$LOAD_PID" ]; then
    kill -- -"$LOAD_PID" 2>/dev/null || kill "$LOAD_PID" 2>/dev/null
    wait "$LOAD_PID" 2>/dev/null
    LOAD_PID=""
  fi
}
trap stop_load EXIT
if [ "$LOAD" = "1" ]; then
  LOAD_DIR="$OUT/load-copy"
  mkdir -p "$LOAD_DIR"
  git ls-files -z --cached --others --exclude-standard | xargs -0 -I{} cp --parents {} "$LOAD_DIR"/ 2>/dev/null
  set -m
  ( cd "$LOAD_DIR" && while true; do ./mvnw -B -q -o clean package -DskipTests -Dspotless.check.skip=true >/dev/null 2>&1 || ./mvnw -B -q clean package -DskipTests -Dspotless.check.skip=true >/dev/null 2>&1; done ) &
  LOAD_PID=$!
  set +m
  echo "load: a build of a copy loops in $LOAD_DIR (pid $LOAD_PID)"
fi

# --- the runs ---------------------------------------------------------------------------------------------
green=0
for i in $(seq 1 "$RUNS"); do
  RUN_DIR="$OUT/run-$i"
  mkdir -p "$RUN_DIR/reports"
  rm -rf target/surefire-reports target/failsafe-reports
  db_url="$BASE_URL"
  db_name=""
  if [ -n "$BASE_URL" ]; then
    db_name="mailsync_flaky_$$_$i"
    psql_admin "DROP DATABASE IF EXISTS $db_name" && psql_admin "CREATE DATABASE $db_name" || exit 2
    db_url="jdbc:postgresql://$PG_HOST:$PG_PORT/$db_name"
  fi
  start=$(date +%s)
  printf 'run %d/%d ... ' "$i" "$RUNS"
  if [ -n "$db_url" ]; then
    QUARKUS_DATASOURCE_JDBC_URL=$db_url ./mvnw "${MVN_ARGS[@]}" >"$RUN_DIR/maven.log" 2>&1
  else
    ./mvnw "${MVN_ARGS[@]}" >"$RUN_DIR/maven.log" 2>&1 # the tests start an embedded PostgreSQL
  fi
  rc=$?
  secs=$(( $(date +%s) - start ))
  for d in target/surefire-reports target/failsafe-reports; do
    [ -d "$d" ] && cp "$d"/TEST-*.xml "$RUN_DIR/reports/" 2>/dev/null
  done
  [ -n "$db_name" ] && psql_admin "DROP DATABASE IF EXISTS $db_name WITH (FORCE)"
  echo "$rc" >"$RUN_DIR/exit-code"
  # the totals of surefire and failsafe (not the per-class lines)
  summary=$(grep -E '^\[(INFO|ERROR|WARNING)\] Tests run: [0-9]+, Failures' "$RUN_DIR/maven.log" | grep -v ' -- in ' \
    | sed 's/^\[[A-Z]*\] //' | paste -sd ';' -)
  if [ "$rc" = 0 ]; then
    green=$((green + 1)); echo "green in ${secs}s ($summary)"
  else
    echo "RED (exit $rc) in ${secs}s ($summary)"
    [ "$STOP_ON_FAILURE" = "1" ] && break
  fi
done
stop_load

java "$HERE/flaky/FlakyReport.java" "$OUT" | tee "$OUT/summary.txt"
echo "reports: $OUT"
[ "$green" = "$RUNS" ]
