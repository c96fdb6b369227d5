package dev.mailsync.jobs;

import dev.mailsync.testsupport.Dovecot;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeAll;

/** Every Dovecot sync-flow test again, with QRESYNC switched off in Dovecot: the CONDSTORE-only path. */
@QuarkusTest
class DovecotCondstoreSyncFlowTest extends DovecotSyncFlowContract {
    @BeforeAll
    static void start() {
        dovecot = Dovecot.start(Dovecot.options().qresync(false));
    }

    @Override
    String changePath() {
        return "condstore";
    }
}
