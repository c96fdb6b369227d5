#!/usr/bin/env bash
# Benchmark of IMAP sync speed (issue 4): initial sync of an INBOX of 1,000 and 100,000 messages next to
# a raw socket client (the floor), the service's heap, syncs with nothing changed, and a sync after
# changes made by another client, all against a real Dovecot. Prints figures; asserts nothing.
# See src/bench/README.md.
#
#   QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://127.0.0.1:5432/postgres \
#   QUARKUS_DATASOURCE_USERNAME=postgres src/bench/imap-sync.sh
#
# Environment: SIZES (1000,100000), MAIL_FORMAT (maildir, or mdbox: converted with doveadm and served by
# a second Dovecot), REPEAT (20), WARMUP (3), ROUNDS (5), CHANGES (100), FLOOR_RUNS (3),
# SUMMARY_CHUNK (500, passed to the service too), JIT_WARMUP (true: an unmeasured initial sync of the
# largest mailbox by another account first), PROFILE (true: JFR in the service, a profile summary
# per part), WORKERS (service default, 4), BENCH_DB (mailsync_bench_imap), APP_JAVA_OPTS ("-Xmx512m"),
# SKIP_BUILD=true to reuse target/quarkus-app and the test classpath of an earlier run (the bench classes
# are always recompiled).
set -euo pipefail

bench_settings=(SIZES MAIL_FORMAT REPEAT WARMUP ROUNDS CHANGES FLOOR_RUNS SUMMARY_CHUNK JIT_WARMUP PROFILE WORKERS BENCH_DB APP_JAVA_OPTS SKIP_BUILD)
bench_default_db=mailsync_bench_imap
bench_class=dev.mailsync.bench.ImapSyncBench
# shellcheck source=src/bench/common.sh
source "$(dirname "$0")/common.sh"
