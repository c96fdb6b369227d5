package dev.mailsync.mail;

/**
 * Jakarta Mail looks its {@code StreamProvider} up again for every header block, encoded word and decoded
 * body ({@code StreamProvider.provider()}), and without the system property {@value #PROPERTY} that is a
 * service-loader scan of the class path each time (jakartaee/mail-api#861): most of the cost of parsing a
 * summary. {@link #pin()} names Angus Mail's provider, the implementation on the class path, so the lookup
 * is a class-name load. Set only when nobody set it, and only if that class is there.
 */
public final class StreamProviders {
    static final String PROPERTY = "jakarta.mail.util.StreamProvider";
    private static final String ANGUS = "org.eclipse.angus.mail.util.MailStreamProvider";

    private StreamProviders() {}

    /** Names Angus Mail's stream provider (idempotent; a value set by the operator wins). */
    public static void pin() {
        if (System.getProperty(PROPERTY) != null) {
            return;
        }
        try {
            Class.forName(ANGUS, false, StreamProviders.class.getClassLoader());
            System.setProperty(PROPERTY, ANGUS);
        } catch (ClassNotFoundException | LinkageError | SecurityException e) {
            // another implementation: the ordinary (slower) lookup finds it
        }
    }
}
