package dev.mailsync.mail;

import dev.mailsync.sync.Protocol;
import dev.mailsync.sync.Security;
import java.util.Objects;

/**
 * Where and as whom to log in to a mail server. The password is a secret: {@link #toString()} never
 * prints it, so an endpoint may be logged.
 */
public record MailEndpoint(
        Protocol protocol, String host, int port, Security security, String username, String password) {

    public MailEndpoint {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(security, "security");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port must be between 1 and 65535, was " + port);
        }
    }

    /** {@code host:port}, with brackets around an IPv6 literal; what error messages show. */
    public String address() {
        return (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
        return "MailEndpoint[protocol=" + protocol + ", host=" + host + ", port=" + port + ", security=" + security
                + ", username=" + username + ", password=****]";
    }
}
