package dev.mailsync.testsupport;

import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.UIDFolder;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/**
 * "Another client" of a test mailbox over plain IMAP: what a phone or webmail would do on the server
 * behind mailsync's back. Works with GreenMail and Dovecot alike.
 */
public final class ImapMailbox {
    private final String host;
    private final int port;
    private final String user;
    private final String password;

    public ImapMailbox(String host, int port, String user, String password) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Folder folder) throws MessagingException;
    }

    private <T> T with(String folderName, boolean create, Work<T> work) {
        Properties p = new Properties();
        p.put("mail.imap.connectiontimeout", "5000");
        p.put("mail.imap.timeout", "10000");
        try (Store store = Session.getInstance(p).getStore("imap")) {
            store.connect(host, port, user, password);
            Folder folder = store.getFolder(folderName);
            if (create && !folder.exists()) {
                folder.create(Folder.HOLDS_MESSAGES);
            }
            folder.open(Folder.READ_WRITE);
            try {
                return work.run(folder);
            } finally {
                folder.close(false);
            }
        } catch (MessagingException e) {
            throw new IllegalStateException("test mailbox operation failed: " + e.getMessage(), e);
        }
    }

    /** Appends a message and returns its UID. */
    public long append(String folderName, byte[] rfc822, Flags flags) {
        return with(folderName, true, f -> {
            Set<Long> before = new HashSet<>(uids(f));
            MimeMessage message = new MimeMessage(null, new ByteArrayInputStream(rfc822));
            if (flags != null) {
                message.setFlags(flags, true);
            }
            f.appendMessages(new Message[] {message});
            List<Long> after = uids(f);
            after.removeAll(before);
            if (after.size() != 1) {
                throw new IllegalStateException("could not find the appended message");
            }
            return after.get(0);
        });
    }

    public long append(String folderName, String subject) {
        return append(folderName, TestMessages.simple(subject), null);
    }

    public void setFlags(String folderName, long uid, Flags flags, boolean set) {
        with(folderName, false, f -> {
            ((UIDFolder) f).getMessageByUID(uid).setFlags(flags, set);
            return null;
        });
    }

    /** \Deleted and EXPUNGE of exactly these messages (the test folder holds no other deleted mail). */
    public void expunge(String folderName, long... uids) {
        with(folderName, false, f -> {
            List<Message> messages = new ArrayList<>();
            for (long uid : uids) {
                Message m = ((UIDFolder) f).getMessageByUID(uid);
                m.setFlag(Flags.Flag.DELETED, true);
                messages.add(m);
            }
            f.expunge();
            return null;
        });
    }

    /** The flags of one message as the server has them (system flags with their backslash). */
    public java.util.Set<String> flags(String folderName, long uid) {
        return with(folderName, false, f -> {
            Flags flags = ((UIDFolder) f).getMessageByUID(uid).getFlags();
            java.util.Set<String> out = new java.util.TreeSet<>(java.util.Arrays.asList(flags.getUserFlags()));
            for (Flags.Flag flag : flags.getSystemFlags()) {
                if (flag == Flags.Flag.SEEN) out.add("\\Seen");
                if (flag == Flags.Flag.FLAGGED) out.add("\\Flagged");
                if (flag == Flags.Flag.ANSWERED) out.add("\\Answered");
                if (flag == Flags.Flag.DRAFT) out.add("\\Draft");
                if (flag == Flags.Flag.DELETED) out.add("\\Deleted");
            }
            return out;
        });
    }

    public void createFolder(String folderName) {
        with(folderName, true, f -> null);
    }

    /** DELETE of a folder and everything in it, as another mail client would do it. */
    public void deleteFolder(String folderName) {
        Properties p = new Properties();
        p.put("mail.imap.connectiontimeout", "5000");
        p.put("mail.imap.timeout", "10000");
        try (Store store = Session.getInstance(p).getStore("imap")) {
            store.connect(host, port, user, password);
            if (!store.getFolder(folderName).delete(true)) {
                throw new IllegalStateException("the server refused DELETE " + folderName);
            }
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** RENAME, as another mail client would do it. */
    public void renameFolder(String from, String to) {
        Properties p = new Properties();
        p.put("mail.imap.connectiontimeout", "5000");
        p.put("mail.imap.timeout", "10000");
        try (Store store = Session.getInstance(p).getStore("imap")) {
            store.connect(host, port, user, password);
            if (!store.getFolder(from).renameTo(store.getFolder(to))) {
                throw new IllegalStateException("the server refused RENAME " + from + " " + to);
            }
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Long> uids(Folder f) throws MessagingException {
        List<Long> out = new ArrayList<>();
        for (Message m : f.getMessages()) {
            out.add(((UIDFolder) f).getUID(m));
        }
        return out;
    }
}
