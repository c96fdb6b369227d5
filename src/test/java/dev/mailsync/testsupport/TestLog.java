package dev.mailsync.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The test profile's log file ({@code target/mailsync-test.log}, see application.properties) with the files
 * it was rotated into. One run of the suite writes more than a file holds (10 MB), so the line a test
 * looks for may have moved to {@code mailsync-test.log.1} between its write and the test's read: this reads
 * the current file first, then the rotated ones from the newest, so a rotation in the middle of the read
 * moves lines only into files still to be read.
 */
public final class TestLog {
    private static final Path FILE = Path.of("target", "mailsync-test.log");
    /** Quarkus keeps this many rotated files by default. */
    private static final int BACKUPS = 5;

    private TestLog() {}

    /** Everything the log files hold now. */
    public static String read() {
        StringBuilder all = new StringBuilder();
        try {
            for (int i = 0; i <= BACKUPS; i++) {
                Path file = i == 0 ? FILE : Path.of(FILE + "." + i);
                if (Files.exists(file)) {
                    all.append(Files.readString(file)).append('\n');
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return all.toString();
    }
}
