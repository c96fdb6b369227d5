package dev.mailsync.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.pop3.POP3Folder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The harness itself: what other tests rely on it doing. */
class DovecotTest {
    private static Dovecot dovecot;

    @BeforeAll
    static void start() {
        dovecot = Dovecot.start(Dovecot.options().user("dave", "dave-pw").user("erin", "erin-pw"));
    }

    @AfterAll
    static void stop() {
        if (dovecot != null) {
            dovecot.close();
        }
    }

    @Test
    void appendedMessagesGetAscendingUidsAndArriveWhole() throws Exception {
        byte[] raw = TestMessages.builder()
                .subject("Harness check")
                .text("exact body")
                .build();

        long first = dovecot.appendMessage("dave", "INBOX", raw);
        long second = dovecot.appendMessage("dave", "INBOX", TestMessages.simple("second"));

        assertThat(second).isGreaterThan(first);
        assertThat(dovecot.uids("dave", "INBOX")).contains(first, second);
        try (Store store = imapStore("dave", "dave-pw")) {
            IMAPFolder inbox = (IMAPFolder) store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            Message m = inbox.getMessageByUID(first);
            assertThat(m.getSubject()).isEqualTo("Harness check");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            m.writeTo(out);
            assertThat(out.toString(StandardCharsets.US_ASCII)).contains("exact body");
            inbox.close(false);
        }
    }

    @Test
    void flagsSetByTheHarnessAreVisibleToAnotherClient() throws Exception {
        long uid = dovecot.appendMessage("dave", "Archive", TestMessages.simple("flag me"));

        dovecot.setFlags("dave", "Archive", uid, new Flags(Flags.Flag.FLAGGED), true);

        try (Store store = imapStore("dave", "dave-pw")) {
            IMAPFolder folder = (IMAPFolder) store.getFolder("Archive");
            folder.open(Folder.READ_ONLY);
            assertThat(folder.getMessageByUID(uid).isSet(Flags.Flag.FLAGGED)).isTrue();
            folder.close(false);
        }
    }

    @Test
    void expungeRemovesOnlyTheGivenUids() {
        long keep = dovecot.appendMessage("erin", "Work", TestMessages.simple("keep"));
        long drop = dovecot.appendMessage("erin", "Work", TestMessages.simple("drop"));

        dovecot.expunge("erin", "Work", drop);

        assertThat(dovecot.uids("erin", "Work")).containsExactly(keep);
    }

    @Test
    void specialUseFoldersExistForEveryUser() throws Exception {
        try (Store store = imapStore("erin", "erin-pw")) {
            for (String name : new String[] {"Sent", "Drafts", "Trash", "Junk", "Archive"}) {
                assertThat(store.getFolder(name).exists()).as(name).isTrue();
            }
        }
    }

    @Test
    void pop3SeesTheInboxWithUidls() throws Exception {
        dovecot.appendMessage("erin", "INBOX", TestMessages.simple("for pop3"));

        Properties props = new Properties();
        props.setProperty("mail.pop3.connectiontimeout", "2000");
        props.setProperty("mail.pop3.timeout", "5000");
        try (Store store = Session.getInstance(props).getStore("pop3")) {
            store.connect(dovecot.host(), dovecot.pop3Port(), "erin", "erin-pw");
            POP3Folder inbox = (POP3Folder) store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            assertThat(inbox.getMessageCount()).isPositive();
            assertThat(inbox.getUID(inbox.getMessage(1))).isNotBlank();
            inbox.close(false);
        }
    }

    @Test
    void aUserAddedWhileRunningCanLogIn() throws Exception {
        dovecot.putUser("frank", "frank-pw");

        try (Store store = imapStore("frank", "frank-pw")) {
            assertThat(store.isConnected()).isTrue();
        }
    }

    private static Store imapStore(String user, String password) throws Exception {
        Properties props = new Properties();
        props.setProperty("mail.imap.connectiontimeout", "2000");
        props.setProperty("mail.imap.timeout", "5000");
        Store store = Session.getInstance(props).getStore("imap");
        store.connect(dovecot.host(), dovecot.imapPort(), user, password);
        return store;
    }
}
