package dev.mailsync.api;

import dev.mailsync.demo.DemoMailServer;
import io.quarkus.arc.properties.IfBuildProperty;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Dev mode only (not in the production build): where the demo mail server listens, as shell variable
 * assignments, so the README's first calls can {@code eval "$(curl -s http://localhost:8080/dev/demo)"}.
 */
@IfBuildProperty(name = "mailsync.dev.enabled", stringValue = "true")
@Path("/dev/demo")
public class DevDemoResource {
    private final DemoMailServer server;

    DevDemoResource(DemoMailServer server) {
        this.server = server;
    }

    @GET
    @Produces(MediaType.TEXT_PLAIN)
    public Response ports() {
        return server.ports()
                .map(p -> Response.ok("IMAP_PORT=" + p.imap() + "\nPOP3_PORT=" + p.pop3() + "\nSMTP_PORT=" + p.smtp()
                                + "\nIMAP_USER=" + DemoMailServer.IMAP_USER + "\nIMAP_PASSWORD="
                                + DemoMailServer.IMAP_PASSWORD + "\nPOP3_USER=" + DemoMailServer.POP3_USER
                                + "\nPOP3_PASSWORD=" + DemoMailServer.POP3_PASSWORD + "\n")
                        .build())
                .orElseGet(() -> Response.status(Response.Status.NOT_FOUND)
                        .entity("the demo mail server is off (mailsync.dev.demo.start=false)\n")
                        .build());
    }
}
