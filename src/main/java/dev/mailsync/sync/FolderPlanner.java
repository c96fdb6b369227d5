package dev.mailsync.sync;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Compares the server's folder list with the mirror's: which folders appeared, changed or vanished. */
public final class FolderPlanner {
    private FolderPlanner() {}

    /** A live folder of the mirror; {@code uidValidity} null before its first refresh. */
    public record MirrorFolderRef(String id, String name, String delimiter, String specialUse, Long uidValidity) {
        public MirrorFolderRef(String id, String name, String delimiter, String specialUse) {
            this(id, name, delimiter, specialUse, null);
        }
    }

    /**
     * What to do to the mirror's folders. {@code rename}: folders that keep their id (and messages) under
     * a new name.
     */
    public record Plan(List<FolderInfo> create, List<Updated> update, List<String> destroyIds, List<Updated> rename) {
        public Plan(List<FolderInfo> create, List<Updated> update, List<String> destroyIds) {
            this(create, update, destroyIds, List.of());
        }

        /** Whether the mirror's folder list stays as it is. */
        public boolean isEmpty() {
            return create.isEmpty() && update.isEmpty() && destroyIds.isEmpty() && rename.isEmpty();
        }

        /** The new folders whose UIDVALIDITY would tell whether they are renamed mirror folders. */
        public List<FolderInfo> renameCandidates(List<MirrorFolderRef> mirror) {
            Set<String> gone = Set.copyOf(destroyIds);
            boolean anyGoneWithUidValidity =
                    mirror.stream().anyMatch(m -> gone.contains(m.id()) && m.uidValidity() != null);
            return anyGoneWithUidValidity
                    ? create.stream().filter(FolderInfo::selectable).toList()
                    : List.of();
        }
    }

    /** A folder whose attributes (delimiter, special use) changed on the server, or its name. */
    public record Updated(String id, FolderInfo info) {}

    public static Plan plan(List<MirrorFolderRef> mirror, List<FolderInfo> server) {
        return plan(mirror, server, Map.of());
    }

    /**
     * As {@link #plan(List, List)}, and with the UIDVALIDITY of new folders ({@code uidValidityOfNew}, by
     * name): a folder gone from the mirror's name and a new folder with the same UIDVALIDITY are one folder
     * renamed (RFC 3501 §6.3.5: a server keeps UIDVALIDITY across RENAME; RFC 9051 §6.3.6 likewise), when
     * that value pairs exactly one gone folder with exactly one new one. Anything else stays delete +
     * create, which is always safe: devices get the messages again under new ids.
     */
    public static Plan plan(List<MirrorFolderRef> mirror, List<FolderInfo> server, Map<String, Long> uidValidityOfNew) {
        Map<String, MirrorFolderRef> byName =
                mirror.stream().collect(Collectors.toMap(MirrorFolderRef::name, Function.identity()));
        Set<String> onServer = server.stream().map(FolderInfo::name).collect(Collectors.toSet());
        List<FolderInfo> create = new ArrayList<>();
        List<Updated> update = new ArrayList<>();
        for (FolderInfo f : server) {
            MirrorFolderRef m = byName.get(f.name());
            if (m == null) {
                create.add(f);
            } else if (!java.util.Objects.equals(m.delimiter(), f.delimiter())
                    || !java.util.Objects.equals(m.specialUse(), f.specialUse())) {
                update.add(new Updated(m.id(), f));
            }
        }
        List<MirrorFolderRef> gone =
                mirror.stream().filter(m -> !onServer.contains(m.name())).toList();
        List<Updated> rename = new ArrayList<>();
        if (!uidValidityOfNew.isEmpty()) {
            Map<Long, List<MirrorFolderRef>> goneByUv = gone.stream()
                    .filter(m -> m.uidValidity() != null)
                    .collect(Collectors.groupingBy(MirrorFolderRef::uidValidity));
            Map<Long, List<FolderInfo>> newByUv = create.stream()
                    .filter(f -> uidValidityOfNew.get(f.name()) != null)
                    .collect(Collectors.groupingBy(f -> uidValidityOfNew.get(f.name())));
            for (Map.Entry<Long, List<FolderInfo>> e : newByUv.entrySet()) {
                List<MirrorFolderRef> old = goneByUv.getOrDefault(e.getKey(), List.of());
                if (old.size() == 1 && e.getValue().size() == 1) {
                    rename.add(new Updated(old.get(0).id(), e.getValue().get(0)));
                }
            }
        }
        Set<String> renamedIds = rename.stream().map(Updated::id).collect(Collectors.toSet());
        Set<String> renamedTo = rename.stream().map(r -> r.info().name()).collect(Collectors.toSet());
        create.removeIf(f -> renamedTo.contains(f.name()));
        rename.sort(java.util.Comparator.comparing(r -> r.info().name()));
        List<String> destroy = gone.stream()
                .map(MirrorFolderRef::id)
                .filter(id -> !renamedIds.contains(id))
                .toList();
        return new Plan(List.copyOf(create), List.copyOf(update), destroy, List.copyOf(rename));
    }

    /**
     * Which folders a refresh must scan: the folders any device of the account wants (a device without a
     * folder list wants all), among those the server lets us select.
     */
    public static List<FolderInfo> toRefresh(List<FolderInfo> server, List<DeviceView> views) {
        boolean all = views.isEmpty() || views.stream().anyMatch(v -> v.folders() == null);
        Set<String> wanted = all
                ? Set.of()
                : views.stream().flatMap(v -> v.folders().stream()).collect(Collectors.toSet());
        return server.stream()
                .filter(FolderInfo::selectable)
                .filter(f -> all || wanted.contains(f.name()))
                .toList();
    }
}
