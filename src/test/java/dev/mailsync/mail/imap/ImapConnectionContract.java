package dev.mailsync.mail.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailsync.mail.MailAccessException;
import dev.mailsync.mail.MailEndpoint;
import dev.mailsync.mail.MailSessions;
import dev.mailsync.mail.OutboundGuard;
import dev.mailsync.sync.FailureCode;
import dev.mailsync.sync.FolderInfo;
import dev.mailsync.sync.FolderStatus;
import dev.mailsync.sync.MailAddress;
import dev.mailsync.sync.MessageFlags;
import dev.mailsync.sync.MessageSummary;
import dev.mailsync.sync.Protocol;
import dev.mailsync.testsupport.TestMessages;
import jakarta.mail.Flags;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** What {@link ImapConnection} must do against any IMAP server; subclasses provide the server. */
abstract class ImapConnectionContract {
    private static final AtomicInteger FOLDERS = new AtomicInteger();

    static final MailSessions SESSIONS =
            new MailSessions(new OutboundGuard(true), Duration.ofSeconds(2), Duration.ofSeconds(10), true);

    /** The test user's IMAP endpoint. */
    abstract MailEndpoint endpoint();

    /** Another client logged in as the same user. */
    abstract PlainImap otherClient();

    /** Whether the server announces CONDSTORE. */
    abstract boolean condstore();

    /** A new, empty folder of its own for the calling test. */
    String newFolder() {
        String name = "t" + FOLDERS.incrementAndGet() + "-" + System.nanoTime() % 100_000;
        otherClient().createFolder(name);
        return name;
    }

    long append(String folder, byte[] message, Flags flags) {
        return otherClient().append(folder, message, flags);
    }

    long append(String folder, byte[] message) {
        return append(folder, message, null);
    }

    ImapConnection open() throws MailAccessException {
        return ImapConnection.open(SESSIONS, endpoint());
    }

    static Flags flags(Flags.Flag system, String... keywords) {
        Flags f = system == null ? new Flags() : new Flags(system);
        for (String k : keywords) {
            f.add(k);
        }
        return f;
    }

