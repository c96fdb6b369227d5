package dev.mailsync.mail.imap;

import dev.mailsync.mail.MailAccessException;
import dev.mailsync.mail.MailEndpoint;
import dev.mailsync.mail.MailFailures;
import dev.mailsync.mail.imap.ImapConnection.AppendOutcome;
import dev.mailsync.mail.imap.ImapConnection.DeleteOutcome;
import dev.mailsync.mail.imap.ImapConnection.FolderOutcome;
import dev.mailsync.mail.imap.ImapConnection.MoveOutcome;
import dev.mailsync.mail.imap.ImapConnection.StoreOutcome;
import dev.mailsync.sync.FailureCode;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import org.eclipse.angus.mail.iap.ProtocolException;
import org.eclipse.angus.mail.iap.Response;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPStore;
import org.eclipse.angus.mail.imap.ResyncData;
import org.eclipse.angus.mail.imap.protocol.FLAGS;
import org.eclipse.angus.mail.imap.protocol.FetchResponse;
import org.eclipse.angus.mail.imap.protocol.UID;

/**
 * A device's changes written to the server, on an {@link ImapSession}, each in its folder opened
 * read-write: flags (conditional under CONDSTORE), delete and move of one UID (never a plain EXPUNGE),
 * append (never twice for one Message-ID), and folder create, rename and delete. Part of {@link
 * ImapConnection}.
 */
final class ImapWriteBack {
    private final ImapSession session;
    private final IMAPStore store;
    private final Set<String> capabilities;
    private final MailEndpoint endpoint;

    ImapWriteBack(ImapSession session) {
        this.session = session;
        this.store = session.store;
        this.capabilities = session.capabilities;
        this.endpoint = session.endpoint;
    }

    /**
     * Moves one message to {@code target}: MOVE (RFC 6851) when offered, else COPY, the Deleted flag and
     * UID EXPUNGE of that UID (UIDPLUS); neither: UNSUPPORTED. The new UID becomes the message's identity.
     */
    public MoveOutcome moveMessage(String name, long uidValidity, long uid, String target) throws MailAccessException {
        try {
            boolean move = capabilities.contains("MOVE");
            if (!move && !capabilities.contains("UIDPLUS")) {
                return new MoveOutcome(DeleteOutcome.UNSUPPORTED, null);
            }
            session.closeFolder();
            IMAPFolder f = (IMAPFolder) store.getFolder(name);
            if (!f.exists()) {
                return new MoveOutcome(DeleteOutcome.NOT_FOUND, null);
            }
            f.open(Folder.READ_WRITE);
            session.opened(f);
            Message m = f.getUIDValidity() == uidValidity ? f.getMessageByUID(uid) : null;
            if (m == null || m.isExpunged()) {
                return new MoveOutcome(DeleteOutcome.NOT_FOUND, null);
            }
            Message[] one = {m};
            Folder to = store.getFolder(target);
            org.eclipse.angus.mail.imap.AppendUID[] uids;
            if (move) {
                uids = f.moveUIDMessages(one, to);
            } else {
                uids = f.copyUIDMessages(one, to);
                m.setFlag(Flags.Flag.DELETED, true);
                f.expunge(one); // UID EXPUNGE of this UID only
            }
            Long newUid = uids != null && uids.length == 1 && uids[0] != null ? uids[0].uid : null;
            return new MoveOutcome(DeleteOutcome.DELETED, newUid);
        } catch (MessagingException e) {
            throw MailFailures.classify(e, endpoint);
        }
    }

