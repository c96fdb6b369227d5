package dev.mailsync.mail.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailsync.mail.MailAccessException;
import dev.mailsync.sync.FailureCode;
import dev.mailsync.sync.FolderStatus;
import dev.mailsync.sync.MessageFlags;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The exact commands of {@link ImapConnection#status} and {@link ImapConnection#changedSince}. */
class ScriptedChangeDetectionTest {
    private static final String CONDSTORE = "IMAP4rev1 UIDPLUS ENABLE CONDSTORE ESEARCH";

    private static String examine(int exists, long uidNext, long highestModSeq) {
        return "* FLAGS (\\Seen \\Flagged)\r\n* " + exists + " EXISTS\r\n* 0 RECENT\r\n"
                + "* OK [UIDVALIDITY 7] v\r\n* OK [UIDNEXT " + uidNext + "] n\r\n"
                + (highestModSeq > 0 ? "* OK [HIGHESTMODSEQ " + highestModSeq + "] m\r\n" : "* OK [NOMODSEQ] none\r\n");
    }

    private static ImapConnection open(FakeImapServer server) throws MailAccessException {
        return ImapConnection.open(ImapConnectionContract.SESSIONS, server.endpoint());
    }

    @Test
    void changedSinceAsksOnlyForKnownUidsWithAnExplicitUpperBoundAndDropsAnythingAbove() throws Exception {
        try (FakeImapServer server = new FakeImapServer(CONDSTORE, c -> {
                    if (c.equals("ENABLE CONDSTORE")) {
                        return "* ENABLED CONDSTORE\r\n";
                    }
                    if (c.startsWith("EXAMINE")) {
                        return examine(5, 151, 40);
                    }
                    if (c.startsWith("UID FETCH")) {
                        // UID 150 is what a server answers for a range reaching past its last UID (RFC 3501
                        // §6.4.8 for "n:*"): it is not a known message and must be dropped.
                        return "* 3 FETCH (UID 7 MODSEQ (39) FLAGS (\\Seen \\Recent))\r\n"
                                + "* 5 FETCH (UID 150 MODSEQ (40) FLAGS (\\Flagged))\r\n"
                                + "* 1 FETCH (UID 2 MODSEQ (38) FLAGS ())\r\n";
                    }
                    if (c.startsWith("UID SEARCH")) {
                        return "* ESEARCH (TAG \"x\") UID ALL 1:2,7,99,150\r\n";
                    }
                    return null;
                });
                ImapConnection c = open(server)) {
            assertThat(c.hasCondstore()).isTrue();
            ChangedSince result = c.changedSince("INBOX", 17, 100);

            assertThat(result.status()).isEqualTo(new FolderStatus(7, 151, 5, 40L));
            assertThat(result.changed())
                    .containsExactly(new MessageFlags(2, Set.of()), new MessageFlags(7, Set.of("\\Seen")));
            assertThat(result.allUids()).containsExactly(1L, 2L, 7L, 99L, 150L);
            assertThat(server.commands())
                    .containsSubsequence(
                            "ENABLE CONDSTORE",
                            "EXAMINE INBOX (CONDSTORE)",
                            "UID FETCH 1:99 (UID FLAGS) (CHANGEDSINCE 17)",
                            "UID SEARCH RETURN (ALL) ALL")
                    .noneMatch(cmd -> cmd.contains("*"))
                    .noneMatch(cmd -> cmd.toUpperCase().contains("QRESYNC"));
        }
    }

    @Test
    void noFetchWhenNothingIsKnownYetAndNoFetchNorSearchInAnEmptyFolder() throws Exception {
        try (FakeImapServer server = new FakeImapServer(CONDSTORE, c -> {
                    if (c.equals("ENABLE CONDSTORE")) {
                        return "* ENABLED CONDSTORE\r\n";
                    }
                    if (c.equals("EXAMINE INBOX (CONDSTORE)")) {
                        return examine(2, 3, 9);
                    }
                    if (c.equals("EXAMINE Empty (CONDSTORE)")) {
                        return examine(0, 12, 4);
                    }
                    if (c.equals("UID SEARCH RETURN (ALL) ALL")) {
                        return "* ESEARCH (TAG \"x\") UID ALL 1:2\r\n";
                    }
                    return null;
                });
                ImapConnection c = open(server)) {
            ChangedSince fresh = c.changedSince("INBOX", 0, 1);
            ChangedSince empty = c.changedSince("Empty", 3, 12);

            assertThat(fresh.changed()).isEmpty();
            assertThat(fresh.allUids()).containsExactly(1L, 2L);
            assertThat(empty.changed()).isEmpty();
            assertThat(empty.allUids()).isEmpty();
            assertThat(empty.status()).isEqualTo(new FolderStatus(7, 12, 0, 4L));
            assertThat(server.commands()).noneMatch(cmd -> cmd.contains("FETCH"));
            assertThat(server.commands().stream().filter(cmd -> cmd.startsWith("UID SEARCH")))
                    .hasSize(1);
        }
    }

    @Test
    void withoutEsearchAPlainUidSearchAndAKnownUidNextOfTwoFetchesUidOneOnly() throws Exception {
        try (FakeImapServer server = new FakeImapServer("IMAP4rev1 ENABLE CONDSTORE", c -> {
                    if (c.equals("ENABLE CONDSTORE")) {
                        return "* ENABLED CONDSTORE\r\n";
                    }
                    if (c.startsWith("EXAMINE")) {
                        return examine(3, 4000000000L, 9);
                    }
                    if (c.equals("UID FETCH 1 (UID FLAGS) (CHANGEDSINCE 8)")) {
                        return "* 1 FETCH (UID 1 MODSEQ (9) FLAGS ($Label1))\r\n";
                    }
                    if (c.equals("UID SEARCH ALL")) {
                        return "* SEARCH 3000000000 1 3999999999\r\n";
                    }
                    return null;
                });
                ImapConnection c = open(server)) {
            ChangedSince result = c.changedSince("INBOX", 8, 2);

            assertThat(result.changed()).containsExactly(new MessageFlags(1, Set.of("$Label1")));
            assertThat(result.allUids()).containsExactly(1L, 3_000_000_000L, 3_999_999_999L);
        }
    }

    @Test
    void aServerAnnouncingOnlyQresyncGetsEnableCondstoreAndNeverQresync() throws Exception {
        try (FakeImapServer server = new FakeImapServer("IMAP4rev1 ENABLE QRESYNC ESEARCH", c -> {
                    if (c.equals("ENABLE CONDSTORE")) {
                        return "* ENABLED CONDSTORE\r\n";
                    }
                    if (c.equals("EXAMINE INBOX")) {
                        return examine(1, 5, 9);
                    }
                    if (c.startsWith("UID FETCH 1:4 (UID FLAGS) (CHANGEDSINCE 3)")) {
                        return "";
                    }
                    if (c.startsWith("UID SEARCH RETURN (ALL) ALL")) {
                        return "* ESEARCH (TAG \"x\") UID ALL 4\r\n";
                    }
                    if (c.startsWith("STATUS")) {
                        return "* STATUS INBOX (UIDVALIDITY 7 UIDNEXT 5 MESSAGES 1 HIGHESTMODSEQ 9)\r\n";
                    }
                    return null;
                });
                ImapConnection c = open(server)) {
            assertThat(c.hasCondstore()).isTrue();
            assertThat(c.changedSince("INBOX", 3, 5).allUids()).containsExactly(4L);
            assertThat(c.status("INBOX").highestModSeq()).isEqualTo(9L);
            assertThat(server.commands()).noneMatch(cmd -> cmd.toUpperCase().contains("QRESYNC"));
        }
    }

    @Test
    void statusIsOneCommandWithoutOpeningTheFolderAndEncodesTheName() throws Exception {
        try (FakeImapServer server = new FakeImapServer(CONDSTORE, c -> {
                    if (c.startsWith("STATUS")) {
                        return "* STATUS \"R&AOk-pertoire\" (UIDVALIDITY 3 UIDNEXT 4294967295 MESSAGES 2"
                                + " HIGHESTMODSEQ 12345678901)\r\n";
                    }
                    return null;
                });
                ImapConnection c = open(server)) {
            FolderStatus status = c.status("Répertoire");

            assertThat(status).isEqualTo(new FolderStatus(3, 4_294_967_295L, 2, 12_345_678_901L));
            assertThat(server.commands())
                    .containsExactly("STATUS R&AOk-pertoire (UIDVALIDITY UIDNEXT MESSAGES HIGHESTMODSEQ)");
        }
    }

    @Test
    void statusWithoutCondstoreAsksNoHighestModSeqAndPicksTheAnswerForItsFolder() throws Exception {
        try (FakeImapServer server = new FakeImapServer(c -> {
                    if (c.startsWith("STATUS")) {
                        return "* STATUS Other (UIDVALIDITY 1 UIDNEXT 2 MESSAGES 3)\r\n"
                                + "* STATUS \"My Folder\" (MESSAGES 5 UIDNEXT 6 UIDVALIDITY 7)\r\n";
                    }
                    return null;
                });
                ImapConnection c = open(server)) {
            assertThat(c.hasCondstore()).isFalse();
            assertThat(c.status("My Folder")).isEqualTo(new FolderStatus(7, 6, 5, null));
            assertThat(server.commands()).containsExactly("STATUS \"My Folder\" (UIDVALIDITY UIDNEXT MESSAGES)");
            assertThatThrownBy(() -> c.changedSince("My Folder", 1, 1)).isInstanceOf(IllegalStateException.class);
            assertThat(server.commands()).hasSize(1);
        }
    }

    @Test
    void statusOfTheOpenFolderClosesItFirst() throws Exception {
        try (FakeImapServer server = new FakeImapServer(CONDSTORE, c -> {
                    if (c.equals("ENABLE CONDSTORE")) {
                        return "* ENABLED CONDSTORE\r\n";
                    }
                    if (c.startsWith("EXAMINE")) {
                        return examine(0, 3, 9);
                    }
                    if (c.startsWith("STATUS")) {
                        return "* STATUS INBOX (UIDVALIDITY 7 UIDNEXT 3 MESSAGES 0 HIGHESTMODSEQ 9)\r\n";
                    }
                    return null;
                });
                ImapConnection c = open(server)) {
            c.changedSince("INBOX", 9, 3);
            c.status("INBOX");

            assertThat(server.commands()).last().asString().startsWith("STATUS INBOX");
            assertThat(server.commands().get(server.commands().size() - 2)).isIn("CLOSE", "UNSELECT");
        }
    }

    @Test
    void aFolderWithoutModSequencesIsAProtocolErrorAndAFetchAnsweredNoIsAFailure() throws Exception {
        try (FakeImapServer server = new FakeImapServer(CONDSTORE, c -> {
                    if (c.equals("ENABLE CONDSTORE")) {
                        return "* ENABLED CONDSTORE\r\n";
                    }
                    if (c.equals("EXAMINE NoModSeq (CONDSTORE)")) {
                        return examine(1, 3, 0);
                    }
                    if (c.equals("EXAMINE INBOX (CONDSTORE)")) {
                        return examine(1, 3, 9);
                    }
                    if (c.startsWith("UID FETCH")) {
                        return "TAG NO [SERVERBUG] try later\r\n";
                    }
                    return null;
                });
                ImapConnection c = open(server)) {
            assertThatThrownBy(() -> c.changedSince("NoModSeq", 1, 3))
                    .isInstanceOfSatisfying(MailAccessException.class, e -> {
                        assertThat(e.code()).isEqualTo(FailureCode.PROTOCOL_ERROR);
                        assertThat(e.getMessage()).contains("NOMODSEQ");
                    });
            assertThatThrownBy(() -> c.changedSince("INBOX", 1, 3))
                    .isInstanceOfSatisfying(
                            MailAccessException.class, e -> assertThat(e.code()).isEqualTo(FailureCode.PROTOCOL_ERROR));
        }
    }

    @Test
    void anUnparseableSearchAnswerIsAProtocolError() throws Exception {
        try (FakeImapServer server = new FakeImapServer(CONDSTORE, c -> {
                    if (c.equals("ENABLE CONDSTORE")) {
                        return "* ENABLED CONDSTORE\r\n";
                    }
                    if (c.startsWith("EXAMINE")) {
                        return examine(1, 3, 9);
                    }
                    if (c.startsWith("UID SEARCH")) {
                        return "* ESEARCH (TAG \"x\") UID ALL 1:4294967295\r\n";
                    }
                    return null;
                });
                ImapConnection c = open(server)) {
            assertThatThrownBy(() -> c.changedSince("INBOX", 1, 1))
                    .isInstanceOfSatisfying(
                            MailAccessException.class, e -> assertThat(e.code()).isEqualTo(FailureCode.PROTOCOL_ERROR));
        }
    }
}
