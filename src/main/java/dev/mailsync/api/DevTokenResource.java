package dev.mailsync.api;

import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.jwt.build.Jwt;
import jakarta.enterprise.event.Observes;
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
 * Dev mode only (not in the production build): mints a bearer token signed with the dev key, so a
 * newcomer can call the API at once. {@code GET /dev/token?sub=alice&admin=true}.
 */
@IfBuildProfile("dev")
@Path("/dev/token")
public class DevTokenResource {
    private static final Logger LOG = Logger.getLogger(DevTokenResource.class);

    @ConfigProperty(name = "mp.jwt.verify.issuer")
    String issuer;

    @ConfigProperty(name = "quarkus.http.port")
    int port;

    @GET
    @Produces(MediaType.TEXT_PLAIN)
    public String token(@QueryParam("sub") @DefaultValue("alice") String subject, @QueryParam("admin") boolean admin) {
        return Jwt.issuer(issuer)
                .subject(subject)
                .groups(admin ? Set.of("user", "admin") : Set.of("user"))
                .expiresIn(Duration.ofHours(12))
                .sign();
    }

    void banner(@Observes StartupEvent event) {
        LOG.infof(
                "%n  mailsync dev mode. Get a token and make a first call:%n"
                        + "    TOKEN=$(curl -s 'http://localhost:%1$d/dev/token?sub=alice')%n"
                        + "    curl -s -H \"Authorization: Bearer $TOKEN\" http://localhost:%1$d/v1/accounts%n"
                        + "  Contract: http://localhost:%1$d/q/openapi  Health: http://localhost:%1$d/q/health%n",
                port);
    }
}
