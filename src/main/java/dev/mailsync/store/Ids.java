package dev.mailsync.store;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Opaque, unguessable resource ids with a type prefix ("acc_…", "dev_…") for readable logs. */
public final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {}

    public static String next(String prefix) {
        byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        return prefix + "_" + HexFormat.of().formatHex(bytes);
    }
}
