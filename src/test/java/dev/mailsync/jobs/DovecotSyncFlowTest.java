package dev.mailsync.jobs;

import dev.mailsync.testsupport.Dovecot;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeAll;

/** The Dovecot sync-flow tests with QRESYNC (Dovecot's default): the QRESYNC path. */
@QuarkusTest
class DovecotSyncFlowTest extends DovecotSyncFlowContract {
    @BeforeAll
    static void start() {
        dovecot = Dovecot.start(Dovecot.options());
    }

    @Override
    String changePath() {
        return "qresync";
    }
}
