package dev.mailsync.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Rows sent with {@code COPY table (columns) FROM STDIN (FORMAT binary)} on the caller's connection, so
 * they belong to its transaction. Field by field in PostgreSQL's binary COPY format, buffered in
 * {@value #BUFFER} bytes; a large value can be streamed without holding it whole. Rows go to the server
 * as the buffer fills; nothing is visible to others before the transaction commits, and an error
 * (thrown here or by the server at {@link #finish()}) fails the transaction.
 */
final class BinaryCopy implements AutoCloseable {
    static final int BUFFER = 64 * 1024;
    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0};
    /** Seconds from the Unix epoch to PostgreSQL's, 2000-01-01T00:00:00Z. */
    private static final long PG_EPOCH_SECONDS = 946_684_800L;

    private static final int TEXT_OID = 25;

    private final CopyIn in;
    private final byte[] buf = new byte[BUFFER];
    private int pos;
    private boolean done;

    private BinaryCopy(CopyIn in) throws SQLException {
        this.in = in;
        put(SIGNATURE, 0, SIGNATURE.length);
        int32(0); // flags
        int32(0); // header extension length
    }

    /** Starts {@code COPY <target> FROM STDIN (FORMAT binary)}; target is "table (col, ...)". */
    static BinaryCopy start(Connection c, String target) throws SQLException {
        CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + target + " FROM STDIN (FORMAT binary)");
        return new BinaryCopy(in);
    }

    BinaryCopy row(int fields) throws SQLException {
        int16(fields);
        return this;
    }

    BinaryCopy nul() throws SQLException {
        int32(-1);
        return this;
    }

    BinaryCopy text(String s) throws SQLException {
        if (s == null) {
            return nul();
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        int32(b.length);
        put(b, 0, b.length);
        return this;
    }

    /** jsonb's binary form: a version byte (1), then the JSON text. */
    BinaryCopy jsonb(String json) throws SQLException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        int32(b.length + 1);
        ensure(1);
        buf[pos++] = 1;
        put(b, 0, b.length);
        return this;
    }

    BinaryCopy int8(long v) throws SQLException {
        int32(8);
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buf[pos++] = (byte) (v >>> shift);
        }
        return this;
    }

    BinaryCopy bool(boolean v) throws SQLException {
        int32(1);
        ensure(1);
        buf[pos++] = (byte) (v ? 1 : 0);
        return this;
    }

    /** timestamptz: microseconds since 2000-01-01 UTC, rounded to the nearest as PostgreSQL does. */
    BinaryCopy timestamptz(Instant t) throws SQLException {
        if (t == null) {
            return nul();
        }
        long micros =
                Math.multiplyExact(t.getEpochSecond() - PG_EPOCH_SECONDS, 1_000_000L) + (t.getNano() + 500) / 1000;
        return int8(micros);
    }

    /** An empty text[] ('{}'): no dimensions, no nulls, element type text. */
    BinaryCopy emptyTextArray() throws SQLException {
        int32(12);
        int32(0);
        int32(0);
        int32(TEXT_OID);
        return this;
    }

    /** A one-dimensional text[] without nulls ('{}' when empty). */
    BinaryCopy textArray(java.util.Collection<String> values) throws SQLException {
        if (values.isEmpty()) {
            return emptyTextArray();
        }
        byte[][] elements = new byte[values.size()][];
        int length = 20;
        int i = 0;
        for (String v : values) {
            elements[i] = v.getBytes(StandardCharsets.UTF_8);
            length += 4 + elements[i].length;
            i++;
        }
        int32(length);
        int32(1); // dimensions
        int32(0); // no nulls
        int32(TEXT_OID);
        int32(elements.length);
        int32(1); // lower bound
        for (byte[] e : elements) {
            int32(e.length);
            put(e, 0, e.length);
        }
        return this;
    }

    BinaryCopy bytea(byte[] b, int off, int len) throws SQLException {
        int32(len);
        put(b, off, len);
        return this;
    }

    /** A bytea of exactly {@code length} bytes read from {@code data}, streamed (never held whole). */
    BinaryCopy bytea(InputStream data, long length) throws SQLException, IOException {
        if (length > Integer.MAX_VALUE) {
            throw new SQLException("a value of " + length + " bytes is too large for one bytea");
        }
        int32((int) length);
        long left = length;
        while (left > 0) {
            if (pos == buf.length) {
                flush();
            }
            int n = data.read(buf, pos, (int) Math.min(buf.length - pos, left));
            if (n < 0) {
                throw new IOException("the content ended " + left + " bytes early");
            }
            pos += n;
            left -= n;
        }
        return this;
    }

    /** Ends the COPY; the server checks and inserts what is still buffered, and reports any error here. */
    long finish() throws SQLException {
        int16(-1);
        flush();
        done = true;
        return in.endCopy();
    }

    /** Abandons an unfinished COPY (the transaction then fails and rolls back). */
    @Override
    public void close() throws SQLException {
        if (!done && in.isActive()) {
            done = true;
            in.cancelCopy();
        }
    }

    private void int16(int v) throws SQLException {
        ensure(2);
        buf[pos++] = (byte) (v >>> 8);
        buf[pos++] = (byte) v;
    }

    private void int32(int v) throws SQLException {
        ensure(4);
        buf[pos++] = (byte) (v >>> 24);
        buf[pos++] = (byte) (v >>> 16);
        buf[pos++] = (byte) (v >>> 8);
        buf[pos++] = (byte) v;
    }

    private void put(byte[] b, int off, int len) throws SQLException {
        if (len > buf.length - pos) {
            flush();
            if (len > buf.length) {
                in.writeToCopy(b, off, len);
                return;
            }
        }
        System.arraycopy(b, off, buf, pos, len);
        pos += len;
    }

    private void ensure(int n) throws SQLException {
        if (buf.length - pos < n) {
            flush();
        }
    }

    private void flush() throws SQLException {
        if (pos > 0) {
            in.writeToCopy(buf, 0, pos);
            pos = 0;
        }
    }
}
