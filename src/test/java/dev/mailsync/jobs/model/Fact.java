package dev.mailsync.jobs.model;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * One message as the server, the mirror and every device must agree on it: its folder, its Message-ID
 * header and its flags. Lists of facts are compared sorted, so a lost message and a duplicated one both
 * show as a difference.
 */
record Fact(String folder, String messageId, SortedSet<String> flags) {
    private static final Comparator<Fact> ORDER = Comparator.comparing(Fact::folder)
            .thenComparing(Fact::messageId)
            .thenComparing(f -> f.flags().toString());

    Fact {
        flags = new TreeSet<>(flags);
    }

    static List<Fact> sorted(Collection<Fact> facts) {
        return facts.stream().sorted(ORDER).toList();
    }

    @Override
    public String toString() {
        return folder + " " + messageId + " " + flags;
    }
}
