package dev.mailsync.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailsync.sync.RefreshPlanner.Known;
import dev.mailsync.sync.RefreshPlanner.Path;
import dev.mailsync.sync.RefreshPlanner.Server;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The table "each by the cheapest way the server allows" of docs/rules.md, row by row. */
class RefreshPlannerTest {
    private static final Server PLAIN = new Server(false, false);
    private static final Server CONDSTORE = new Server(true, false);
    private static final Server QRESYNC = new Server(true, true);

    /** The mirror after an earlier sync: UIDVALIDITY 7, UIDNEXT 101, 100 messages, HIGHESTMODSEQ 500. */
    private static final Known SYNCED = new Known(7L, 101L, 100L, 500L);
    /** Synced before CONDSTORE was known (or from a server without it): no mod-sequence stored. */
    private static final Known NO_MODSEQ = new Known(7L, 101L, 100L, null);

    private static final FolderStatus SAME = new FolderStatus(7, 101, 100, 500L);
    private static final FolderStatus FLAG_CHANGED = new FolderStatus(7, 101, 100, 501L);
    private static final FolderStatus NEW_MAIL = new FolderStatus(7, 102, 101, 502L);
    private static final FolderStatus EXPUNGED = new FolderStatus(7, 101, 99, 503L);
    private static final FolderStatus RECREATED = new FolderStatus(8, 101, 100, 500L);

    static Stream<Arguments> rules() {
        return Stream.of(
                // rule, server, mirror, STATUS (null: not read), live messages in the mirror, path
                Arguments.of(
                        "unchanged: STATUS shows what the mirror knows", CONDSTORE, SYNCED, SAME, 100, Path.UNCHANGED),
                Arguments.of("unchanged also with QRESYNC", QRESYNC, SYNCED, SAME, 100, Path.UNCHANGED),
                Arguments.of("new: a first sync", PLAIN, Known.NEVER, null, 0, Path.NEW),
                Arguments.of("new: a folder that was empty", QRESYNC, SYNCED, NEW_MAIL, 0, Path.NEW),
                Arguments.of("new: a reset that left nothing", CONDSTORE, SYNCED, RECREATED, 0, Path.NEW),
                Arguments.of("QRESYNC: a flag changed", QRESYNC, SYNCED, FLAG_CHANGED, 100, Path.QRESYNC),
                Arguments.of("QRESYNC: new mail", QRESYNC, SYNCED, NEW_MAIL, 100, Path.QRESYNC),
                Arguments.of("QRESYNC: an expunge", QRESYNC, SYNCED, EXPUNGED, 100, Path.QRESYNC),
                Arguments.of("CONDSTORE without QRESYNC", CONDSTORE, SYNCED, FLAG_CHANGED, 100, Path.CONDSTORE),
                Arguments.of("scan: no CONDSTORE", PLAIN, SYNCED, null, 100, Path.SCAN),
                Arguments.of("scan: no mod-sequence stored yet", QRESYNC, NO_MODSEQ, null, 100, Path.SCAN),
                Arguments.of("scan: UIDVALIDITY changed", QRESYNC, SYNCED, RECREATED, 100, Path.SCAN),
                Arguments.of("scan: a folder known only by name", CONDSTORE, Known.NEVER, null, 3, Path.SCAN));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void each_folder_is_refreshed_the_cheapest_way_the_server_allows(
            String rule, Server server, Known known, FolderStatus status, long live, Path expected) {
        assertThat(RefreshPlanner.statusFirst(server, known))
                .as("STATUS is read first")
                .isEqualTo(status != null);
        assertThat(RefreshPlanner.path(server, known, status, () -> live)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void an_unchanged_folder_costs_no_database_read(
            String rule, Server server, Known known, FolderStatus status, long live, Path expected) {
        AtomicInteger reads = new AtomicInteger();
        RefreshPlanner.path(server, known, status, () -> {
            reads.incrementAndGet();
            return live;
        });
        assertThat(reads.get()).isEqualTo(expected == Path.UNCHANGED ? 0 : 1);
    }

    @org.junit.jupiter.api.Test
    void a_qresync_answer_that_cannot_be_used_falls_back_to_condstore() {
        assertThat(Path.QRESYNC.fallback()).isEqualTo(Path.CONDSTORE);
        assertThatThrownBy(Path.SCAN::fallback).isInstanceOf(IllegalStateException.class);
    }

    @org.junit.jupiter.api.Test
    void status_is_read_exactly_when_it_can_settle_the_path() {
        assertThatThrownBy(() -> RefreshPlanner.path(CONDSTORE, SYNCED, null, () -> 100))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RefreshPlanner.path(PLAIN, SYNCED, SAME, () -> 100))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