    /**
     * Adds a message to a folder (APPEND, with APPENDUID from UIDPLUS when offered). A message whose
     * {@code Message-ID} is already in the folder is not added twice: a job retried after a crash must not
     * duplicate what its first attempt appended ({@code UID SEARCH HEADER Message-ID}). The bytes are sent
     * as they are; flags are set in the same command.
     */
    public AppendOutcome append(String name, byte[] rfc822, Set<String> flags) throws MailAccessException {
        session.ensureOpen();
        try {
            session.closeFolder();
            IMAPFolder f = (IMAPFolder) store.getFolder(name);
            if (!f.exists()) {
                return new AppendOutcome(AppendOutcome.Status.NO_FOLDER, null, null, null);
            }
            jakarta.mail.internet.MimeMessage message = new jakarta.mail.internet.MimeMessage(
                    Session.getInstance(new Properties()), new java.io.ByteArrayInputStream(rfc822));
            String messageId = message.getHeader("Message-ID", null);
            if (messageId != null && !messageId.isBlank()) {
                f.open(Folder.READ_ONLY);
                session.opened(f);
                Message[] found = f.search(new jakarta.mail.search.HeaderTerm("Message-ID", messageId.trim()));
                for (Message m : found) {
                    String[] ids = m.getHeader("Message-ID");
                    if (ids != null && ids.length > 0 && ids[0].trim().equals(messageId.trim())) {
                        return new AppendOutcome(
                                AppendOutcome.Status.ALREADY_THERE, f.getUIDValidity(), f.getUID(m), null);
                    }
                }
                session.closeFolder();
            }
            message.setFlags(toFlags(flags), true);
            try {
                org.eclipse.angus.mail.imap.AppendUID[] uids = f.appendUIDMessages(new Message[] {message});
                org.eclipse.angus.mail.imap.AppendUID uid = uids != null && uids.length == 1 ? uids[0] : null;
                return uid == null
                        ? new AppendOutcome(AppendOutcome.Status.APPENDED, null, null, null)
                        : new AppendOutcome(AppendOutcome.Status.APPENDED, uid.uidvalidity, uid.uid, null);
            } catch (MessagingException e) {
                String refusal = refusal(e);
                if (refusal == null) {
                    throw e;
                }
                return new AppendOutcome(
                        refusal.contains("[TRYCREATE]") ? AppendOutcome.Status.NO_FOLDER : AppendOutcome.Status.REFUSED,
                        null,
                        null,
                        refusal);
            }
        } catch (MessagingException | RuntimeException e) {
            throw MailFailures.classify(e, endpoint);
        }
    }

    /** {@code CREATE name} (RFC 3501 §6.3.3); the name carries the server's hierarchy delimiter. */
    public FolderOutcome createFolder(String name) throws MailAccessException {
        return folderCommand(p -> {
            p.create(name);
            return null;
        });
    }

    /** {@code RENAME from to} (§6.3.5): the server renames the folder's inferiors with it. */
    public FolderOutcome renameFolder(String from, String to) throws MailAccessException {
        return folderCommand(p -> {
            p.rename(from, to);
            return null;
        });
    }

    /** {@code DELETE name} (§6.3.4). */
    public FolderOutcome deleteFolder(String name) throws MailAccessException {
        return folderCommand(p -> {
            p.delete(name);
            return null;
        });
    }

    private FolderOutcome folderCommand(IMAPFolder.ProtocolCommand command) throws MailAccessException {
        session.ensureOpen();
        try {
            session.closeFolder();
            ((IMAPFolder) store.getDefaultFolder()).doCommand(command);
            return new FolderOutcome(true, null);
        } catch (MessagingException e) {
            String refusal = refusal(e);
            if (refusal != null) {
                return new FolderOutcome(false, refusal);
            }
            throw MailFailures.classify(e, endpoint);
        } catch (RuntimeException e) {
            throw MailFailures.classify(e, endpoint);
        }
    }

