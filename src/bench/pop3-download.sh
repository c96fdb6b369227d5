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

bench_settings=(MESSAGES SIZE REPEAT JIT_WARMUP BENCH_DB APP_JAVA_OPTS SKIP_BUILD)
bench_default_db=mailsync_bench_pop3
bench_class=dev.mailsync.bench.Pop3DownloadBench
# shellcheck source=src/bench/common.sh
source "$(dirname "$0")/common.sh"
