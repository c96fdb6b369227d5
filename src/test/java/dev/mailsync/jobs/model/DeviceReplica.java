package dev.mailsync.jobs.model;

import dev.mailsync.jobs.model.ModelFailure.Check;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A device as a client app would be written: it knows only what its deltas told it plus the changes it
 * made itself, and it is strict. A created id it already has, an update or a destroy of an id it never
 * had, or a message in a folder it does not know, is a broken delta.
 */
final class DeviceReplica {
    /** One message as the device holds it. */
    record Item(String id, String folderId, String messageId, SortedSet<String> flags) {}

    final String name;
    final String id;
    private String state;
    private final Map<String, String> folders = new TreeMap<>();
    private final Map<String, Item> messages = new TreeMap<>();
    /** Ids the device removed itself (its DELETE or MOVE was applied); a later destroy of them is fine. */
    private final Set<String> removedLocally = new HashSet<>();
    /** Ids a job result gave the device for its own move; a later created of them confirms, not duplicates. */
    private final Set<String> addedLocally = new HashSet<>();

    DeviceReplica(String name, String id) {
        this.name = name;
        this.id = id;
    }

    /** The last state the device read up to; null before its first read. */
    String state() {
        return state;
    }

    void state(String state) {
        this.state = state;
    }

    Map<String, String> folders() {
        return folders;
    }

    Map<String, Item> messages() {
        return messages;
    }

    /** Folder id by name. */
    String folderId(String folderName) {
        return folders.entrySet().stream()
                .filter(e -> e.getValue().equals(folderName))
                .map(Map.Entry::getKey)
                .findFirst()
                .orElse(null);
    }

    /** The device's messages in the order its steps pick from: folder name, Message-ID, id. */
    List<Item> ordered() {
        return messages.values().stream()
                .sorted(Comparator.comparing((Item i) -> folders.getOrDefault(i.folderId(), "?"))
                        .thenComparing(Item::messageId)
                        .thenComparing(Item::id))
                .toList();
    }

    List<Fact> facts() {
        return Fact.sorted(messages.values().stream()
                .map(i -> new Fact(
                        folders.getOrDefault(i.folderId(), "(unknown folder " + i.folderId() + ")"),
                        i.messageId(),
                        i.flags()))
                .toList());
    }

    // ---- deltas ------------------------------------------------------------------------------------

    @SuppressWarnings("unchecked")
    void applyFolders(List<Map<String, Object>> created, List<Map<String, Object>> updated, List<String> destroyed) {
        for (Map<String, Object> f : created) {
            String folderId = (String) f.get("id");
            if (folders.containsKey(folderId)) {
                throw broken("folder " + folderId + " created again");
            }
            folders.put(folderId, (String) f.get("name"));
        }
        for (Map<String, Object> f : updated) {
            String folderId = (String) f.get("id");
            if (!folders.containsKey(folderId)) {
                throw broken("update of unknown folder " + folderId);
            }
            folders.put(folderId, (String) f.get("name"));
        }
        for (String folderId : destroyed) {
            if (folders.remove(folderId) == null) {
                throw broken("destroy of unknown folder " + folderId);
            }
        }
    }

    @SuppressWarnings("unchecked")
    void applyMessages(List<Map<String, Object>> created, List<Map<String, Object>> updated, List<String> destroyed) {
        for (Map<String, Object> m : created) {
            String messageId = (String) m.get("id");
            if (messages.containsKey(messageId) && !addedLocally.remove(messageId)) {
                throw broken("message " + messageId + " (" + m.get("messageId") + ") created again");
            }
            String folderId = (String) m.get("folderId");
            if (!folders.containsKey(folderId)) {
                throw broken("message " + messageId + " created in unknown folder " + folderId);
            }
            messages.put(
                    messageId,
                    new Item(messageId, folderId, (String) m.get("messageId"), new TreeSet<>((Collection<String>)
                            m.get("flags"))));
        }
        for (Map<String, Object> m : updated) {
            String messageId = (String) m.get("id");
            Item item = messages.get(messageId);
            if (item == null) {
                throw broken("update of unknown message " + messageId);
            }
            messages.put(
                    messageId, new Item(messageId, item.folderId(), item.messageId(), new TreeSet<>((Collection<String>)
                            m.get("flags"))));
        }
        for (String messageId : destroyed) {
            if (messages.remove(messageId) == null && !removedLocally.remove(messageId)) {
                throw broken("destroy of unknown message " + messageId);
            }
        }
    }

    private ModelFailure broken(String what) {
        return new ModelFailure(Check.DELTA, name + ": " + what);
    }

    // ---- the device's own changes, applied locally once the job answered them ------------------------

    void ownFlags(String messageId, Set<String> add, Set<String> remove) {
        Item item = messages.get(messageId);
        if (item == null) {
            return;
        }
        SortedSet<String> flags = new TreeSet<>(item.flags());
        flags.addAll(add);
        flags.removeAll(remove);
        messages.put(messageId, new Item(messageId, item.folderId(), item.messageId(), flags));
    }

    void ownRemove(String messageId) {
        if (messages.remove(messageId) != null) {
            removedLocally.add(messageId);
        }
    }

    /**
     * A move the job answered: the device drops the old id and, when the result names the message's new
     * id, files it under that id in the target folder. Whether the delta then also brings the new id as
     * created or not, the device ends up with it once.
     */
    void ownMove(String messageId, String newId, String toFolderId) {
        Item item = messages.get(messageId);
        ownRemove(messageId);
        if (item != null && newId != null && !messages.containsKey(newId)) {
            messages.put(newId, new Item(newId, toFolderId, item.messageId(), item.flags()));
            addedLocally.add(newId);
        }
    }
}
