package dev.mailsync.jobs;

import static dev.mailsync.support.Api.createAccount;
import static dev.mailsync.support.Api.createDevice;
import static dev.mailsync.support.Api.newSubject;
import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import com.sun.net.httpserver.HttpServer;
import dev.mailsync.support.Sync;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Tracing is available by configuration: with the OpenTelemetry SDK switched on and an OTLP endpoint set,
 * a sync job's span (with its ids) reaches the collector. Off by default (other tests run without it).
 */
@QuarkusTest
@TestProfile(TracingTest.TracingOn.class)
class TracingTest {
    /** A stand-in OTLP/HTTP collector: it keeps every export request's body. */
    static final HttpServer COLLECTOR;

    static final CopyOnWriteArrayList<byte[]> EXPORTS = new CopyOnWriteArrayList<>();

    static {
        try {
            COLLECTOR = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        COLLECTOR.createContext("/v1/traces", exchange -> {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            exchange.getRequestBody().transferTo(body);
            EXPORTS.add(body.toByteArray());
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        COLLECTOR.start();
    }

    public static class TracingOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "quarkus.otel.sdk.disabled", "false",
                    "quarkus.otel.exporter.otlp.traces.protocol", "http/protobuf",
                    "quarkus.otel.exporter.otlp.traces.endpoint",
                            "http://127.0.0.1:" + COLLECTOR.getAddress().getPort(),
                    "quarkus.otel.bsp.schedule.delay", "200ms");
        }
    }

    @RegisterExtension
    static final GreenMailExtension greenMail = new GreenMailExtension(
                    ServerSetup.dynamicPort(ServerSetupTest.SMTP_POP3_IMAP))
            .withPerMethodLifecycle(false);

    @Test
    void a_sync_job_is_exported_as_a_span_with_its_ids() throws Exception {
        String user = "tr" + UUID.randomUUID().toString().substring(0, 8);
        greenMail.setUser(user + "@example.com", user, "pw");
        String owner = newSubject();
        String account = createAccount(
                owner,
                Map.of(
                        "protocol", "IMAP",
                        "host", "127.0.0.1",
                        "port", greenMail.getImap().getPort(),
                        "security", "NONE",
                        "username", user,
                        "password", "pw"));
        String device = createDevice(owner, account, "phone");
        var job = Sync.run(owner, account, device);
        String jobId = job.getString("id");

        long deadline = System.nanoTime() + 15_000_000_000L;
        boolean seen = false;
        while (!seen && System.nanoTime() < deadline) {
            seen = EXPORTS.stream()
                    .map(b -> new String(b, StandardCharsets.ISO_8859_1))
                    .anyMatch(s -> s.contains("mailsync.sync.job") && s.contains(jobId) && s.contains(account));
            if (!seen) {
                Thread.sleep(200);
            }
        }
        assertThat(seen)
                .as("a span named mailsync.sync.job carrying job %s reached the collector", jobId)
                .isTrue();
    }
}
