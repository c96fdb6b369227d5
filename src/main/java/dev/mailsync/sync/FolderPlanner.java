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

    /** A live folder of the mirror. */
    public record MirrorFolderRef(String id, String name, String delimiter, String specialUse) {}

    public record Plan(List<FolderInfo> create, List<Updated> update, List<String> destroyIds) {}

    /** A folder whose attributes (delimiter, special use) changed on the server. */
    public record Updated(String id, FolderInfo info) {}

    public static Plan plan(List<MirrorFolderRef> mirror, List<FolderInfo> server) {
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
        List<String> destroy = mirror.stream()
                .filter(m -> !onServer.contains(m.name()))
                .map(MirrorFolderRef::id)
                .toList();
        return new Plan(List.copyOf(create), List.copyOf(update), destroy);
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
