package dev.mailsync.jobs.model;

import dev.mailsync.testsupport.Dovecot;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The convergence model on a real Dovecot: once announcing QRESYNC (and CONDSTORE), once CONDSTORE
 * only. Trash is its special-use {@code \Trash} folder.
 */
@QuarkusTest
class DovecotConvergenceTest extends ConvergenceContract {
    private Dovecot dovecot;

    @Override
    protected OtherClient.Mailbox newMailbox(String user, String password) {
        dovecot.putUser(user, password);
        return new OtherClient.Mailbox(dovecot.host(), dovecot.imapPort(), user, password);
    }

    @Override
    protected List<String> stepFolders() {
        return List.of("INBOX", "Archive", "Trash");
    }

    @Override
    protected String trashFolder() {
        return "Trash";
    }

    @Override
    protected List<String> flags() {
        return List.of("\\Seen", "\\Flagged", "\\Answered", "\\Draft", "$Work");
    }

    @Test
    void every_device_converges_to_the_server_with_qresync() {
        try (Dovecot server = Dovecot.start(Dovecot.options())) {
            dovecot = server;
            converges("dovecot-qresync", 9_051_000, 8, 10, 30);
        }
    }

    @Test
    void every_device_converges_to_the_server_with_condstore_only() {
        try (Dovecot server = Dovecot.start(Dovecot.options().qresync(false))) {
            dovecot = server;
            converges("dovecot-condstore", 7_162_000, 6, 10, 30);
        }
    }
}
