package dev.mailsync.api;

import static dev.mailsync.support.Api.as;
import static dev.mailsync.support.Api.createAccount;
import static dev.mailsync.support.Api.newSubject;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.mailsync.testsupport.Dovecot;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code POST /v1/accounts/{id}/verify} against GreenMail (in-JVM) and a real Dovecot. */
@QuarkusTest
class VerifyAccountTest {

    @RegisterExtension
    static final GreenMailExtension greenMail =
            new GreenMailExtension(ServerSetup.dynamicPort(ServerSetupTest.SMTP_POP3_IMAP));

    private final String alice = newSubject();

    @BeforeEach
    void user() {
        greenMail.setUser("alice@example.test", "alice", "right-password");
    }

    private static Map<String, Object> account(String protocol, int port, String password) {
        return Map.of(
                "protocol",
                protocol,
                "host",
                "127.0.0.1",
                "port",
                port,
                "security",
                "NONE",
                "username",
                "alice",
                "password",
                password);
    }

    @Test
    void an_imap_login_answers_the_capabilities() {
        String id = createAccount(alice, account("IMAP", greenMail.getImap().getPort(), "right-password"));
        as(alice)
                .post("/v1/accounts/{id}/verify", id)
                .then()
                .statusCode(200)
                .body("protocol", equalTo("IMAP"))
                .body("capabilities", hasItem("IMAP4REV1"))
                .body("verifiedAt", notNullValue());
        as(alice).get("/v1/accounts/{id}", id).then().body("lastError", nullValue());
    }

    @Test
    void a_pop3_login_answers_the_capa_list() {
        String id = createAccount(alice, account("POP3", greenMail.getPop3().getPort(), "right-password"));
        as(alice)
                .post("/v1/accounts/{id}/verify", id)
                .then()
                .statusCode(200)
                .body("protocol", equalTo("POP3"))
                .body("capabilities", hasItem("UIDL"));
    }

    @Test
    void a_wrong_imap_password_is_auth_failed_and_recorded() {
        String id = createAccount(alice, account("IMAP", greenMail.getImap().getPort(), "wrong-password"));
        as(alice)
                .post("/v1/accounts/{id}/verify", id)
                .then()
                .statusCode(502)
                .contentType("application/problem+json")
                .body("code", equalTo("AUTH_FAILED"))
                .body("type", equalTo("urn:mailsync:problem:auth-failed"));
        as(alice).get("/v1/accounts/{id}", id).then().body("lastError.code", equalTo("AUTH_FAILED"));
    }

    @Test
    void a_wrong_pop3_password_is_auth_failed_and_a_good_verify_clears_it() {
        String id = createAccount(alice, account("POP3", greenMail.getPop3().getPort(), "wrong-password"));
        as(alice).post("/v1/accounts/{id}/verify", id).then().statusCode(502).body("code", equalTo("AUTH_FAILED"));

        as(alice)
                .body(Map.of("password", "right-password"))
                .patch("/v1/accounts/{id}", id)
                .then()
                .statusCode(200);
        as(alice).post("/v1/accounts/{id}/verify", id).then().statusCode(200);
        as(alice).get("/v1/accounts/{id}", id).then().body("lastError", nullValue());
    }

    @Test
    void implicit_tls_against_a_plaintext_port_is_tls_failed() {
        Map<String, Object> body =
                new java.util.HashMap<>(account("IMAP", greenMail.getImap().getPort(), "right-password"));
        body.put("security", "TLS");
        String id = createAccount(alice, body);
        as(alice).post("/v1/accounts/{id}/verify", id).then().statusCode(502).body("code", equalTo("TLS_FAILED"));
    }

    @Test
    void dovecot_reports_condstore_and_qresync_over_imap_and_uidl_over_pop3() {
        try (Dovecot dovecot = Dovecot.start(Dovecot.options().user("dora", "dora-password"))) {
            String imap = createAccount(
                    alice,
                    Map.of(
                            "protocol", "IMAP",
                            "host", dovecot.host(),
                            "port", dovecot.imapPort(),
                            "security", "NONE",
                            "username", "dora",
                            "password", "dora-password"));
            as(alice)
                    .post("/v1/accounts/{id}/verify", imap)
                    .then()
                    .statusCode(200)
                    .body("capabilities", hasItems("IMAP4REV1", "CONDSTORE", "QRESYNC"));

            String pop3 = createAccount(
                    alice,
                    Map.of(
                            "protocol", "POP3",
                            "host", dovecot.host(),
                            "port", dovecot.pop3Port(),
                            "security", "NONE",
                            "username", "dora",
                            "password", "wrong"));
            as(alice)
                    .post("/v1/accounts/{id}/verify", pop3)
                    .then()
                    .statusCode(502)
                    .body("code", equalTo("AUTH_FAILED"));
            as(alice)
                    .body(Map.of("password", "dora-password"))
                    .patch("/v1/accounts/{id}", pop3)
                    .then()
                    .statusCode(200);
            as(alice)
                    .post("/v1/accounts/{id}/verify", pop3)
                    .then()
                    .statusCode(200)
                    .body("capabilities", hasItem("UIDL"))
                    .body("capabilities", not(hasItem("CONDSTORE")));
        }
    }
}
