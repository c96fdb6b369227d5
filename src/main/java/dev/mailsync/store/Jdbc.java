package dev.mailsync.store;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;

/** Small JDBC helpers shared by the stores that need SQL Hibernate does not write well. */
final class Jdbc {
    private Jdbc() {}

    /**
     * The first column of the first row a query answers, as text, if there is a row (and the value is not
     * NULL): one short statement on a connection of its own. Parameters are bound in order.
     */
    static Optional<String> firstString(DataSource dataSource, String sql, Object... params) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.ofNullable(r.getString(1)) : Optional.empty();
            }
        }
    }

    static Timestamp ts(Instant t) {
        return t == null ? null : Timestamp.from(t);
    }

    static Instant instant(ResultSet r, String column) throws SQLException {
        Timestamp t = r.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    static Long nullableLong(ResultSet r, String column) throws SQLException {
        long v = r.getLong(column);
        return r.wasNull() ? null : v;
    }

    static Array textArray(Connection c, Set<String> values) throws SQLException {
        return c.createArrayOf("text", new TreeSet<>(values).toArray());
    }

    static Set<String> stringSet(ResultSet r, String column) throws SQLException {
        Array a = r.getArray(column);
        return a == null ? Set.of() : Set.copyOf(Arrays.asList((String[]) a.getArray()));
    }

    static void setNullableLong(PreparedStatement s, int index, Long value) throws SQLException {
        if (value == null) {
            s.setNull(index, java.sql.Types.BIGINT);
        } else {
            s.setLong(index, value);
        }
    }

    /**
     * Takes {@code count} numbers of the account's change sequence and returns the first. The UPDATE
     * locks the account row until commit, so one account's changes commit in sequence order and a
     * reader that saw change N has every change before N.
     */
    static long allocateSeq(Connection c, String accountId, int count) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "UPDATE account SET change_seq = change_seq + ? WHERE id = ? RETURNING change_seq")) {
            s.setInt(1, count);
            s.setString(2, accountId);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    throw new IllegalStateException("account " + accountId + " is gone");
                }
                return r.getLong(1) - count + 1;
            }
        }
    }
}
