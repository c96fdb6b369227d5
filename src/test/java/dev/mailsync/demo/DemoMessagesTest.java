package dev.mailsync.demo;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.BodyPart;
import jakarta.mail.Flags;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The demo mailboxes are the same on every start and look like real mail (issue: a newcomer's first sync). */
class DemoMessagesTest {
    private static final List<DemoMessages.Demo> IMAP = DemoMessages.imapMailbox("demo");
    private static final List<DemoMessages.Demo> POP3 = DemoMessages.pop3Mailbox("pop");

    @Test
    void theSameMailboxesOnEveryStart() throws Exception {
        List<DemoMessages.Demo> again = DemoMessages.imapMailbox("demo");
        assertThat(again).hasSameSizeAs(IMAP);
        for (int i = 0; i < IMAP.size(); i++) {
            assertThat(raw(again.get(i).message())).isEqualTo(raw(IMAP.get(i).message()));
            assertThat(again.get(i).flags()).isEqualTo(IMAP.get(i).flags());
            assertThat(again.get(i).folder()).isEqualTo(IMAP.get(i).folder());
        }
        List<DemoMessages.Demo> pop3Again = DemoMessages.pop3Mailbox("pop");
        for (int i = 0; i < POP3.size(); i++) {
            assertThat(raw(pop3Again.get(i).message()))
                    .isEqualTo(raw(POP3.get(i).message()));
        }
    }

    @Test
    void theImapMailboxHasAFewHundredMessagesInFiveFolders() {
        assertThat(IMAP).hasSizeBetween(200, 500);
        assertThat(IMAP.stream().map(DemoMessages.Demo::folder).collect(Collectors.toSet()))
                .containsExactlyInAnyOrderElementsOf(DemoMessages.IMAP_FOLDERS);
        assertThat(IMAP.stream().filter(d -> d.folder().equals("INBOX"))).hasSizeGreaterThan(100);
    }

    @Test
    void sizesRangeFromAKilobyteToAFewMegabytes() throws Exception {
        int smallest = Integer.MAX_VALUE;
        int largest = 0;
        for (DemoMessages.Demo d : IMAP) {
            int size = raw(d.message()).length;
            smallest = Math.min(smallest, size);
            largest = Math.max(largest, size);
        }
        assertThat(smallest).isGreaterThanOrEqualTo(1_000);
        assertThat(largest).isBetween(2_000_000, 5_000_000);
    }

    @Test
    void structuresThatClientsMustHandle() throws Exception {
        Set<String> types = new HashSet<>();
        int attachments = 0;
        for (DemoMessages.Demo d : IMAP) {
            types.add(baseType(d.message().getContentType()));
            attachments += countAttachments(d.message());
        }
        assertThat(types).contains("multipart/alternative", "multipart/mixed", "text/plain");
        assertThat(attachments).isGreaterThan(10);
    }

    @Test
    void nonAsciiHeadersAreEncodedWordsAndBodiesAreUtf8() throws Exception {
        long encodedSubjects = IMAP.stream()
                .map(d -> header(d.message(), "Subject"))
                .filter(s -> s.startsWith("=?UTF-8?"))
                .count();
        assertThat(encodedSubjects).isGreaterThan(5);
        long encodedNames = IMAP.stream()
                .map(d -> header(d.message(), "From"))
                .filter(s -> s.contains("=?UTF-8?"))
                .count();
        assertThat(encodedNames).isGreaterThan(5);
        long nonAsciiBodies = IMAP.stream()
                .filter(d -> !StandardCharsets.US_ASCII.newEncoder().canEncode(text(d.message())))
                .count();
        assertThat(nonAsciiBodies).isGreaterThan(10);
    }

    @Test
    void repliesFormThreadsThroughInReplyToAndReferences() {
        Set<String> ids =
                IMAP.stream().map(d -> header(d.message(), "Message-ID")).collect(Collectors.toSet());
        assertThat(ids).hasSameSizeAs(IMAP); // unique
        List<String> replies = IMAP.stream()
                .map(d -> header(d.message(), "In-Reply-To"))
                .filter(s -> !s.isEmpty())
                .toList();
        assertThat(replies).hasSizeGreaterThan(50);
        assertThat(ids).containsAll(replies);
        assertThat(IMAP.stream().filter(d -> header(d.message(), "References").split(" ").length >= 3))
                .isNotEmpty();
    }

    @Test
    void flagsSeenFlaggedAnsweredAndDraftAndSomeUnread() {
        assertThat(IMAP.stream().filter(d -> d.flags().contains(Flags.Flag.FLAGGED)))
                .isNotEmpty();
        assertThat(IMAP.stream().filter(d -> d.flags().contains(Flags.Flag.ANSWERED)))
                .isNotEmpty();
        assertThat(IMAP.stream().filter(d -> d.flags().contains(Flags.Flag.DRAFT)))
                .allMatch(d -> d.folder().equals("Drafts"))
                .isNotEmpty();
        assertThat(IMAP.stream()
                        .filter(d -> d.folder().equals("INBOX") && !d.flags().contains(Flags.Flag.SEEN)))
                .isNotEmpty();
    }

    @Test
    void thePop3MaildropHasAFewDozenUnreadMessagesOldestFirst() {
        assertThat(POP3).hasSizeBetween(24, 60);
        assertThat(POP3).allMatch(d -> d.folder().equals("INBOX") && d.flags().getSystemFlags().length == 0);
        for (int i = 1; i < POP3.size(); i++) {
            assertThat(POP3.get(i).received()).isAfter(POP3.get(i - 1).received());
        }
        assertThat(POP3.stream().map(d -> header(d.message(), "Message-ID")).distinct())
                .hasSameSizeAs(POP3);
    }

    private static byte[] raw(MimeMessage m) throws IOException, MessagingException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.writeTo(out);
        return out.toByteArray();
    }

    private static String header(MimeMessage m, String name) {
        try {
            String value = m.getHeader(name, " ");
            return value == null ? "" : value;
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String baseType(String contentType) {
        return contentType.split(";")[0].trim().toLowerCase(java.util.Locale.ROOT);
    }

    private static int countAttachments(Part part) throws MessagingException, IOException {
        if (Part.ATTACHMENT.equalsIgnoreCase(part.getDisposition())) {
            return 1;
        }
        int n = 0;
        if (part.getContent() instanceof Multipart multipart) {
            for (int i = 0; i < multipart.getCount(); i++) {
                BodyPart child = multipart.getBodyPart(i);
                n += countAttachments(child);
            }
        }
        return n;
    }

    /** The first text/plain part. */
    private static String text(Part part) {
        try {
            if (part.isMimeType("text/plain")) {
                return (String) part.getContent();
            }
            if (part.getContent() instanceof Multipart multipart) {
                for (int i = 0; i < multipart.getCount(); i++) {
                    String t = text(multipart.getBodyPart(i));
                    if (!t.isEmpty()) {
                        return t;
                    }
                }
            }
            return "";
        } catch (MessagingException | IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
