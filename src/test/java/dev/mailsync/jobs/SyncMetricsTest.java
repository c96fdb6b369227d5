package dev.mailsync.jobs;

import static dev.mailsync.support.Api.createAccount;
import static dev.mailsync.support.Api.createDevice;
import static dev.mailsync.support.Api.newSubject;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.mailsync.support.Sync;
import dev.mailsync.testsupport.ImapMailbox;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The metrics an operator watches: time per sync phase, mirror sizes and how far devices lag. */
@QuarkusTest
class SyncMetricsTest {
    @RegisterExtension
    static final GreenMailExtension greenMail = new GreenMailExtension(
                    ServerSetup.dynamicPort(ServerSetupTest.SMTP_POP3_IMAP))
            .withPerMethodLifecycle(false);

    @Inject
    Maintenance maintenance;

    /** The metric's value, or 0 when this application has not recorded it yet (no sync ran before). */
    private static double metricOrZero(String scrape, String name, String labels) {
        try {
            return metric(scrape, name, labels);
        } catch (AssertionError absent) {
            return 0;
        }
    }

    private static double metric(String scrape, String name, String labels) {
        String tags = labels.isEmpty() ? "(\\{[^}]*})?" : "\\{" + Pattern.quote(labels) + "[^}]*}";
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + tags + " ([0-9.eE+-]+)$")
                .matcher(scrape);
        double sum = 0;
        boolean found = false;
        while (m.find()) {
            sum += Double.parseDouble(m.group(m.groupCount()));
            found = true;
        }
        if (!found) {
            throw new AssertionError("no " + name + "{" + labels + "...} in the scrape");
        }
        return sum;
    }

    @Test
    void phases_mirror_sizes_and_device_lag_are_measured() {
        String user = "met" + UUID.randomUUID().toString().substring(0, 8);
        greenMail.setUser(user + "@example.com", user, "pw");
        ImapMailbox other = new ImapMailbox("127.0.0.1", greenMail.getImap().getPort(), user, "pw");
        for (int i = 0; i < 7; i++) {
            other.append("INBOX", "m" + i);
        }
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
        String phone = createDevice(owner, account, "phone");
        createDevice(owner, account, "laptop"); // never reads: behind
        String before = given().get("/q/metrics").asString();
        double connectsBefore = metricOrZero(before, "mailsync_sync_phase_duration_seconds_count", "phase=\"connect\"");

        Sync.succeed(owner, account, phone);
        Sync.allChanges(owner, account, phone, null, 500);
        maintenance.takeCensus();

        String after = given().get("/q/metrics").asString();
        assertThat(metric(after, "mailsync_sync_phase_duration_seconds_count", "phase=\"connect\""))
                .isGreaterThanOrEqualTo(connectsBefore + 1);
        for (String phase : new String[] {"write_back", "detect", "fetch", "apply"}) {
            assertThat(metric(after, "mailsync_sync_phase_duration_seconds_count", "phase=\"" + phase + "\""))
                    .as(phase)
                    .isGreaterThanOrEqualTo(1);
        }
        assertThat(metric(after, "mailsync_sync_phase_duration_seconds_sum", "phase=\"fetch\""))
                .isGreaterThan(0);
        assertThat(metric(after, "mailsync_mirror_messages", "state=\"live\"")).isGreaterThanOrEqualTo(7);
        assertThat(metric(after, "mailsync_mirror_folders", "")).isGreaterThanOrEqualTo(1);
        assertThat(metric(after, "mailsync_devices", "state=\"behind\"")).isGreaterThanOrEqualTo(1);
        assertThat(metric(after, "mailsync_devices_lag_changes_max", "")).isGreaterThanOrEqualTo(8);
    }
}