    static String encodedWord(String text) {
        return "=?UTF-8?B?" + Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8)) + "?=";
    }

    /** A hand-written message with an encoded subject and sender name, two To, one Cc. */
    static byte[] richMessage(String messageId) {
        String text = "From: " + encodedWord("Alice Ämmä") + " <alice@example.org>\r\n"
                + "To: Bob <bob@example.org>, carol@example.org\r\n"
                + "Cc: \"Dave D.\" <dave@example.org>\r\n"
                + "Subject: " + encodedWord("Grüße aus Köln") + "\r\n"
                + "Date: Wed, 01 May 2024 12:30:00 +0200\r\n"
                + "Message-ID: " + messageId + "\r\n"
                + "MIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=UTF-8\r\n"
                + "Content-Transfer-Encoding: quoted-printable\r\n"
                + "\r\n"
                + "Hello Bob,\r\n"
                + "\r\n"
                + "the numbers for K=C3=B6ln are in.\r\n";
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static List<MessageSummary> fetchAll(ImapConnection c, String folder, List<Long> uids)
            throws MailAccessException {
        List<MessageSummary> out = new ArrayList<>();
        c.fetchSummaries(folder, uids, 100, out::addAll);
        return out;
    }

    @Test
    void capabilitiesAreUpperCaseWithoutAngusMarkers() throws Exception {
        try (ImapConnection c = open()) {
            assertThat(c.capabilities()).contains("IMAP4REV1").noneMatch(n -> n.startsWith("__"));
            assertThat(c.capabilities()).allMatch(n -> n.equals(n.toUpperCase(java.util.Locale.ROOT)));
            assertThat(c.capabilities().contains("CONDSTORE")).isEqualTo(condstore());
        }
    }

    @Test
    void listingShowsInboxAndNestedFoldersWithTheDelimiter() throws Exception {
        String parent = newFolder();
        String child = otherClient().createChild(parent, "Child");

        try (ImapConnection c = open()) {
            List<FolderInfo> folders = c.listFolders();

            assertThat(folders)
                    .extracting(FolderInfo::name)
                    .contains("INBOX", parent, child)
                    .doesNotHaveDuplicates();
            FolderInfo inbox = folders.stream()
                    .filter(f -> f.name().equals("INBOX"))
                    .findFirst()
                    .orElseThrow();
            assertThat(inbox.selectable()).isTrue();
            assertThat(inbox.specialUse()).isNull();
            FolderInfo nested = folders.stream()
                    .filter(f -> f.name().equals(child))
                    .findFirst()
                    .orElseThrow();
            assertThat(nested.delimiter()).isNotNull().hasSize(1);
            assertThat(child).isEqualTo(parent + nested.delimiter() + "Child");
            assertThat(nested.selectable()).isTrue();
        }
    }

    @Test
    void aNewEmptyFolderScansAsNoMessagesWithItsStatus() throws Exception {
        String folder = newFolder();

        try (ImapConnection c = open()) {
            FolderScan scan = c.scanFolder(folder);

            assertThat(scan.messages()).isEmpty();
            assertThat(scan.status().messages()).isZero();
            assertThat(scan.status().uidValidity()).isPositive();
            assertThat(scan.status().uidNext()).isPositive();
            assertThat(scan.status().highestModSeq() != null).isEqualTo(condstore());
        }
    }

    @Test
    void aFolderWhoseMessagesWereAllExpungedScansEmptyWithUidNextPastTheLastUid() throws Exception {
        String folder = newFolder();
        long first = append(folder, TestMessages.simple("one"));
        long second = append(folder, TestMessages.simple("two"));
        otherClient().expunge(folder, first, second);

        try (ImapConnection c = open()) {
            FolderScan scan = c.scanFolder(folder);

            assertThat(scan.messages()).isEmpty();
            assertThat(scan.status().messages()).isZero();
            assertThat(scan.status().uidNext()).isEqualTo(second + 1);
        }
    }

    @Test
    void scanReportsTheUidAndFlagsOfEveryMessageSortedByUid() throws Exception {
        String folder = newFolder();
        long seen = append(folder, TestMessages.simple("seen"), flags(Flags.Flag.SEEN));
        long flagged = append(folder, TestMessages.simple("flagged"), flags(Flags.Flag.FLAGGED, "$Forwarded"));
        long plain = append(folder, TestMessages.simple("plain"));

        try (ImapConnection c = open()) {
            FolderScan scan = c.scanFolder(folder);

            assertThat(scan.messages())
                    .containsExactly(
                            new MessageFlags(seen, Set.of("\\Seen")),
                            new MessageFlags(flagged, Set.of("\\Flagged", "$Forwarded")),
                            new MessageFlags(plain, Set.of()));
            assertThat(scan.status().messages()).isEqualTo(3);
            assertThat(scan.status().uidNext()).isEqualTo(plain + 1);
            assertThat(scan.status().highestModSeq() != null).isEqualTo(condstore());
        }
    }

    @Test
    void aMessageExpungedByAnotherClientIsGoneFromTheNextScan() throws Exception {
        String folder = newFolder();
        long a = append(folder, TestMessages.simple("a"));
        long b = append(folder, TestMessages.simple("b"));
        long d = append(folder, TestMessages.simple("d"));

        try (ImapConnection c = open()) {
            assertThat(c.scanFolder(folder).messages())
                    .extracting(MessageFlags::uid)
                    .containsExactly(a, b, d);

            otherClient().expunge(folder, b);
            FolderScan again = c.scanFolder(folder);

            assertThat(again.messages()).extracting(MessageFlags::uid).containsExactly(a, d);
            assertThat(again.status().messages()).isEqualTo(2);
        }
    }

    @Test
    void flagChangesByAnotherClientShowInTheNextScan() throws Exception {
        String folder = newFolder();
        long uid = append(folder, TestMessages.simple("x"));

        try (ImapConnection c = open()) {
            assertThat(c.scanFolder(folder).messages()).containsExactly(new MessageFlags(uid, Set.of()));
            otherClient().setFlags(folder, uid, flags(Flags.Flag.SEEN));
            otherClient().setFlags(folder, uid, flags(Flags.Flag.ANSWERED));

            assertThat(c.scanFolder(folder).messages())
                    .containsExactly(new MessageFlags(uid, Set.of("\\Seen", "\\Answered")));
        }
    }

    @Test
    void summariesCarryTheDecodedEnvelopeSizeAndDates() throws Exception {
        String folder = newFolder();
        long uid = append(folder, richMessage("<rich-1@example.org>"), flags(Flags.Flag.SEEN));

        try (ImapConnection c = open()) {
            List<MessageSummary> summaries = fetchAll(c, folder, List.of(uid));

            assertThat(summaries).hasSize(1);
            MessageSummary s = summaries.get(0);
            assertThat(s.uid()).isEqualTo(uid);
            assertThat(s.flags()).containsExactly("\\Seen");
            assertThat(s.subject()).isEqualTo("Grüße aus Köln");
            assertThat(s.from()).containsExactly(new MailAddress("Alice Ämmä", "alice@example.org"));
            assertThat(s.to())
                    .containsExactly(
                            new MailAddress("Bob", "bob@example.org"), new MailAddress(null, "carol@example.org"));
            assertThat(s.cc()).containsExactly(new MailAddress("Dave D.", "dave@example.org"));
            assertThat(s.sentAt()).isEqualTo(Instant.parse("2024-05-01T10:30:00Z"));
            assertThat(s.messageId()).isEqualTo("<rich-1@example.org>");
            assertThat(s.size()).isPositive();
            assertThat(s.internalDate()).isNotNull();
            assertThat(s.hasAttachments()).isFalse();
            assertThat(s.preview()).startsWith("Hello Bob, the numbers for Köln are in.");
        }
    }

    @Test
    void aMixedMessageWithAnAttachmentHasAttachmentsAndPlainTextHasNone() throws Exception {
        String folder = newFolder();
        long plain = append(
                folder,
                TestMessages.builder().subject("plain").text("Just text.").build());
        long withPdf = append(
                folder,
                TestMessages.builder()
                        .subject("report")
                        .text("See the report.")
                        .attachment(
                                "report.pdf", "application/pdf", "%PDF-1.4 fake".getBytes(StandardCharsets.US_ASCII))
                        .build());
        long alternative = append(
                folder,
                TestMessages.builder()
                        .subject("html")
                        .text("Plain part.")
                        .html("<p>Html part.</p>")
                        .build());

        try (ImapConnection c = open()) {
            List<MessageSummary> summaries = fetchAll(c, folder, List.of(withPdf, plain, alternative));

            assertThat(summaries).extracting(MessageSummary::uid).containsExactly(plain, withPdf, alternative);
            assertThat(summaries).extracting(MessageSummary::hasAttachments).containsExactly(false, true, false);
            assertThat(summaries.get(1).preview()).isEqualTo("See the report.");
            assertThat(summaries.get(2).preview()).isEqualTo("Plain part.");
        }
    }

    @Test
    void unknownUidsAmongKnownOnesAreSkipped() throws Exception {
        String folder = newFolder();
        long a = append(folder, TestMessages.simple("a"));
        long b = append(folder, TestMessages.simple("b"));
        long gone = append(folder, TestMessages.simple("gone"));
        otherClient().expunge(folder, gone);

        try (ImapConnection c = open()) {
            List<MessageSummary> summaries = fetchAll(c, folder, List.of(b, 999_999L, gone, a, b));

            assertThat(summaries).extracting(MessageSummary::uid).containsExactly(a, b);
            assertThat(summaries).extracting(MessageSummary::subject).containsExactly("a", "b");
        }
    }

    @Test
    void onlyUnknownUidsNeverReachTheSink() throws Exception {
        String folder = newFolder();
        long a = append(folder, TestMessages.simple("a"));

        try (ImapConnection c = open()) {
            List<List<MessageSummary>> calls = new ArrayList<>();
            c.fetchSummaries(folder, List.of(a + 1, a + 2), 10, calls::add);

            assertThat(calls).isEmpty();
        }
    }

    @Test
    void twentyFiveMessagesInChunksOfTenReachTheSinkInThreeCalls() throws Exception {
        String folder = newFolder();
        List<Long> uids = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            uids.add(append(folder, TestMessages.simple("m" + i)));
        }

        try (ImapConnection c = open()) {
            List<List<MessageSummary>> calls = new ArrayList<>();
            c.fetchSummaries(folder, uids.reversed(), 10, calls::add);

            assertThat(calls).extracting(List::size).containsExactly(10, 10, 5);
            assertThat(calls.stream()
                            .flatMap(List::stream)
                            .map(MessageSummary::uid)
                            .toList())
                    .containsExactlyElementsOf(uids);
        }
    }

    @Test
    void summariesAndScansOfTwoFoldersCanAlternateOnOneConnection() throws Exception {
        String first = newFolder();
        String second = newFolder();
        long one = append(first, TestMessages.simple("in first"));
        long two = append(second, TestMessages.simple("in second"));

        try (ImapConnection c = open()) {
            assertThat(c.scanFolder(first).messages())
                    .extracting(MessageFlags::uid)
                    .containsExactly(one);
            assertThat(fetchAll(c, first, List.of(one)))
                    .extracting(MessageSummary::subject)
                    .containsExactly("in first");
            assertThat(fetchAll(c, second, List.of(two)))
                    .extracting(MessageSummary::subject)
                    .containsExactly("in second");
            assertThat(c.listFolders()).extracting(FolderInfo::name).contains(first, second);
            assertThat(fetchAll(c, first, List.of(one)))
                    .extracting(MessageSummary::subject)
                    .containsExactly("in first");
        }
    }

    @Test
    void aWrongPasswordIsAuthFailed() {
        MailEndpoint e = endpoint();
        MailEndpoint wrong =
                new MailEndpoint(e.protocol(), e.host(), e.port(), e.security(), e.username(), "not-the-password");

        assertThatThrownBy(() -> ImapConnection.open(SESSIONS, wrong))
                .isInstanceOfSatisfying(
                        MailAccessException.class, ex -> assertThat(ex.code()).isEqualTo(FailureCode.AUTH_FAILED));
    }

    @Test
    void aMissingFolderIsAMailAccessException() throws Exception {
        try (ImapConnection c = open()) {
            assertThatThrownBy(() -> c.scanFolder("no-such-folder-" + System.nanoTime()))
                    .isInstanceOf(MailAccessException.class);
        }
    }

    @Test
    void aPop3EndpointIsRejected() {
        MailEndpoint e = endpoint();
        MailEndpoint pop3 = new MailEndpoint(Protocol.POP3, e.host(), 110, e.security(), e.username(), e.password());

        assertThatThrownBy(() -> ImapConnection.open(SESSIONS, pop3)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aClosedConnectionRefusesFurtherUse() throws Exception {
        ImapConnection c = open();
        c.close();
        c.close();

        assertThatThrownBy(c::listFolders).isInstanceOf(IllegalStateException.class);
    }

    // --- change detection: status() everywhere, changedSince() with CONDSTORE ---

    @Test
    void hasCondstoreFollowsTheCapabilities() throws Exception {
        try (ImapConnection c = open()) {
            assertThat(c.hasCondstore()).isEqualTo(condstore());
        }
    }

    @Test
    void statusOfAnUnchangedFolderIsTheSameTwiceAndAgreesWithAScan() throws Exception {
        String folder = newFolder();
        append(folder, TestMessages.simple("a"));
        long b = append(folder, TestMessages.simple("b"), flags(Flags.Flag.SEEN));

        try (ImapConnection c = open()) {
            FolderStatus first = c.status(folder);
            FolderStatus second = c.status(folder);

            assertThat(second).isEqualTo(first);
            assertThat(first.messages()).isEqualTo(2);
            assertThat(first.uidNext()).isEqualTo(b + 1);
            assertThat(first.uidValidity()).isPositive();
            assertThat(first.highestModSeq() != null).isEqualTo(condstore());
            assertThat(c.scanFolder(folder).status()).isEqualTo(first);
        }
    }

    @Test
    void statusOfAnEmptyFolder() throws Exception {
        String folder = newFolder();

        try (ImapConnection c = open()) {
            FolderStatus status = c.status(folder);

            assertThat(status.messages()).isZero();
            assertThat(status.uidNext()).isPositive();
            assertThat(status.highestModSeq() != null).isEqualTo(condstore());
        }
    }

    @Test
    void statusOfAFolderWithANonAsciiName() throws Exception {
        String folder = "Répertoire-" + System.nanoTime() % 100_000;
        otherClient().createFolder(folder);
        long uid = append(folder, TestMessages.simple("accent"));

        try (ImapConnection c = open()) {
            FolderStatus status = c.status(folder);

            assertThat(status.messages()).isEqualTo(1);
            assertThat(status.uidNext()).isEqualTo(uid + 1);
            assertThat(c.listFolders()).extracting(FolderInfo::name).contains(folder);
            assertThat(c.scanFolder(folder).status()).isEqualTo(status);
        }
    }

    @Test
    void statusOfTheOpenFolderShowsAMessageAppendedMeanwhile() throws Exception {
        String folder = newFolder();
        append(folder, TestMessages.simple("a"));

        try (ImapConnection c = open()) {
            FolderStatus before = c.scanFolder(folder).status();
            long added = append(folder, TestMessages.simple("b"));
            FolderStatus after = c.status(folder);

            assertThat(after.messages()).isEqualTo(before.messages() + 1);
            assertThat(after.uidNext()).isEqualTo(added + 1);
        }
    }

    @Test
    void statusOfAnotherFolderLeavesTheOpenFolderUsable() throws Exception {
        String open = newFolder();
        String other = newFolder();
        long uid = append(open, TestMessages.simple("in open"));
        append(other, TestMessages.simple("in other"));

        try (ImapConnection c = open()) {
            assertThat(c.scanFolder(open).messages())
                    .extracting(MessageFlags::uid)
                    .containsExactly(uid);
            assertThat(c.status(other).messages()).isEqualTo(1);
            assertThat(fetchAll(c, open, List.of(uid)))
                    .extracting(MessageSummary::subject)
                    .containsExactly("in open");
        }
    }

    @Test
    void statusOfAMissingFolderIsAMailAccessException() throws Exception {
        try (ImapConnection c = open()) {
            assertThatThrownBy(() -> c.status("no-such-folder-" + System.nanoTime()))
                    .isInstanceOf(MailAccessException.class);
        }
    }

    @Test
    void withoutCondstoreChangedSinceIsRefusedBeforeAnyIo() throws Exception {
        Assumptions.assumeFalse(condstore(), "the server has CONDSTORE");
        String folder = newFolder();

        try (ImapConnection c = open()) {
            assertThatThrownBy(() -> c.changedSince(folder, 1, 1))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("CONDSTORE");
            // The connection is still fine.
            assertThat(c.status(folder).messages()).isZero();
        }
    }

    @Test
    void aFlagChangeElsewhereRaisesHighestModSeqAndChangedSinceListsExactlyThatMessage() throws Exception {
        Assumptions.assumeTrue(condstore(), "needs CONDSTORE");
        String folder = newFolder();
        long a = append(folder, TestMessages.simple("a"));
        long b = append(folder, TestMessages.simple("b"), flags(Flags.Flag.SEEN));
        long d = append(folder, TestMessages.simple("d"));

        try (ImapConnection c = open()) {
            FolderStatus before = c.status(folder);
            otherClient().setFlags(folder, b, flags(Flags.Flag.FLAGGED, "$Label1"));
            FolderStatus after = c.status(folder);

            assertThat(after.highestModSeq()).isGreaterThan(before.highestModSeq());
            assertThat(after.uidNext()).isEqualTo(before.uidNext());
            ChangedSince changes = c.changedSince(folder, before.highestModSeq(), before.uidNext());

            assertThat(changes.changed())
                    .containsExactly(new MessageFlags(b, Set.of("\\Seen", "\\Flagged", "$Label1")));
            assertThat(changes.allUids()).containsExactly(a, b, d);
            assertThat(changes.status()).isEqualTo(after);
            // Nothing changed since the new value.
            assertThat(c.changedSince(folder, after.highestModSeq(), after.uidNext())
                            .changed())
                    .isEmpty();
        }
    }

    @Test
    void modSeqZeroListsEveryKnownMessageWithItsFlags() throws Exception {
        Assumptions.assumeTrue(condstore(), "needs CONDSTORE");
        String folder = newFolder();
        long a = append(folder, TestMessages.simple("a"), flags(Flags.Flag.ANSWERED));
        long b = append(folder, TestMessages.simple("b"));

        try (ImapConnection c = open()) {
            ChangedSince all = c.changedSince(folder, 0, b + 1);

            assertThat(all.changed())
                    .containsExactly(new MessageFlags(a, Set.of("\\Answered")), new MessageFlags(b, Set.of()));
        }
    }

    @Test
    void appendedMessagesAreInAllUidsButNotAmongTheChanged() throws Exception {
        Assumptions.assumeTrue(condstore(), "needs CONDSTORE");
        String folder = newFolder();
        long a = append(folder, TestMessages.simple("a"));

        try (ImapConnection c = open()) {
            FolderStatus before = c.status(folder);
            long n1 = append(folder, TestMessages.simple("new 1"), flags(Flags.Flag.FLAGGED));
            long n2 = append(folder, TestMessages.simple("new 2"));
            FolderStatus after = c.status(folder);
            assertThat(after.highestModSeq()).isGreaterThan(before.highestModSeq());

            ChangedSince changes = c.changedSince(folder, before.highestModSeq(), before.uidNext());

            assertThat(changes.changed()).isEmpty();
            assertThat(changes.allUids()).containsExactly(a, n1, n2);
            assertThat(changes.allUids().stream().filter(uid -> uid >= before.uidNext()))
                    .containsExactly(n1, n2);
            assertThat(changes.status().uidNext()).isEqualTo(n2 + 1);
            assertThat(changes.status().messages()).isEqualTo(3);
        }
    }

    @Test
    void threeMessagesExpungedAtOnceElsewhereWhileTheFolderIsOpenAreMissingFromAllUids() throws Exception {
        // The Angus QRESYNC bug: a VANISHED covering several UIDs throws a NullPointerException. This
        // connection never enables QRESYNC, so the server sends plain EXPUNGE responses.
        Assumptions.assumeTrue(condstore(), "needs CONDSTORE");
        String folder = newFolder();
        String elsewhere = newFolder();
        List<Long> uids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            uids.add(append(folder, TestMessages.simple("m" + i)));
        }

        try (ImapConnection c = open()) {
            FolderStatus before = c.status(folder);
            ChangedSince first = c.changedSince(folder, before.highestModSeq(), before.uidNext());
            assertThat(first.allUids()).containsExactlyElementsOf(uids);

            // The folder stays open on c; the expunges reach c with its next commands.
            otherClient().expunge(folder, uids.get(1), uids.get(2), uids.get(4));
            assertThat(c.status(elsewhere).messages()).isZero();
            assertThat(c.listFolders()).extracting(FolderInfo::name).contains(folder);
            FolderStatus after = c.status(folder);
            ChangedSince changes = c.changedSince(folder, before.highestModSeq(), before.uidNext());

            assertThat(after.messages()).isEqualTo(3);
            assertThat(changes.allUids()).containsExactly(uids.get(0), uids.get(3), uids.get(5));
            assertThat(changes.changed()).isEmpty();
            assertThat(changes.status().messages()).isEqualTo(3);
            // And once more with the folder open while another client expunges.
            otherClient().expunge(folder, uids.get(0), uids.get(3));
            assertThat(c.changedSince(folder, after.highestModSeq(), after.uidNext())
                            .allUids())
                    .containsExactly(uids.get(5));
            assertThat(c.scanFolder(folder).messages())
                    .extracting(MessageFlags::uid)
                    .containsExactly(uids.get(5));
        }
    }

    @Test
    void changedSinceOfAnEmptyFolder() throws Exception {
        Assumptions.assumeTrue(condstore(), "needs CONDSTORE");
        String folder = newFolder();

        try (ImapConnection c = open()) {
            FolderStatus status = c.status(folder);
            ChangedSince nothingKnown = c.changedSince(folder, 0, 1);
            ChangedSince known = c.changedSince(folder, status.highestModSeq(), status.uidNext());

            assertThat(nothingKnown.changed()).isEmpty();
            assertThat(nothingKnown.allUids()).isEmpty();
            assertThat(nothingKnown.status()).isEqualTo(status);
            assertThat(known.allUids()).isEmpty();
        }
    }

    @Test
    void changedSinceInAFolderWithANonAsciiName() throws Exception {
        Assumptions.assumeTrue(condstore(), "needs CONDSTORE");
        String folder = "Répertoire-" + System.nanoTime() % 100_000;
        otherClient().createFolder(folder);
        long uid = append(folder, TestMessages.simple("accent"));

        try (ImapConnection c = open()) {
            FolderStatus before = c.status(folder);
            otherClient().setFlags(folder, uid, flags(Flags.Flag.SEEN));
            ChangedSince changes = c.changedSince(folder, before.highestModSeq(), before.uidNext());

            assertThat(changes.changed()).containsExactly(new MessageFlags(uid, Set.of("\\Seen")));
            assertThat(changes.allUids()).containsExactly(uid);
        }
    }
}
