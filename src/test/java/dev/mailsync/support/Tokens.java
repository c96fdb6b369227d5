package dev.mailsync.support;

import io.smallrye.jwt.build.Jwt;
import java.util.Set;

/** Bearer tokens signed with the test key (application.properties, %test profile). */
public final class Tokens {
    public static final String ISSUER = "https://mailsync.local/issuer";

    private Tokens() {}

    public static String user(String subject) {
        return Jwt.issuer(ISSUER).subject(subject).groups(Set.of("user")).sign();
    }

    public static String admin(String subject) {
        return Jwt.issuer(ISSUER)
                .subject(subject)
                .groups(Set.of("user", "admin"))
                .sign();
    }
}
