#!/usr/bin/env bash
# Benchmark of POP3 downloads: the service's time to download a maildrop into PostgreSQL (one sync job,
# POST to SUCCEEDED) next to a raw POP3 client's UIDL + RETR of the same messages, on one Dovecot in the
# same run. Prints figures and ratios; asserts nothing. See src/bench/README.md.
#
#   QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://127.0.0.1:5432/postgres \
#   QUARKUS_DATASOURCE_USERNAME=postgres src/bench/pop3-download.sh
#
# Environment: MESSAGES (2000), SIZE (10240 bytes a message), REPEAT (5 warm syncs, each next to a raw
# client run; medians are compared), JIT_WARMUP (5 syncs after the cold one, printed, not counted),
# BENCH_DB (mailsync_bench_pop3),
# APP_JAVA_OPTS ("-Xms256m -Xmx1g"), SKIP_BUILD=true to reuse target/quarkus-app and the test classpath
# of an earlier run (the bench classes are always recompiled).
set -euo pipefail

command_line="$(for v in MESSAGES SIZE REPEAT JIT_WARMUP BENCH_DB APP_JAVA_OPTS SKIP_BUILD; do
  if [[ -n "${!v:-}" ]]; then printf '%s=%q ' "$v" "${!v}"; fi
done)$0 $*"

cd "$(dirname "$0")/../.."

# --- a JDK >= 21 -------------------------------------------------------------------------------------
java_major() {
  "$1" -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\).*/\1/p' | head -n 1
}
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/java}"
java_bin="${java_bin:-$(command -v java || true)}"
if [[ -z "$java_bin" || "$(java_major "$java_bin")" -lt 21 ]]; then
  for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/java-25-openjdk-amd64 \
                   /usr/lib/jvm/temurin-21-jdk-amd64 /usr/lib/jvm/java-21-openjdk-amd64; do
    if [[ -x "$candidate/bin/java" ]]; then
      export JAVA_HOME="$candidate"
      break
    fi
  done
  java_bin="${JAVA_HOME:-}/bin/java"
  if [[ ! -x "$java_bin" || "$(java_major "$java_bin")" -lt 21 ]]; then
    echo "pop3-download.sh: needs a JDK 21 or newer; set JAVA_HOME" >&2
    exit 1
  fi
fi
if [[ -z "${JAVA_HOME:-}" ]]; then
  JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$java_bin")")")"
  export JAVA_HOME
fi

# --- a database of its own ---------------------------------------------------------------------------
: "${QUARKUS_DATASOURCE_JDBC_URL:?set QUARKUS_DATASOURCE_JDBC_URL (+ _USERNAME, _PASSWORD) to a PostgreSQL}"
db_user="${QUARKUS_DATASOURCE_USERNAME:-postgres}"
bench_db="${BENCH_DB:-mailsync_bench_pop3}"
if [[ ! "$bench_db" =~ ^[a-z_][a-z0-9_]*$ ]]; then
  echo "pop3-download.sh: BENCH_DB must be a plain lower-case name" >&2
  exit 1
fi
# jdbc:postgresql://host[:port]/database[?params]
if [[ ! "$QUARKUS_DATASOURCE_JDBC_URL" =~ ^jdbc:postgresql://([^/:?]+)(:([0-9]+))?/([^?]*)(\?.*)?$ ]]; then
  echo "pop3-download.sh: not a jdbc:postgresql://host[:port]/database URL: $QUARKUS_DATASOURCE_JDBC_URL" >&2
  exit 1
fi
db_host="${BASH_REMATCH[1]}"
db_port="${BASH_REMATCH[3]:-5432}"
db_name="${BASH_REMATCH[4]:-postgres}"
db_params="${BASH_REMATCH[5]:-}"
export PGPASSWORD="${QUARKUS_DATASOURCE_PASSWORD:-}"
psql_base=(psql -X -q -v ON_ERROR_STOP=1 -h "$db_host" -p "$db_port" -U "$db_user")
if [[ "$("${psql_base[@]}" -d "$db_name" -tAc "SELECT 1 FROM pg_database WHERE datname = '$bench_db'")" != 1 ]]; then
  "${psql_base[@]}" -d "$db_name" -c "CREATE DATABASE $bench_db"
fi
# Fresh schema every run: Flyway migrates it when the service starts.
"${psql_base[@]}" -d "$bench_db" \
  -c "SET client_min_messages = warning; DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;"
export QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://$db_host:$db_port/$bench_db$db_params"
export QUARKUS_DATASOURCE_USERNAME="$db_user"
export QUARKUS_DATASOURCE_PASSWORD="${QUARKUS_DATASOURCE_PASSWORD:-}"

# --- build once --------------------------------------------------------------------------------------
mkdir -p target/bench
classpath_file=target/bench/test-classpath.txt
if [[ "${SKIP_BUILD:-false}" != true || ! -f target/quarkus-app/quarkus-run.jar ]]; then
  echo "building the service (package) with $JAVA_HOME ..." >&2
  ./mvnw -B -q package -DskipTests -Dspotless.check.skip=true
fi
echo "compiling the bench (test-compile) ..." >&2
./mvnw -B -q test-compile -Dspotless.check.skip=true
if [[ "${SKIP_BUILD:-false}" != true || ! -f "$classpath_file" ]]; then
  ./mvnw -B -q dependency:build-classpath -Dmdep.outputFile="$classpath_file" -Dmdep.includeScope=test
fi

export BENCH_COMMAND="$command_line"
exec "$JAVA_HOME/bin/java" -Xmx2g \
  -cp "target/test-classes:target/classes:$(cat "$classpath_file")" \
  dev.mailsync.bench.Pop3DownloadBench
