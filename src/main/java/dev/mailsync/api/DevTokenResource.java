package dev.mailsync.api;

import dev.mailsync.config.MailsyncConfig;
import dev.mailsync.demo.DemoMailServer;
import io.quarkus.arc.properties.IfBuildProperty;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.jwt.build.Jwt;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Dev mode only ({@code mailsync.dev.enabled}, a build-time setting only {@code %dev} turns on; not in the
 * production build): mints a bearer token signed with the dev key, so a newcomer can call the API at
 * once. {@code GET /dev/token?sub=alice&admin=true}.
 */
@IfBuildProperty(name = "mailsync.dev.enabled", stringValue = "true")
@Path("/dev/token")
public class DevTokenResource {
    private static final Logger LOG = Logger.getLogger(DevTokenResource.class);

    private final String issuer;
    private final int port;
    private final MailsyncConfig config;
    private final DemoMailServer demo;

    @Inject
    DevTokenResource(
            @ConfigProperty(name = "mp.jwt.verify.issuer") String issuer,
            @ConfigProperty(name = "quarkus.http.port") int port,
            MailsyncConfig config,
            DemoMailServer demo) {
        this.issuer = issuer;
        this.port = port;
        this.config = config;
        this.demo = demo;
    }

    @GET
    @Produces(MediaType.TEXT_PLAIN)
    public String token(@QueryParam("sub") @DefaultValue("alice") String subject, @QueryParam("admin") boolean admin) {
        return Jwt.issuer(issuer)
                .subject(subject)
                .groups(admin ? Set.of("user", "admin") : Set.of("user"))
                .expiresIn(Duration.ofHours(12))
                .sign();
    }

    /** The dev banner: where the demo mail server listens, and the README's first calls. */
    void banner(@Observes StartupEvent event) {
        String owner = config.dev().demo().owner();
        String demoServer = demo.ports()
                .map(p -> String.format(
                        "  Demo mail server (GreenMail, loopback): IMAP %d, POP3 %d, SMTP %d; users %s/%s (IMAP) and"
                                + " %s/%s (POP3).%n  Its accounts \"Demo IMAP\" and \"Demo POP3\" belong to %s.%n",
                        p.imap(),
                        p.pop3(),
                        p.smtp(),
                        DemoMailServer.IMAP_USER,
                        DemoMailServer.IMAP_PASSWORD,
                        DemoMailServer.POP3_USER,
                        DemoMailServer.POP3_PASSWORD,
                        owner))
                .orElse("  The demo mail server is off (mailsync.dev.demo.start=false).%n");
        LOG.infof(
                "%n  mailsync dev mode.%n" + demoServer
                        + "  First calls (README.md, \"First calls\": a sync, its changes, a flag written back, new mail,"
                        + " POP3 retention):%n"
                        + "    API=http://localhost:%1$d%n"
                        + "    TOKEN=$(curl -s \"$API/dev/token?sub=%2$s\")%n"
                        + "    api() { curl -sS --fail-with-body -H \"Authorization: Bearer $TOKEN\""
                        + " -H 'Content-Type: application/json' \"$@\"; }%n"
                        + "    eval \"$(curl -s \"$API/dev/demo\")\"%n"
                        + "    api \"$API/v1/accounts\" | jq '.items[] | {id, name, protocol, port, deviceCount}'%n"
                        + "  Contract: http://localhost:%1$d/q/openapi  Health: http://localhost:%1$d/q/health%n",
                port,
                owner);
    }
}
