package dev.mailsync.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailsync.support.Tokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Folder;
import jakarta.mail.Session;
import jakarta.mail.Store;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The compose stack's Dovecot configuration, run with the machine's Dovecot ({@link DeployDovecot}):
 * the demo users log in over IMAP and POP3, and deploy/walkthrough.sh — the README's curl walkthrough —
 * runs from start to end against this Dovecot and the service under test.
 */
@QuarkusTest
class DeployDovecotTest {
    private static DeployDovecot dovecot;

    @TestHTTPResource("/")
    URL service;

    @BeforeAll
    static void startDovecot() throws Exception {
        dovecot = DeployDovecot.start();
    }

    @AfterAll
    static void stopDovecot() {
        if (dovecot != null) {
            dovecot.close();
        }
    }

    @Test
    void every_demo_user_logs_in_over_imap_and_sees_the_special_use_folders_and_a_quota() throws Exception {
        Map<String, String> users = DeployDovecot.users();
        assertThat(users).containsKeys("alice", "bob");
        for (var user : users.entrySet()) {
            try (Store store = session().getStore("imap")) {
                store.connect("127.0.0.1", dovecot.imapPort(), user.getKey(), user.getValue());
                assertThat(((IMAPStore) store).hasCapability("QUOTA")).isTrue();
                List<String> special = new java.util.ArrayList<>();
                for (Folder f : store.getDefaultFolder().list()) {
                    special.addAll(Arrays.asList(((IMAPFolder) f).getAttributes()));
                }
                assertThat(special).contains("\\Sent", "\\Trash", "\\Drafts");
            }
        }
    }

    @Test
    void every_demo_user_logs_in_over_pop3() throws Exception {
        for (var user : DeployDovecot.users().entrySet()) {
            try (Store store = session().getStore("pop3")) {
                store.connect("127.0.0.1", dovecot.pop3Port(), user.getKey(), user.getValue());
                Folder inbox = store.getFolder("INBOX");
                inbox.open(Folder.READ_ONLY);
                assertThat(inbox.getMessageCount()).isGreaterThanOrEqualTo(0);
                inbox.close(false);
            }
        }
    }

    @Test
    void a_wrong_password_is_refused_over_both_protocols() throws Exception {
        for (String protocol : List.of("imap", "pop3")) {
            int port = protocol.equals("imap") ? dovecot.imapPort() : dovecot.pop3Port();
            try (Store store = session().getStore(protocol)) {
                assertThatThrownBy(() -> store.connect("127.0.0.1", port, "alice", "not-the-password"))
                        .isInstanceOf(AuthenticationFailedException.class);
            }
        }
    }

    @Test
    void the_readme_walkthrough_script_runs_against_the_service_and_the_demo_dovecot() throws Exception {
        String base = service.toString().replaceAll("/$", "");
        ProcessBuilder walkthrough =
                new ProcessBuilder("bash", Path.of("deploy", "walkthrough.sh").toString()).redirectErrorStream(true);
        walkthrough.environment().put("MAILSYNC_URL", base);
        walkthrough.environment().put("MAIL_HOST", "127.0.0.1");
        walkthrough.environment().put("MAIL_PORT", Integer.toString(dovecot.imapPort()));
        walkthrough.environment().put("IMAP_URL", "imap://127.0.0.1:" + dovecot.imapPort());
        walkthrough
                .environment()
                .put(
                        "JWT_PRIVATE_KEY",
                        Path.of("src", "test", "resources", "test-jwt", "jwt-test-private.pem")
                                .toAbsolutePath()
                                .toString());
        walkthrough.environment().put("JWT_ISSUER", Tokens.ISSUER);
        Process run = walkthrough.start();
        String out = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(run.waitFor(120, TimeUnit.SECONDS)).as(out).isTrue();
        assertThat(run.exitValue())
                .as(out + "\n--- Dovecot ---\n" + dovecot.log())
                .isZero();
        assertThat(out)
                .contains("\"status\":\"SUCCEEDED\"")
                .contains("Hello from the walkthrough")
                .contains("It works.")
                .contains("walkthrough done");
    }

    private static Session session() {
        Properties props = new Properties();
        for (String protocol : List.of("imap", "pop3")) {
            props.setProperty("mail." + protocol + ".connectiontimeout", "5000");
            props.setProperty("mail." + protocol + ".timeout", "10000");
        }
        return Session.getInstance(props);
    }
}
