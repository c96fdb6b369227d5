package dev.mailsync.mail.imap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailsync.sync.MailAddress;
import dev.mailsync.sync.MessageFlags;
import dev.mailsync.sync.MessageSummary;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The exact commands sent, and what happens with answers that real test servers never give. */
class ScriptedImapConnectionTest {
    private static final String PLAIN =
            "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 5 1 NIL NIL NIL NIL)";
    private static final String HTML =
            "(\"text\" \"html\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 20 1 NIL NIL NIL NIL)";

    private static String examine(int exists, long uidNext) {
        return "* FLAGS (\\Seen \\Flagged)\r\n* " + exists + " EXISTS\r\n* 0 RECENT\r\n"
                + "* OK [UIDVALIDITY 7] v\r\n* OK [UIDNEXT " + uidNext + "] n\r\n";
    }

    private static String envelope(String subject) {
        return "ENVELOPE (\"Wed, 1 May 2024 10:00:00 +0000\" \"" + subject + "\""
                + " ((\"Alice\" NIL \"alice\" \"example.org\")) NIL NIL ((NIL NIL \"bob\" \"example.org\")) NIL NIL NIL"
                + " \"<" + subject + "@example.org>\")";
    }

    private static String fetch(int seq, long uid, String items) {
        return "* " + seq + " FETCH (UID " + uid + " FLAGS () RFC822.SIZE 100"
                + " INTERNALDATE \"01-May-2024 10:00:00 +0000\" " + items + ")\r\n";
    }

    @Test
    void anEmptyFolderIsScannedWithoutAnyFetch() throws Exception {
        try (FakeImapServer server = new FakeImapServer(c -> c.startsWith("EXAMINE") ? examine(0, 42) : null);
                ImapConnection c = ImapConnection.open(ImapConnectionContract.SESSIONS, server.endpoint())) {
            FolderScan scan = c.scanFolder("INBOX");

            assertThat(scan.messages()).isEmpty();
            assertThat(scan.status().uidNext()).isEqualTo(42);
            assertThat(scan.status().uidValidity()).isEqualTo(7);
            assertThat(scan.status().highestModSeq()).isNull();
            assertThat(server.commands()).noneMatch(cmd -> cmd.toUpperCase().contains("FETCH"));
        }
    }

    @Test
    void aScanFetchesBySequenceNumbersNeverWithAStar() throws Exception {
        try (FakeImapServer server = new FakeImapServer(c -> {
                    if (c.startsWith("EXAMINE")) {
                        return examine(3, 9);
                    }
                    if (c.equals("FETCH 1:3 (UID FLAGS)")) {
                        return "* 1 FETCH (UID 3 FLAGS (\\Seen \\Recent))\r\n"
                                + "* 2 FETCH (UID 5 FLAGS ($Forwarded))\r\n"
                                + "* 3 FETCH (UID 8 FLAGS ())\r\n";
                    }
                    return null;
                });
                ImapConnection c = ImapConnection.open(ImapConnectionContract.SESSIONS, server.endpoint())) {
            FolderScan scan = c.scanFolder("INBOX");

            assertThat(scan.messages())
                    .containsExactly(
                            new MessageFlags(3, Set.of("\\Seen")),
                            new MessageFlags(5, Set.of("$Forwarded")),
                            new MessageFlags(8, Set.of()));
            assertThat(server.commands()).noneMatch(cmd -> cmd.contains("*"));
        }
    }

