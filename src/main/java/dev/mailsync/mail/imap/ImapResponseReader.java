package dev.mailsync.mail.imap;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Frames IMAP responses (a line, and for each line that ends in a literal {@code {n}} or {@code ~{n}} the n
 * bytes and the rest of the response) from a {@code mark}-capable stream, in bulk reads rather than byte
 * by byte. The stream is the one Angus reads its responses from: before every bulk read the stream is
 * marked, and {@link #release()} moves it back to just after the last response taken, so that bytes read
 * ahead are not lost to Angus.
 *
 * <p>Memory is bounded: a response longer than {@value #MAX_RESPONSE} bytes is read to its end but only
 * its beginning is kept, and it is reported as {@link #oversized()}.
 */
final class ImapResponseReader {
    /** The longest response kept whole; a summary response is about a kilobyte. */
    static final int MAX_RESPONSE = 16 << 20;

    private static final int TAIL = 32;

    private final InputStream in;
    private final byte[] buf;
    private final int maxResponse;
    private int pos;
    private int lim;
    private boolean marked;

    private byte[] response = new byte[16 * 1024];
    private int length;
    private boolean oversized;
    /** The last bytes of the current line once oversized, to find a literal at its end. */
    private final byte[] tail = new byte[TAIL];

    private int tailLength;
    private int segmentStart;

    ImapResponseReader(InputStream in) {
        this(in, 32 * 1024, MAX_RESPONSE);
    }

    ImapResponseReader(InputStream in, int bufferSize, int maxResponse) {
        if (!in.markSupported()) {
            throw new IllegalArgumentException("the stream does not support mark");
        }
        this.in = in;
        this.buf = new byte[bufferSize];
        this.maxResponse = maxResponse;
    }

    /** The bytes of the response read last, its final CRLF included; valid up to the next {@link #next}. */
    byte[] bytes() {
        return response;
    }

    /** How many bytes of {@link #bytes()} are the response (all of it, unless {@link #oversized()}). */
    int length() {
        return length;
    }

    /** {@link #length()} without the line end (CRLF, or a bare LF). */
    int lengthWithoutLineEnd() {
        int n = length;
        if (n > 0 && response[n - 1] == '\n') {
            n--;
            if (n > 0 && response[n - 1] == '\r') {
                n--;
            }
        }
        return n;
    }

    /** Whether the last response was longer than the limit (only its beginning was kept). */
    boolean oversized() {
        return oversized;
    }

    /**
     * Reads the next response.
     *
     * @throws EOFException if the stream ends before the response does
     */
    void next() throws IOException {
        length = 0;
        oversized = false;
        while (true) {
            segmentStart = length;
            tailLength = 0;
            readLine();
            long literal = oversized ? literalAtEnd(tail, 0, tailLength) : literalAtEnd(response, segmentStart, length);
            if (literal < 0) {
                return;
            }
            copy(literal);
        }
    }

    /**
     * Gives back to the stream what was read beyond the last response: the stream continues right after
     * it. Call once, after the last response of a command.
     */
    void release() throws IOException {
        if (marked && pos < lim) {
            in.reset();
            long toSkip = pos;
            while (toSkip > 0) {
                long skipped = in.skip(toSkip);
                if (skipped <= 0) {
                    throw new IOException("cannot give back bytes read ahead");
                }
                toSkip -= skipped;
            }
        }
        if (marked) {
            in.mark(0);
        }
        pos = lim;
        marked = false;
    }

    private void readLine() throws IOException {
        while (true) {
            if (pos == lim) {
                fill();
            }
            int k = pos;
            while (k < lim && buf[k] != '\n') {
                k++;
            }
            if (k < lim) {
                append(pos, k + 1 - pos);
                pos = k + 1;
                return;
            }
            append(pos, lim - pos);
            pos = lim;
        }
    }

    private void copy(long n) throws IOException {
        while (n > 0) {
            if (pos == lim) {
                fill();
            }
            int c = (int) Math.min(n, lim - pos);
            append(pos, c);
            pos += c;
            n -= c;
        }
        tailLength = 0;
    }

    private void fill() throws IOException {
        in.mark(buf.length);
        marked = true;
        pos = 0;
        lim = 0;
        int n = in.read(buf, 0, buf.length);
        if (n <= 0) {
            throw new EOFException("the IMAP server closed the connection");
        }
        lim = n;
    }

    private void append(int from, int count) {
        if (!oversized && length + count <= maxResponse) {
            if (length + count > response.length) {
                response =
                        Arrays.copyOf(response, Math.min(maxResponse, Math.max(length + count, response.length * 2)));
            }
            System.arraycopy(buf, from, response, length, count);
            length += count;
            return;
        }
        if (!oversized) {
            oversized = true;
            // The tail so far: the current line's bytes that were kept.
            int keep = Math.min(TAIL, length - segmentStart);
            System.arraycopy(response, length - keep, tail, 0, keep);
            tailLength = keep;
        }
        int take = Math.min(TAIL, count);
        int keep = Math.min(TAIL - take, tailLength);
        System.arraycopy(tail, tailLength - keep, tail, 0, keep);
        System.arraycopy(buf, from + count - take, tail, keep, take);
        tailLength = keep + take;
    }

    /** The n of a literal announced at the end of the line in {@code b[from, to)} ({@code ...{n}CRLF}), else -1. */
    static long literalAtEnd(byte[] b, int from, int to) throws IOException {
        int e = to;
        if (e > from && b[e - 1] == '\n') {
            e--;
        }
        if (e > from && b[e - 1] == '\r') {
            e--;
        }
        if (e <= from || b[e - 1] != '}') {
            return -1;
        }
        int k = e - 2;
        if (k >= from && b[k] == '+') {
            k--;
        }
        int digitsEnd = k + 1;
        while (k >= from && b[k] >= '0' && b[k] <= '9') {
            k--;
        }
        if (k < from || b[k] != '{' || k + 1 == digitsEnd) {
            return -1;
        }
        if (digitsEnd - (k + 1) > 12) {
            throw new IOException("an implausible literal length from the IMAP server");
        }
        long n = 0;
        for (int d = k + 1; d < digitsEnd; d++) {
            n = n * 10 + (b[d] - '0');
        }
        return n;
    }
}
