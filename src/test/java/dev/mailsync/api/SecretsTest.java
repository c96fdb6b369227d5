package dev.mailsync.api;

import static dev.mailsync.support.Api.as;
import static dev.mailsync.support.Api.newSubject;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

import dev.mailsync.support.FreePorts;
import dev.mailsync.testsupport.TestLog;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The mail password is encrypted in the table, and appears in no response and no log line. */
@QuarkusTest
class SecretsTest {
    private static final String PASSWORD = "Sup3r-S3cret-" + System.nanoTime();

    @Inject
    AgroalDataSource dataSource;

    @Test
    void the_password_is_stored_encrypted_and_never_returned_nor_logged() throws Exception {
        String alice = newSubject();
        String body = as(alice)
                .body(Map.of(
                        "protocol", "IMAP",
                        "host", "127.0.0.1",
                        "port", FreePorts.closed(),
                        "security", "NONE",
                        "username", "alice",
                        "password", PASSWORD))
                .post("/v1/accounts")
                .then()
                .statusCode(201)
                .extract()
                .asString();
        assertThat(body).doesNotContain(PASSWORD);
        String id = io.restassured.path.json.JsonPath.from(body).getString("id");

        // A failing verify and a PATCH go through the paths that read and re-seal the password.
        as(alice).post("/v1/accounts/{id}/verify", id).then().statusCode(502).body(not(containsString(PASSWORD)));
        as(alice)
                .body(Map.of("password", PASSWORD + "-2"))
                .patch("/v1/accounts/{id}", id)
                .then()
                .statusCode(200);
        as(alice).get("/v1/accounts/{id}", id).then().body(not(containsString(PASSWORD)));

        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "SELECT password_ciphertext, password_key_id, t.*::text AS whole_row FROM account t WHERE id = ?")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                assertThat(r.next()).isTrue();
                byte[] sealed = r.getBytes("password_ciphertext");
                assertThat(r.getString("password_key_id")).isEqualTo("test");
                // nonce (12) + ciphertext (length of the password) + tag (16)
                assertThat(sealed).hasSize(12 + (PASSWORD + "-2").length() + 16);
                String hex = HexFormat.of().formatHex(sealed);
                assertThat(hex).doesNotContain(HexFormat.of().formatHex(PASSWORD.getBytes(StandardCharsets.UTF_8)));
                assertThat(r.getString("whole_row")).doesNotContain(PASSWORD);
            }
        }

        String log = TestLog.read();
        assertThat(log).contains(id); // the log is the right one and has this account's lines
        assertThat(log).doesNotContain(PASSWORD);
    }
}
