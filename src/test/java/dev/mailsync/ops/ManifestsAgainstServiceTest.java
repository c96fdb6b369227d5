package dev.mailsync.ops;

import static dev.mailsync.support.Api.as;
import static dev.mailsync.support.Api.createAccount;
import static dev.mailsync.support.Api.createDevice;
import static dev.mailsync.support.Api.imapAccount;
import static dev.mailsync.support.Api.newSubject;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.mailsync.support.Sync;
import dev.mailsync.sync.FailureCode;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The manifests against the running service: the probe paths of the Deployment answer, and every metric
 * and label value the prod alert rules and the Grafana dashboard query is one the service exports. Meters
 * that appear only once something happened (a failed login, a lease taken over) are made to appear first,
 * through the public API and a real mail server.
 */
@QuarkusTest
class ManifestsAgainstServiceTest {
    static final Path DASHBOARD = Path.of("deploy", "grafana", "mailsync-dashboard.json");
    /** Series Prometheus makes itself, not the service. */
    private static final Set<String> PROMETHEUS_OWN = Set.of("up");

    private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*\\{([^}]*)}");
    private static final Pattern BARE_NAME = Pattern.compile("\\b((?:mailsync|http_server|jvm|process)_[a-zA-Z0-9_]+)");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"([^\"]*)\"");

    @RegisterExtension
    static final GreenMailExtension greenMail = new GreenMailExtension(
                    ServerSetup.dynamicPort(ServerSetupTest.SMTP_POP3_IMAP))
            .withPerMethodLifecycle(false);

    @Inject
    AgroalDataSource dataSource;

    @Test
    void every_probe_path_of_the_deployment_answers_200() {
        JsonNode container = KubernetesManifestsTest.mailsyncContainer(Kustomize.render("base"));
        List<String> paths = new ArrayList<>();
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            paths.add(container.at("/" + probe + "/httpGet/path").asText());
        }
        assertThat(paths).doesNotContain("");
        for (String path : paths) {
            given().get(path).then().statusCode(200);
        }
    }

    @Test
    void every_metric_in_the_alert_rules_and_the_dashboard_is_exported_by_the_service() throws Exception {
        aSuccessfulSync();
        provokeALoginFailure();
        provokeALeaseTakeover();
        List<String> series = exportedSeries();

        JsonNode rule = KubernetesManifestsTest.only(Kustomize.render("overlays/prod"), "PrometheusRule");
        List<String> expressions = new ArrayList<>();
        KubernetesManifestsTest.stream(rule.at("/spec/groups"))
                .flatMap(g -> KubernetesManifestsTest.stream(g.get("rules")))
                .forEach(r -> expressions.add(r.get("expr").asText()));
        JsonNode dashboard = new ObjectMapper().readTree(Files.readString(DASHBOARD));
        List<String> panelExpressions = new ArrayList<>();
        dashboard.findValues("expr").forEach(e -> panelExpressions.add(e.asText()));
        assertThat(panelExpressions).as("dashboard queries").isNotEmpty();
        expressions.addAll(panelExpressions);

        List<String> problems = new ArrayList<>();
        for (String expr : expressions) {
            problems.addAll(unknownIn(expr, series));
        }
        assertThat(problems).isEmpty();
        // The checker itself notices a name or a label value the service does not export.
        assertThat(unknownIn("rate(mailsync_sync_job_failure_total[5m])", series))
                .isNotEmpty();
        assertThat(unknownIn("mailsync_sync_jobs{status=\"WAITING\"}", series)).isNotEmpty();
        assertThat(unknownIn("mailsync_sync_job_failures_total{code=~\"AUTH_FAILED|LOGIN_REFUSED\"}", series))
                .isNotEmpty();
    }

    /** Names and label values of one PromQL expression that the service does not export. */
    static List<String> unknownIn(String expr, List<String> series) {
        List<String> problems = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        Matcher m = BARE_NAME.matcher(expr);
        while (m.find()) {
            names.add(m.group(1));
        }
        Matcher s = SELECTOR.matcher(expr);
        while (s.find()) {
            String name = s.group(1);
            if (PROMETHEUS_OWN.contains(name)) {
                continue;
            }
            names.add(name);
            Matcher label = MATCHER.matcher(s.group(2));
            while (label.find()) {
                String key = label.group(1);
                String op = label.group(2);
                if (label.group(3).contains("$") || op.startsWith("!")) {
                    continue; // a dashboard variable, or a negative matcher
                }
                List<String> values =
                        op.equals("=~") ? Arrays.asList(label.group(3).split("\\|")) : List.of(label.group(3));
                for (String value : values) {
                    boolean known = key.equals("code")
                            ? Arrays.stream(FailureCode.values())
                                    .anyMatch(c -> c.name().equals(value))
                            : series.stream()
                                    .anyMatch(x -> x.startsWith(name + "{") && x.contains(key + "=\"" + value + "\""));
                    if (!known) {
                        problems.add(name + "{" + key + "=\"" + value + "\"} in: " + expr);
                    }
                }
            }
        }
        for (String name : names) {
            if (series.stream().noneMatch(x -> x.startsWith(name + "{") || x.startsWith(name + " "))) {
                problems.add(name + " is not at /q/metrics; in: " + expr);
            }
        }
        return problems;
    }

    private static List<String> exportedSeries() {
        String text = given().get("/q/metrics").then().statusCode(200).extract().asString();
        return text.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).toList();
    }

    /** A sync that works: job durations and folder refreshes. */
    private static void aSuccessfulSync() {
        greenMail.setUser("ops-ok@example.test", "ops-ok", "the-password");
        String owner = newSubject();
        String account = createAccount(
                owner,
                Map.of(
                        "protocol", "IMAP",
                        "host", "127.0.0.1",
                        "port", greenMail.getImap().getPort(),
                        "security", "NONE",
                        "username", "ops-ok",
                        "password", "the-password"));
        Sync.succeed(owner, account, createDevice(owner, account, "phone"));
    }

    /** A login the mail server refuses: the job fails at once with AUTH_FAILED. */
    private static void provokeALoginFailure() {
        greenMail.setUser("ops-locked@example.test", "ops-locked", "the-right-one");
        String owner = newSubject();
        String account = createAccount(
                owner,
                Map.of(
                        "protocol", "IMAP",
                        "host", "127.0.0.1",
                        "port", greenMail.getImap().getPort(),
                        "security", "NONE",
                        "username", "ops-locked",
                        "password", "a-wrong-one"));
        assertThat(Sync.run(owner, account, createDevice(owner, account, "phone"))
                        .getString("error.code"))
                .isEqualTo("AUTH_FAILED");
    }

    /**
     * A running job whose worker vanished: the job hangs on a server that never greets, then its lease is
     * handed to a holder that no longer exists and made to expire, as when a replica dies. Another worker
     * takes the job over.
     */
    private void provokeALeaseTakeover() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread acceptor = Thread.ofVirtual().start(() -> {
                while (!silent.isClosed()) {
                    try {
                        held.add(silent.accept());
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            String owner = newSubject();
            String account = createAccount(owner, imapAccount("127.0.0.1", silent.getLocalPort()));
            String device = createDevice(owner, account, "phone");
            String job = as(owner)
                    .post("/v1/accounts/{a}/devices/{d}/sync-jobs", account, device)
                    .then()
                    .statusCode(202)
                    .extract()
                    .path("id");
            try {
                // Whenever the job runs (its first attempt, or a retry after that attempt timed out before
                // any worker was free to take it over), its holder "vanishes" until a worker takes it over.
                await("a lease takeover of job " + job + " (mailsync_sync_lease_takeovers_total)")
                        .atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> {
                            if ("RUNNING".equals(status(owner, job))) {
                                vanishHolder(account);
                            }
                            return exportedSeries().stream()
                                    .anyMatch(l -> l.startsWith("mailsync_sync_lease_takeovers_total"));
                        });
            } finally {
                silent.close();
                acceptor.join(Duration.ofSeconds(5));
                for (Socket s : held) {
                    s.close();
                }
                cancel(owner, job);
            }
        }
    }

    /** Hands the account's lease to a replica that no longer exists and lets it expire. */
    private void vanishHolder(String account) throws Exception {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("UPDATE account_lease SET holder = 'vanished-replica',"
                        + " expires_at = now() - interval '1 second' WHERE account_id = ?")) {
            s.setString(1, account);
            s.executeUpdate();
        }
    }

    private static String status(String owner, String job) {
        return as(owner)
                .get("/v1/sync-jobs/{id}", job)
                .then()
                .statusCode(200)
                .extract()
                .path("status");
    }

    /** Cancels the job and waits until it has ended, so no retry of it outlives the test. */
    private static void cancel(String owner, String job) {
        await("job " + job + " to end after its cancel")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    as(owner).delete("/v1/sync-jobs/{id}", job);
                    String status = status(owner, job);
                    return !status.equals("QUEUED") && !status.equals("RUNNING");
                });
    }
}