    @Test
    void aMessageWithABrokenEnvelopeKeepsItsFlagsAndTheRestOfTheChunkIsIntact() throws Exception {
        try (FakeImapServer server = new FakeImapServer(c -> {
                    if (c.startsWith("EXAMINE")) {
                        return examine(2, 12);
                    }
                    if (c.startsWith("UID FETCH 10:11 (UID FLAGS ENVELOPE")) {
                        return "* 1 FETCH (UID 10 FLAGS (\\Seen) ENVELOPE garbage)\r\n"
                                + fetch(2, 11, envelope("fine") + " BODYSTRUCTURE " + PLAIN);
                    }
                    if (c.equals("UID FETCH 10 (UID FLAGS RFC822.SIZE INTERNALDATE)")) {
                        return "* 1 FETCH (UID 10 FLAGS (\\Seen) RFC822.SIZE 42"
                                + " INTERNALDATE \"02-May-2024 08:00:00 +0000\")\r\n";
                    }
                    if (c.equals("UID FETCH 11 (UID BODY.PEEK[1]<0.2048>)")) {
                        return "* 2 FETCH (UID 11 BODY[1]<0> {15}\r\nHello,\r\n there!)\r\n";
                    }
                    return null;
                });
                ImapConnection c = ImapConnection.open(ImapConnectionContract.SESSIONS, server.endpoint())) {
            List<MessageSummary> out = new ArrayList<>();
            c.fetchSummaries("INBOX", List.of(11L, 10L), 50, out::addAll);

            assertThat(out).hasSize(2);
            MessageSummary broken = out.get(0);
            assertThat(broken.uid()).isEqualTo(10);
            assertThat(broken.flags()).containsExactly("\\Seen");
            assertThat(broken.size()).isEqualTo(42);
            assertThat(broken.internalDate()).isEqualTo(Instant.parse("2024-05-02T08:00:00Z"));
            assertThat(broken.subject()).isNull();
            MessageSummary fine = out.get(1);
            assertThat(fine.subject()).isEqualTo("fine");
            assertThat(fine.from()).containsExactly(new MailAddress("Alice", "alice@example.org"));
            assertThat(fine.to()).containsExactly(new MailAddress(null, "bob@example.org"));
            assertThat(fine.messageId()).isEqualTo("<fine@example.org>");
            assertThat(fine.preview()).isEqualTo("Hello, there!");
            assertThat(server.commands()).noneMatch(cmd -> cmd.contains("*"));
        }
    }

    @Test
    void attachmentsAreRecognisedFromTheBodyStructure() throws Exception {
        String octetInMixed =
                "(" + PLAIN + "(\"application\" \"octet-stream\" NIL NIL NIL \"base64\" 100 NIL NIL NIL NIL)"
                        + " \"mixed\" (\"boundary\" \"b\") NIL NIL NIL)";
        String alternative = "(" + PLAIN + HTML + " \"alternative\" (\"boundary\" \"c\") NIL NIL NIL)";
        String namedInlineImage =
                "(" + HTML + "(\"image\" \"png\" (\"name\" \"logo.png\") \"<logo>\" NIL \"base64\" 100 NIL (\"inline\""
                        + " (\"filename\" \"logo.png\")) NIL NIL) \"related\" (\"boundary\" \"d\") NIL NIL NIL)";
        String attachedText = "(" + PLAIN + "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 5 1 NIL"
                + " (\"attachment\" (\"filename\" \"notes.txt\")) NIL NIL) \"mixed\" (\"boundary\" \"e\") NIL NIL NIL)";
        try (FakeImapServer server = new FakeImapServer(c -> {
                    if (c.startsWith("EXAMINE")) {
                        return examine(5, 6);
                    }
                    if (c.startsWith("UID FETCH 1:5 (UID FLAGS ENVELOPE")) {
                        return fetch(1, 1, envelope("a") + " BODYSTRUCTURE " + PLAIN)
                                + fetch(2, 2, envelope("b") + " BODYSTRUCTURE " + octetInMixed)
                                + fetch(3, 3, envelope("c") + " BODYSTRUCTURE " + alternative)
                                + fetch(4, 4, envelope("d") + " BODYSTRUCTURE " + namedInlineImage)
                                + fetch(5, 5, envelope("e") + " BODYSTRUCTURE " + attachedText);
                    }
                    return c.startsWith("UID FETCH") ? "" : null;
                });
                ImapConnection c = ImapConnection.open(ImapConnectionContract.SESSIONS, server.endpoint())) {
            List<MessageSummary> out = new ArrayList<>();
            c.fetchSummaries("INBOX", List.of(1L, 2L, 3L, 4L, 5L), 50, out::addAll);

            assertThat(out).extracting(MessageSummary::hasAttachments).containsExactly(false, true, false, true, true);
        }
    }
}
