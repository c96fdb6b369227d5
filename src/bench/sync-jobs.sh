#!/usr/bin/env bash
# Benchmark of one mailsync instance: sync jobs per second against a real Dovecot, and the time to
# serve a device's `changes`. Prints figures; asserts nothing. See src/bench/README.md.
#
#   QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://127.0.0.1:5432/postgres \
#   QUARKUS_DATASOURCE_USERNAME=postgres src/bench/sync-jobs.sh
#
# Environment: ACCOUNTS (1000), MESSAGES (10), VIEW_MESSAGES (10000), PAGE (500), POSTERS (16),
# WORKERS (service default, 4), BENCH_DB (mailsync_bench), APP_JAVA_OPTS ("-Xms512m -Xmx1g"),
# SKIP_BUILD=true to reuse target/quarkus-app and the test classpath of an earlier run (the bench
# classes are always recompiled).
set -euo pipefail

bench_settings=(ACCOUNTS MESSAGES VIEW_MESSAGES PAGE POSTERS WORKERS BENCH_DB APP_JAVA_OPTS SKIP_BUILD)
bench_default_db=mailsync_bench
bench_class=dev.mailsync.bench.SyncJobsBench
# shellcheck source=src/bench/common.sh
source "$(dirname "$0")/common.sh"
