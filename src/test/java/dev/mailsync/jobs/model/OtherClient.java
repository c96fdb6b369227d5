package dev.mailsync.jobs.model;

import dev.mailsync.testsupport.TestMessages;
import jakarta.mail.FetchProfile;
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
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.eclipse.angus.mail.imap.IMAPFolder;

/**
 * "Another client" of the model's mailbox (a webmail, a phone without mailsync), over plain IMAP: it
 * changes the server behind mailsync's back and reads the whole mailbox back for the comparison.
 * Messages are addressed by their Message-ID header, which the model keeps unique on the server.
 */
final class OtherClient implements AutoCloseable {
    /** Where the mailbox is and how to log in, over plain IMAP. */
    record Mailbox(String host, int port, String user, String password) {}

    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private Store store;

    OtherClient(Mailbox box) {
        this.host = box.host();
        this.port = box.port();
        this.user = box.user();
        this.password = box.password();
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Store store) throws MessagingException;
    }

    /** One connection for the whole sequence: a login per step would cost more than the step. */
    private <T> T session(Work<T> work) {
        try {
            if (store == null || !store.isConnected()) {
                Properties p = new Properties();
                p.put("mail.imap.connectiontimeout", "5000");
                p.put("mail.imap.timeout", "10000");
                store = Session.getInstance(p).getStore("imap");
                store.connect(host, port, user, password);
            }
            return work.run(store);
        } catch (MessagingException e) {
            close();
            throw new IllegalStateException("other client: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (store != null) {
            try {
                store.close();
            } catch (MessagingException ignored) {
                // the server went away; nothing to log out from
            }
            store = null;
        }
    }

    void createFolder(String name) {
        session(store -> {
            Folder f = store.getFolder(name);
            if (!f.exists() && !f.create(Folder.HOLDS_MESSAGES)) {
                throw new IllegalStateException("cannot create " + name);
            }
            return null;
        });
    }

    /** The names of every folder that holds messages, sorted. */
    List<String> folders() {
        return session(store -> {
            List<String> names = new ArrayList<>();
            for (Folder f : store.getDefaultFolder().list("*")) {
                if ((f.getType() & Folder.HOLDS_MESSAGES) != 0) {
                    names.add(f.getFullName());
                }
            }
            names.sort(null);
            return names;
        });
    }

    void append(String folder, String messageId, String subject, Set<String> flags) {
        byte[] raw = TestMessages.builder()
                .messageId(messageId)
                .subject(subject)
                .text("Body of " + subject)
                .build();
        session(store -> {
            Folder f = store.getFolder(folder);
            MimeMessage message = new MimeMessage(null, new ByteArrayInputStream(raw));
            message.setFlags(toFlags(flags), true);
            f.appendMessages(new Message[] {message});
            return null;
        });
    }

    void setFlag(String folder, String messageId, String flag, boolean set) {
        inFolder(folder, Folder.READ_WRITE, (f, messages) -> {
            find(messages, messageId).setFlags(toFlags(Set.of(flag)), set);
            return null;
        });
    }

    /** \Deleted and UID EXPUNGE of exactly these messages (RFC 4315), in one command. */
    void expunge(String folder, List<String> messageIds) {
        inFolder(folder, Folder.READ_WRITE, (f, messages) -> {
            List<Message> doomed = new ArrayList<>();
            for (String id : messageIds) {
                Message m = find(messages, id);
                m.setFlag(Flags.Flag.DELETED, true);
                doomed.add(m);
            }
            ((IMAPFolder) f).expunge(doomed.toArray(Message[]::new));
            return null;
        });
    }

    /** MOVE (RFC 6851). */
    void move(String folder, String messageId, String toFolder) {
        inFolder(folder, Folder.READ_WRITE, (f, messages) -> {
            ((IMAPFolder) f)
                    .moveMessages(
                            new Message[] {find(messages, messageId)},
                            f.getStore().getFolder(toFolder));
            return null;
        });
    }

    /** Every message of every folder, as facts, over one connection. */
    List<Fact> snapshot() {
        return session(store -> {
            List<Fact> facts = new ArrayList<>();
            for (Folder f : store.getDefaultFolder().list("*")) {
                if ((f.getType() & Folder.HOLDS_MESSAGES) == 0) {
                    continue;
                }
                f.open(Folder.READ_ONLY);
                try {
                    for (Message m : fetched(f)) {
                        facts.add(new Fact(f.getFullName(), ((MimeMessage) m).getMessageID(), flagNames(m.getFlags())));
                    }
                } finally {
                    f.close(false);
                }
            }
            return Fact.sorted(facts);
        });
    }

    @FunctionalInterface
    private interface FolderWork<T> {
        T run(Folder folder, Message[] messages) throws MessagingException;
    }

    private <T> T inFolder(String name, int mode, FolderWork<T> work) {
        return session(store -> {
            Folder f = store.getFolder(name);
            f.open(mode);
            try {
                return work.run(f, fetched(f));
            } finally {
                f.close(false);
            }
        });
    }

    /** The folder's messages with their envelope (Message-ID) and flags, in one FETCH. */
    private static Message[] fetched(Folder f) throws MessagingException {
        Message[] messages = f.getMessages();
        FetchProfile profile = new FetchProfile();
        profile.add(FetchProfile.Item.ENVELOPE);
        profile.add(FetchProfile.Item.FLAGS);
        f.fetch(messages, profile);
        return messages;
    }

    private static Message find(Message[] messages, String messageId) throws MessagingException {
        for (Message m : messages) {
            if (messageId.equals(((MimeMessage) m).getMessageID())) {
                return m;
            }
        }
        throw new IllegalStateException("the server has no message " + messageId + " where the model has it");
    }

    private static Flags toFlags(Set<String> names) {
        Flags flags = new Flags();
        for (String name : names) {
            switch (name) {
                case "\\Seen" -> flags.add(Flags.Flag.SEEN);
                case "\\Answered" -> flags.add(Flags.Flag.ANSWERED);
                case "\\Flagged" -> flags.add(Flags.Flag.FLAGGED);
                case "\\Draft" -> flags.add(Flags.Flag.DRAFT);
                case "\\Deleted" -> flags.add(Flags.Flag.DELETED);
                default -> flags.add(name);
            }
        }
        return flags;
    }

    /** As mailsync reports flags: system flags with their backslash, keywords as they are, no \Recent. */
    private static SortedSet<String> flagNames(Flags flags) {
        SortedSet<String> out = new TreeSet<>(List.of(flags.getUserFlags()));
        for (Flags.Flag flag : flags.getSystemFlags()) {
            if (flag == Flags.Flag.SEEN) out.add("\\Seen");
            if (flag == Flags.Flag.FLAGGED) out.add("\\Flagged");
            if (flag == Flags.Flag.ANSWERED) out.add("\\Answered");
            if (flag == Flags.Flag.DRAFT) out.add("\\Draft");
            if (flag == Flags.Flag.DELETED) out.add("\\Deleted");
        }
        return out;
    }
}
