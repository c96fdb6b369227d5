# The part the benchmark scripts share, sourced at their end: a JDK >= 21, a database of the bench's own
# (dropped and re-created each run; Flyway migrates it when the service starts), the build, then the
# harness class. The sourcing script sets:
#   bench_settings    the environment variables it reads, echoed into the printed command line
#   bench_default_db  the database used when BENCH_DB is not set
#   bench_class       the harness's main class (src/bench/java/dev/mailsync/bench, built with -Pbench)
# shellcheck shell=bash
# of an earlier run (the bench classes are always recompiled).
set -euo pipefail

command_line="$(for v in "${bench_settings[@]}"; do
  if [[ -n "${!v:-}" ]]; then printf '%s=%q ' "$v" "${!v}"; fi
done)$0 $*"
script="$(basename "$0")"

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
    echo "$script: needs a JDK 21 or newer; set JAVA_HOME" >&2
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
bench_db="${BENCH_DB:-$bench_default_db}"
if [[ ! "$bench_db" =~ ^[a-z_][a-z0-9_]*$ ]]; then
  echo "$script: BENCH_DB must be a plain lower-case name" >&2
  exit 1
fi
# jdbc:postgresql://host[:port]/database[?params]
if [[ ! "$QUARKUS_DATASOURCE_JDBC_URL" =~ ^jdbc:postgresql://([^/:?]+)(:([0-9]+))?/([^?]*)(\?.*)?$ ]]; then
  echo "$script: not a jdbc:postgresql://host[:port]/database URL: $QUARKUS_DATASOURCE_JDBC_URL" >&2
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
echo "compiling the bench (test-compile -Pbench) ..." >&2
./mvnw -B -q -Pbench test-compile -Dspotless.check.skip=true
if [[ "${SKIP_BUILD:-false}" != true || ! -f "$classpath_file" ]]; then
  ./mvnw -B -q dependency:build-classpath -Dmdep.outputFile="$classpath_file" -Dmdep.includeScope=test
fi

export BENCH_COMMAND="$command_line"
exec "$JAVA_HOME/bin/java" -Xmx2g \
  -cp "target/test-classes:target/classes:$(cat "$classpath_file")" \
  "$bench_class"
