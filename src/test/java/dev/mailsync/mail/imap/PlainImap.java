package dev.mailsync.mail.imap;

import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.eclipse.angus.mail.imap.AppendUID;
import org.eclipse.angus.mail.imap.IMAPFolder;

/** Another IMAP client, for tests: changes a mailbox behind the back of the connection under test. */
final class PlainImap {
    private final String host;
    private final int port;
    private final String user;
    private final String password;

    PlainImap(String host, int port, String user, String password) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
    }

    private interface Action<T> {
        T run(Store store) throws MessagingException;
    }

    private <T> T withStore(Action<T> action) {
        Properties props = new Properties();
        props.setProperty("mail.imap.connectiontimeout", "5000");
        props.setProperty("mail.imap.timeout", "10000");
        try (Store store = Session.getInstance(props).getStore("imap")) {
            store.connect(host, port, user, password);
            return action.run(store);
        } catch (MessagingException e) {
            throw new IllegalStateException("test IMAP client failed: " + e, e);
        }
    }

    /** Creates the folder if missing. */
    void createFolder(String name) {
        withStore(store -> {
            Folder f = store.getFolder(name);
            if (!f.exists() && !f.create(Folder.HOLDS_MESSAGES)) {
                throw new IllegalStateException("cannot create " + name);
            }
            return null;
        });
    }

    /** Creates {@code child} below {@code parent}; returns its full name, built with the server's delimiter. */
    String createChild(String parent, String child) {
        return withStore(store -> {
            Folder p = store.getFolder(parent);
            if (!p.exists()) {
                p.create(Folder.HOLDS_MESSAGES | Folder.HOLDS_FOLDERS);
            }
            Folder c = p.getFolder(child);
            if (!c.exists() && !c.create(Folder.HOLDS_MESSAGES)) {
                throw new IllegalStateException("cannot create " + c.getFullName());
            }
            return c.getFullName();
        });
    }

    /** Appends a message; returns its UID (APPENDUID, or the highest UID after the append). */
    long append(String folder, byte[] rfc822, Flags flags) {
        return withStore(store -> {
            IMAPFolder f = (IMAPFolder) store.getFolder(folder);
            if (!f.exists()) {
                f.create(Folder.HOLDS_MESSAGES);
            }
            MimeMessage message = new MimeMessage(null, new ByteArrayInputStream(rfc822));
            if (flags != null) {
                message.setFlags(flags, true);
            }
            AppendUID[] uids = f.appendUIDMessages(new Message[] {message});
            if (uids != null && uids.length == 1 && uids[0] != null) {
                return uids[0].uid;
            }
            f.open(Folder.READ_ONLY);
            try {
                return f.getUID(f.getMessage(f.getMessageCount()));
            } finally {
                f.close(false);
            }
        });
    }

    /** Sets these flags on one message. */
    void setFlags(String folder, long uid, Flags flags) {
        withStore(store -> {
            IMAPFolder f = (IMAPFolder) store.getFolder(folder);
            f.open(Folder.READ_WRITE);
            try {
                Message m = f.getMessageByUID(uid);
                if (m == null) {
                    throw new IllegalArgumentException("no UID " + uid + " in " + folder);
                }
                m.setFlags(flags, true);
            } finally {
                f.close(false);
            }
            return null;
        });
    }

    /** The flags of one message, as the server has them. */
    java.util.Set<String> flags(String folder, long uid) {
        return withStore(store -> {
            IMAPFolder f = (IMAPFolder) store.getFolder(folder);
            f.open(Folder.READ_ONLY);
            try {
                Message m = f.getMessageByUID(uid);
                if (m == null) {
                    throw new IllegalArgumentException("no UID " + uid + " in " + folder);
                }
                return FetchConversions.flags(m.getFlags());
            } finally {
                f.close(false);
            }
        });
    }

    /** Sets \Deleted on these messages and expunges the folder. */
    void expunge(String folder, long... uids) {
        withStore(store -> {
            IMAPFolder f = (IMAPFolder) store.getFolder(folder);
            f.open(Folder.READ_WRITE);
            List<Message> gone = new ArrayList<>();
            for (long uid : uids) {
                Message m = f.getMessageByUID(uid);
                if (m != null) {
                    m.setFlag(Flags.Flag.DELETED, true);
                    gone.add(m);
                }
            }
            f.close(true);
            return gone.size();
        });
    }
}
