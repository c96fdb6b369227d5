package dev.mailsync.mail.imap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailsync.mail.MailEndpoint;
import dev.mailsync.sync.FolderInfo;
import dev.mailsync.testsupport.TestMessages;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link ImapConnection} against a real Dovecot: CONDSTORE (HIGHESTMODSEQ), PREVIEW from the server and
 * the special-use folders its configuration creates.
 */
class DovecotImapConnectionTest extends ImapConnectionContract {
    @RegisterExtension
    static final ImapTestServers.DovecotServer SERVER = ImapTestServers.dovecot();

    @Override
    MailEndpoint endpoint() {
        return SERVER.endpoint();
    }

    @Override
    PlainImap otherClient() {
        return SERVER.otherClient();
    }

    @Override
    boolean condstore() {
        return true;
    }

    @Test
    void dovecotAnnouncesCondstorePreviewAndSpecialUse() throws Exception {
        try (ImapConnection c = open()) {
            assertThat(c.capabilities())
                    .contains("CONDSTORE", "QRESYNC", "ESEARCH", "PREVIEW", "SPECIAL-USE", "MOVE", "UIDPLUS");
        }
    }

    @Test
    void specialUseFoldersAreListedWithTheirAttribute() throws Exception {
        try (ImapConnection c = open()) {
            Map<String, String> uses = c.listFolders().stream()
                    .filter(f -> f.specialUse() != null)
                    .collect(Collectors.toMap(FolderInfo::name, FolderInfo::specialUse));

            assertThat(uses)
                    .containsEntry("Sent", "\\Sent")
                    .containsEntry("Drafts", "\\Drafts")
                    .containsEntry("Trash", "\\Trash")
                    .containsEntry("Junk", "\\Junk")
                    .containsEntry("Archive", "\\Archive")
                    .doesNotContainKey("INBOX");
        }
    }

    @Test
    void highestModSeqGrowsWhenAnotherClientChangesAFlag() throws Exception {
        String folder = newFolder();
        long uid = append(folder, TestMessages.simple("x"));

        try (ImapConnection c = open()) {
            long before = c.scanFolder(folder).status().highestModSeq();
            otherClient().setFlags(folder, uid, flags(jakarta.mail.Flags.Flag.FLAGGED));

            assertThat(c.scanFolder(folder).status().highestModSeq()).isGreaterThan(before);
        }
    }

    @Test
    void qresyncReportsSeveralUidsExpungedAtOnceAndChangedFlagsAndSurvivesExpungesWhileSelected() throws Exception {
        String folder = newFolder();
        long[] uids = new long[6];
        for (int i = 0; i < uids.length; i++) {
            uids[i] = append(folder, TestMessages.simple("q" + i));
        }
        try (ImapConnection c = open()) {
            var start = c.scanFolder(folder).status();
            // the Angus bug's trigger: one VANISHED naming several UIDs
            otherClient().expunge(folder, uids[0], uids[1], uids[2]);
            otherClient().setFlags(folder, uids[4], flags(jakarta.mail.Flags.Flag.FLAGGED));
            long added = append(folder, TestMessages.simple("new"));

            ImapConnection.Qresync q = c.qresync(folder, start.uidValidity(), start.highestModSeq())
                    .orElseThrow();
            assertThat(q.vanished())
                    .allSatisfy(r -> assertThat(r.to()).isLessThan(uids[3]))
                    .isNotEmpty();
            assertThat(List.of(uids[0], uids[1], uids[2]))
                    .allMatch(uid -> dev.mailsync.sync.UidRange.anyContains(q.vanished(), uid));
            assertThat(q.changed())
                    .extracting(dev.mailsync.sync.MessageFlags::uid)
                    .contains(uids[4], added)
                    .doesNotContain(uids[3], uids[5]);
            assertThat(q.status().messages()).isEqualTo(4);
            assertThat(q.status().highestModSeq()).isGreaterThan(start.highestModSeq());

            // expunges of several messages while the QRESYNC connection has the folder selected come as
            // unsolicited VANISHED responses on the next command: parsed by us, never by Angus
            otherClient().expunge(folder, uids[3], uids[4]);
            ImapConnection.Qresync again = c.qresync(
                            folder, start.uidValidity(), q.status().highestModSeq())
                    .orElseThrow();
            assertThat(List.of(uids[3], uids[4]))
                    .allMatch(uid -> dev.mailsync.sync.UidRange.anyContains(again.vanished(), uid));
            assertThat(again.status().messages()).isEqualTo(2);
            // and the main connection goes on working
            assertThat(c.scanFolder(folder).messages()).hasSize(2);
            // a UIDVALIDITY that is not the folder's: no resynchronisation, the caller scans
            assertThat(c.qresync(folder, start.uidValidity() + 1, start.highestModSeq()))
                    .isEmpty();
        }
    }

    @Test
    void aConditionalStoreMergesAFlagChangedElsewhereAfterTheViewWasBuilt() throws Exception {
        String folder = newFolder();
        long uid = append(folder, TestMessages.simple("x"));

        try (ImapConnection c = open()) {
            var status = c.scanFolder(folder).status();
            long viewModSeq = status.highestModSeq();
            // unchanged since the view: one conditional STORE, no conflict
            ImapConnection.StoreOutcome plain =
                    c.storeFlags(folder, status.uidValidity(), uid, Set.of("\\Answered"), Set.of(), viewModSeq);
            assertThat(plain.conflicts()).isZero();
            assertThat(plain.flags()).contains("\\Answered");

            // another client flags the message after the device's view was built
            otherClient().setFlags(folder, uid, flags(jakarta.mail.Flags.Flag.FLAGGED));
            ImapConnection.StoreOutcome merged =
                    c.storeFlags(folder, status.uidValidity(), uid, Set.of("\\Seen"), Set.of("\\Answered"), viewModSeq);

            assertThat(merged.found()).isTrue();
            assertThat(merged.conflicts()).isEqualTo(1); // the server said MODIFIED; merged and sent again
            assertThat(merged.flags()).contains("\\Seen", "\\Flagged").doesNotContain("\\Answered");
            assertThat(otherClient().flags(folder, uid))
                    .contains("\\Seen", "\\Flagged")
                    .doesNotContain("\\Answered");

            // what the device wants is there already: nothing sent again, still counted as a conflict seen
            otherClient().setFlags(folder, uid, flags(jakarta.mail.Flags.Flag.DRAFT));
            ImapConnection.StoreOutcome already =
                    c.storeFlags(folder, status.uidValidity(), uid, Set.of("\\Seen"), Set.of(), viewModSeq);
            assertThat(already.conflicts()).isEqualTo(1);
            assertThat(already.flags()).contains("\\Seen", "\\Flagged", "\\Draft");
        }
    }

    @Test
    void theServersPreviewIsUsedForALongQuotedPrintableText() throws Exception {
        String folder = newFolder();
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            body.append("Zeile ").append(i).append(" mit Umlauten äöü.\n");
        }
        long uid = append(
                folder,
                TestMessages.builder().subject("long").text(body.toString()).build());

        try (ImapConnection c = open()) {
            List<dev.mailsync.sync.MessageSummary> out = new ArrayList<>();
            c.fetchSummaries(folder, List.of(uid), 10, out::addAll);

            assertThat(out).hasSize(1);
            assertThat(out.get(0).preview())
                    .startsWith("Zeile 0 mit Umlauten äöü. Zeile 1")
                    .hasSizeLessThanOrEqualTo(200);
        }
    }
}
