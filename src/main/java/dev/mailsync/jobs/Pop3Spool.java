package dev.mailsync.jobs;

import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a message goes while it is downloaded, before it is stored: memory up to {@code threshold}
 * bytes, a temporary file beyond, so a large message is never held whole in memory. {@link #close()}
 * (or {@link #discard()}) removes the file.
 */
final class Pop3Spool extends OutputStream implements dev.mailsync.store.Pop3Store.Content {
    private final int threshold;
    private Memory memory = new Memory();
    private Path file;
    private OutputStream fileOut;
    private long size;

    Pop3Spool(int threshold) {
        this.threshold = threshold;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (fileOut == null && memory.size() + len > threshold) {
            file = Files.createTempFile("mailsync-pop3-", ".eml");
            fileOut = new BufferedOutputStream(Files.newOutputStream(file), 64 * 1024);
            memory.writeTo(fileOut);
            memory = null;
        }
        (fileOut != null ? fileOut : memory).write(b, off, len);
        size += len;
    }

    /** Ends writing. */
    void finish() throws IOException {
        if (fileOut != null) {
            fileOut.close();
        }
    }

    long size() {
        return size;
    }

    /**
     * The bytes, when the message stayed in memory: the first {@link #size()} of the array, not a copy
     * (the spool is written no more once finished); else null (read {@link #file()}).
     */
    @Override
    public byte[] buffer() {
        return memory == null ? null : memory.array();
    }

    Path file() {
        return file;
    }

    /** Bytes held in memory, the buffer's capacity (what a batch of spools costs on the heap). */
    long memoryBytes() {
        return memory == null ? 0 : memory.array().length;
    }

    @Override
    public InputStream open() throws IOException {
        return memory != null ? new ByteArrayInputStream(memory.array(), 0, memory.size()) : Files.newInputStream(file);
    }

    void discard() {
        try {
            if (fileOut != null) {
                fileOut.close();
            }
            if (file != null) {
                Files.deleteIfExists(file);
            }
        } catch (IOException ignored) {
            // a temporary file left behind is removed by the OS's temp cleaning
        }
        memory = null;
    }

    @Override
    public void close() {
        discard();
    }

    /** A growing byte buffer that lends its array instead of copying it. */
    private static final class Memory extends ByteArrayOutputStream {
        Memory() {
            super(16 * 1024);
        }

        byte[] array() {
            return buf;
        }
    }
}
