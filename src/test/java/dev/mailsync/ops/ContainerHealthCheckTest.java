package dev.mailsync.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * deploy/HealthCheck.java, the program the image's HEALTHCHECK runs, against the running service: healthy
 * when /q/health/live answers 200, unhealthy when nothing listens or the answer is not 200.
 */
@QuarkusTest
class ContainerHealthCheckTest {
    @TestHTTPResource("/q/health/live")
    URL live;

    @TestHTTPResource("/q/health/no-such-check")
    URL missing;

    @Test
    void the_health_check_passes_while_the_service_is_live() throws Exception {
        assertThat(run(live.toString())).isZero();
    }

    @Test
    void the_health_check_fails_when_nothing_answers_or_the_answer_is_not_200() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        assertThat(run("http://127.0.0.1:" + closed + "/q/health/live")).isEqualTo(1);
        assertThat(run(missing.toString())).isEqualTo(1);
    }

    /** Runs the health check as the image does (the JDK's source launcher stands in for its javac step). */
    private static int run(String url) throws Exception {
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx16m",
                        Path.of("deploy", "HealthCheck.java").toString(),
                        url)
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as(out).isTrue();
        return p.exitValue();
    }
}
