package dev.mailsync.sync;

/** UIDs {@code from} to {@code to}, both included, as an IMAP sequence set names them (RFC 3501 §9). */
public record UidRange(long from, long to) {
    public UidRange {
        if (from < 1 || to < from) {
            throw new IllegalArgumentException("not a UID range: " + from + ":" + to);
        }
    }

    public boolean contains(long uid) {
        return uid >= from && uid <= to;
    }

    /**
     * The sequence set of exactly these UIDs (ascending, distinct, positive): contiguous runs become {@code
     * a:b}, never {@code *}, so it cannot match a message that was not asked for. The counterpart of {@link
     * #parseSet}.
     */
    public static String toSet(java.util.List<Long> sortedUids) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < sortedUids.size()) {
            long start = sortedUids.get(i);
            long end = start;
            while (i + 1 < sortedUids.size() && sortedUids.get(i + 1) == end + 1) {
                end = sortedUids.get(++i);
            }
            if (!sb.isEmpty()) {
                sb.append(',');
            }
            sb.append(start);
            if (end != start) {
                sb.append(':').append(end);
            }
            i++;
        }
        return sb.toString();
    }

    /**
     * Parses a sequence set of UIDs such as {@code 3,5:7,10} (a range may be written high to low). No
     * {@code *}: a server names vanished UIDs exactly (RFC 7162 §3.2.10).
     *
     * @throws IllegalArgumentException for anything else
     */
    public static java.util.List<UidRange> parseSet(String set) {
        java.util.List<UidRange> out = new java.util.ArrayList<>();
        for (String part : set.split(",", -1)) {
            int colon = part.indexOf(':');
            try {
                if (colon < 0) {
                    long uid = Long.parseLong(part);
                    out.add(new UidRange(uid, uid));
                } else {
                    long a = Long.parseLong(part.substring(0, colon));
                    long b = Long.parseLong(part.substring(colon + 1));
                    out.add(new UidRange(Math.min(a, b), Math.max(a, b)));
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a UID set: " + set, e);
            }
        }
        return out;
    }

    public static boolean anyContains(java.util.List<UidRange> ranges, long uid) {
        for (UidRange r : ranges) {
            if (r.contains(uid)) {
                return true;
            }
        }
        return false;
    }
}
