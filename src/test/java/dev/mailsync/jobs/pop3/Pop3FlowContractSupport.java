package dev.mailsync.jobs.pop3;

import static dev.mailsync.support.Api.as;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailsync.support.Api;
import dev.mailsync.support.Sync;
import io.restassured.path.json.JsonPath;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;

/** API steps of the POP3 tests: create a POP3 account, sync, acknowledge, read bodies and the account. */
abstract class Pop3FlowContractSupport {
    protected String subject;

    @BeforeEach
    void newSubject() {
        subject = Api.newSubject();
    }

    protected String account(String host, int port, String user, String password, String policy, Integer days) {
        return account(host, port, user, password, policy, days, false);
    }

    protected String account(
            String host,
            int port,
            String user,
            String password,
            String policy,
            Integer days,
            boolean deleteOnDeviceDelete) {
        return account(host, port, "NONE", user, password, policy, days, deleteOnDeviceDelete);
    }

    /** An account with that {@code security} (TLS, STARTTLS or NONE). */
    protected String account(
            String host,
            int port,
            String security,
            String user,
            String password,
            String policy,
            Integer days,
            boolean deleteOnDeviceDelete) {
        Map<String, Object> retention = new HashMap<>();
        retention.put("policy", policy);
        if (days != null) {
            retention.put("days", days);
        }
        return Api.createAccount(
                subject,
                Map.of(
                        "protocol", "POP3",
                        "host", host,
                        "port", port,
                        "security", security,
                        "username", user,
                        "password", password,
                        "pop3Retention", retention,
                        "deleteOnServerWhenDeletedOnDevice", deleteOnDeviceDelete));
    }

    protected JsonPath sync(String account, String device) {
        JsonPath job = Sync.run(subject, account, device);
        assertThat(job.getString("status")).as(job.prettify()).isEqualTo("SUCCEEDED");
        return job;
    }

    protected void ack(String account, String device, String state) {
        as(subject)
                .body(Map.of("state", state))
                .post("/v1/accounts/{a}/devices/{d}/ack", account, device)
                .then()
                .statusCode(204);
    }

    protected JsonPath message(String account, String messageId) {
        return as(subject)
                .get("/v1/accounts/{a}/messages/{m}", account, messageId)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    protected String raw(String account, String messageId) {
        return as(subject)
                .get("/v1/accounts/{a}/messages/{m}/raw", account, messageId)
                .then()
                .statusCode(200)
                .extract()
                .asString();
    }

    protected JsonPath accountView(String account) {
        return as(subject)
                .get("/v1/accounts/{a}", account)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }
}