    /** The server's text when it answered NO or BAD to a command (not a dropped connection); else null. */
    private static String refusal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.eclipse.angus.mail.iap.CommandFailedException
                    || t instanceof org.eclipse.angus.mail.iap.BadCommandException) {
                Response r = ((ProtocolException) t).getResponse();
                String text = r != null ? r.getRest() : t.getMessage();
                return text == null || text.isBlank() ? "refused" : text.trim();
            }
        }
        return null;
    }

    /**
     * Deletes one message as a device asked: moved to {@code trashFolder} (MOVE, RFC 6851; else COPY +
     * \Deleted + UID EXPUNGE), or, with {@code trashFolder} null, \Deleted + UID EXPUNGE of exactly that
     * UID (RFC 4315). Never a plain EXPUNGE, which would also remove other clients' \Deleted messages.
     */
    public DeleteOutcome deleteMessage(String name, long uidValidity, long uid, String trashFolder)
            throws MailAccessException {
        try {
            boolean uidplus = capabilities.contains("UIDPLUS");
            boolean move = capabilities.contains("MOVE");
            if (!uidplus && !(trashFolder != null && move)) {
                return DeleteOutcome.UNSUPPORTED;
            }
            session.closeFolder();
            IMAPFolder f = (IMAPFolder) store.getFolder(name);
            if (!f.exists()) {
                return DeleteOutcome.NOT_FOUND;
            }
            f.open(Folder.READ_WRITE);
            session.opened(f);
            if (f.getUIDValidity() != uidValidity) {
                return DeleteOutcome.NOT_FOUND;
            }
            Message m = f.getMessageByUID(uid);
            if (m == null || m.isExpunged()) {
                return DeleteOutcome.NOT_FOUND;
            }
            Message[] one = {m};
            if (trashFolder != null) {
                Folder trash = store.getFolder(trashFolder);
                if (move) {
                    f.moveMessages(one, trash);
                    return DeleteOutcome.DELETED;
                }
                f.copyMessages(one, trash);
            }
            m.setFlag(Flags.Flag.DELETED, true);
            f.expunge(one); // UID EXPUNGE of this UID only (UIDPLUS)
            return DeleteOutcome.DELETED;
        } catch (MessagingException e) {
            throw MailFailures.classify(e, endpoint);
        }
    }

    /** Conditional STOREs tried before the job gives up on a message that keeps changing (retried later). */
    static final int MAX_STORE_CONFLICTS = 3;

    /**
     * Adds and removes flags of one message by UID, in the folder opened read-write, and answers the
     * message's flags afterwards (from the server's FETCH response to the STORE). The folder's
     * UIDVALIDITY must still be {@code uidValidity}: otherwise the UID names another message (RFC 3501
     * §2.3.1.1) and nothing is stored. Only the named flags are sent ({@code +FLAGS}/{@code -FLAGS}, never
     * a whole flag list), so flags changed elsewhere are kept.
     *
     * <p>With CONDSTORE and {@code unchangedSince} (the folder's HIGHESTMODSEQ when the device's view was
     * built) each STORE carries {@code UNCHANGEDSINCE} (RFC 7162 §3.1.3). When the server answers
     * {@code [MODIFIED]} the message changed elsewhere since: its current flags and mod-sequence are read,
     * the device's change is merged onto them (nothing to do if they already hold it) and sent again under
     * the new mod-sequence.
     */
    public StoreOutcome storeFlags(
            String name, long uidValidity, long uid, Set<String> add, Set<String> remove, Long unchangedSince)
            throws MailAccessException {
        try {
            session.closeFolder();
            IMAPFolder f = (IMAPFolder) store.getFolder(name);
            if (!f.exists()) {
                return new StoreOutcome(false, Set.of());
            }
            boolean conditional = unchangedSince != null && capabilities.contains("CONDSTORE");
            if (conditional) {
                f.open(Folder.READ_WRITE, ResyncData.CONDSTORE);
            } else {
                f.open(Folder.READ_WRITE);
            }
            session.opened(f);
            if (f.getUIDValidity() != uidValidity) {
                return new StoreOutcome(false, Set.of());
            }
            Message m = f.getMessageByUID(uid);
            if (m == null || m.isExpunged()) {
                return new StoreOutcome(false, Set.of());
            }
            if (!conditional) {
                if (!add.isEmpty()) {
                    m.setFlags(toFlags(add), true);
                }
                if (!remove.isEmpty()) {
                    m.setFlags(toFlags(remove), false);
                }
                return new StoreOutcome(true, FetchConversions.flags(m.getFlags()));
            }
            long since = unchangedSince;
            for (int conflicts = 0; conflicts <= MAX_STORE_CONFLICTS; conflicts++) {
                FlagState state = conditionalStore(f, uid, since, "+FLAGS", add);
                if (state.stored()) {
                    FlagState second = conditionalStore(f, uid, state.modSeq(), "-FLAGS", remove);
                    state = second.stored() && second.flags() == null ? state : second;
                }
                if (state.stored()) {
                    Set<String> flags = state.flags();
                    if (flags == null) {
                        FlagState read = flagState(f, uid);
                        flags = read == null ? Set.of() : read.flags();
                    }
                    return new StoreOutcome(true, flags, conflicts);
                }
                FlagState now = flagState(f, uid);
                if (now == null) {
                    return new StoreOutcome(false, Set.of(), conflicts);
                }
                if (now.flags().containsAll(add) && remove.stream().noneMatch(now.flags()::contains)) {
                    return new StoreOutcome(true, now.flags(), conflicts + 1);
                }
                since = now.modSeq();
            }
            throw new MailAccessException(
                    FailureCode.PROTOCOL_ERROR,
                    "message " + uid + " in " + name + " kept changing during " + MAX_STORE_CONFLICTS
                            + " conditional STOREs; the job tries again later");
        } catch (MessagingException e) {
            throw MailFailures.classify(e, endpoint);
        }
    }

    /** As {@link #storeFlags(String, long, long, Set, Set, Long)} without a mod-sequence to hold to. */
    public StoreOutcome storeFlags(String name, long uidValidity, long uid, Set<String> add, Set<String> remove)
            throws MailAccessException {
        return storeFlags(name, uidValidity, uid, add, remove, null);
    }

    /** A message's flags and mod-sequence; {@code stored} false when a conditional STORE was refused. */
    private record FlagState(boolean stored, Set<String> flags, long modSeq) {}

    /**
     * {@code UID STORE uid (UNCHANGEDSINCE since) ±FLAGS (...)}. An empty flag set stores nothing and
     * keeps {@code since}. Refused ({@code OK [MODIFIED uid]}, RFC 7162 §3.1.3): {@code stored} false.
     */
    private static FlagState conditionalStore(IMAPFolder f, long uid, long since, String op, Set<String> flags)
            throws MessagingException {
        if (flags.isEmpty()) {
            return new FlagState(true, null, since);
        }
        String command =
                "UID STORE " + uid + " (UNCHANGEDSINCE " + since + ") " + op + " (" + String.join(" ", flags) + ")";
        return (FlagState) f.doCommand(p -> {
            Response[] responses = p.command(command, null);
            Set<String> after = null;
            long modSeq = since;
            for (Response r : responses) {
                if (r instanceof FetchResponse fr
                        && fr.getItem(UID.class) != null
                        && fr.getItem(UID.class).uid == uid) {
                    FLAGS fl = fr.getItem(FLAGS.class);
                    if (fl != null) {
                        after = FetchConversions.flags(fl);
                    }
                    org.eclipse.angus.mail.imap.protocol.MODSEQ ms =
                            fr.getItem(org.eclipse.angus.mail.imap.protocol.MODSEQ.class);
                    if (ms != null) {
                        modSeq = ms.modseq;
                    }
                }
            }
            ImapSession.finish(p, responses, false);
            Response result = responses[responses.length - 1];
            String rest = result.getRest();
            if (rest != null && rest.toUpperCase(Locale.ROOT).contains("[MODIFIED")) {
                return new FlagState(false, null, since);
            }
            return new FlagState(true, after, modSeq);
        });
    }

    /** {@code UID FETCH uid (FLAGS MODSEQ)}; null when the UID is gone. */
    private static FlagState flagState(IMAPFolder f, long uid) throws MessagingException {
        return (FlagState) f.doCommand(p -> {
            Response[] responses = p.command("UID FETCH " + uid + " (UID FLAGS MODSEQ)", null);
            FlagState state = null;
            for (Response r : responses) {
                if (r instanceof FetchResponse fr
                        && fr.getItem(UID.class) != null
                        && fr.getItem(UID.class).uid == uid) {
                    FLAGS fl = fr.getItem(FLAGS.class);
                    org.eclipse.angus.mail.imap.protocol.MODSEQ ms =
                            fr.getItem(org.eclipse.angus.mail.imap.protocol.MODSEQ.class);
                    if (fl != null && ms != null) {
                        state = new FlagState(true, FetchConversions.flags(fl), ms.modseq);
                    }
                }
            }
            ImapSession.finish(p, responses, false);
            return state;
        });
    }

    private static Flags toFlags(Set<String> names) {
        Flags flags = new Flags();
        for (String name : names) {
            switch (name) {
                case "\\Seen" -> flags.add(Flags.Flag.SEEN);
                case "\\Answered" -> flags.add(Flags.Flag.ANSWERED);
                case "\\Flagged" -> flags.add(Flags.Flag.FLAGGED);
                case "\\Deleted" -> flags.add(Flags.Flag.DELETED);
                case "\\Draft" -> flags.add(Flags.Flag.DRAFT);
                default -> flags.add(name);
            }
        }
        return flags;
    }
}
