package dev.mailsync.jobs.model;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the mail server must hold after the steps so far: the model's side of the comparison. Every
 * message on the server is one <em>incarnation</em>; a move (by another client or by a device, also a
 * delete to Trash) ends it and starts a new one in the target folder, because the server gives the
 * message a new UID there and the old UID names nothing any more (RFC 3501 §2.3.1.1). Message-IDs are
 * unique on the whole server: messages are only appended, moved and expunged, never copied.
 */
final class ExpectedServer {
    record Message(long incarnation, String folder, String messageId, SortedSet<String> flags) {
        Fact fact() {
            return new Fact(folder, messageId, flags);
        }
    }

    private static final Comparator<Message> ORDER =
            Comparator.comparing(Message::folder).thenComparing(Message::messageId);

    private final List<String> folders;
    private final Map<Long, Message> live = new TreeMap<>();
    private long nextIncarnation = 1;

    ExpectedServer(List<String> folders) {
        this.folders = List.copyOf(folders);
    }

    /** Every folder of the mailbox (the steps create and delete none). */
    List<String> folders() {
        return folders;
    }

    Message add(String folder, String messageId, Set<String> flags) {
        Message m = new Message(nextIncarnation++, folder, messageId, new TreeSet<>(flags));
        live.put(m.incarnation(), m);
        return m;
    }

    Optional<Message> get(long incarnation) {
        return Optional.ofNullable(live.get(incarnation));
    }

    Optional<Message> find(String folder, String messageId) {
        return live.values().stream()
                .filter(m -> m.folder().equals(folder) && m.messageId().equals(messageId))
                .findFirst();
    }

    void setFlags(long incarnation, Set<String> flags) {
        Message m = live.get(incarnation);
        live.put(incarnation, new Message(incarnation, m.folder(), m.messageId(), new TreeSet<>(flags)));
    }

    void remove(long incarnation) {
        live.remove(incarnation);
    }

    /** The server keeps a message's flags when it moves it (RFC 6851 §3.3). */
    Message move(long incarnation, String toFolder) {
        Message m = live.remove(incarnation);
        return add(toFolder, m.messageId(), m.flags());
    }

    /** Every message, ordered by folder and Message-ID (the order steps pick from). */
    List<Message> ordered() {
        return live.values().stream().sorted(ORDER).toList();
    }

    List<Message> in(String folder) {
        return ordered().stream().filter(m -> m.folder().equals(folder)).toList();
    }

    List<Fact> facts() {
        return Fact.sorted(live.values().stream().map(Message::fact).toList());
    }
}
