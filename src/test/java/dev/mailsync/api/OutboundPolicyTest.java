package dev.mailsync.api;

import static dev.mailsync.support.Api.as;
import static dev.mailsync.support.Api.newSubject;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** With production outbound settings: internal addresses and plaintext are refused (SSRF guard). */
@QuarkusTest
@TestProfile(OutboundPolicyTest.ProductionOutbound.class)
class OutboundPolicyTest {

    public static class ProductionOutbound implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mailsync.outbound.allow-private", "false", "mailsync.outbound.allow-plaintext", "false");
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "127.0.0.1",
                "localhost",
                "10.1.2.3",
                "172.16.0.9",
                "192.168.1.1",
                "169.254.169.254",
                "100.64.0.1",
                "0.0.0.0",
                "::1",
                "fd00::1",
                "fe80::1",
                "::ffff:10.0.0.1"
            })
    void hosts_resolving_to_internal_addresses_are_refused(String host) {
        String alice = newSubject();
        as(alice)
                .body(Map.of("protocol", "IMAP", "host", host, "username", "u", "password", "p"))
                .post("/v1/accounts")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("host"));
        as(alice).get("/v1/accounts").then().body("items", hasSize(0));
    }

    @Test
    void a_public_address_is_accepted() {
        as(newSubject())
                .body(Map.of("protocol", "IMAP", "host", "93.184.216.34", "username", "u", "password", "p"))
                .post("/v1/accounts")
                .then()
                .statusCode(201);
    }

    @Test
    void a_patch_cannot_move_an_account_to_an_internal_address() {
        String alice = newSubject();
        String id = as(alice)
                .body(Map.of("protocol", "IMAP", "host", "93.184.216.34", "username", "u", "password", "p"))
                .post("/v1/accounts")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        as(alice)
                .body("{\"host\": \"169.254.169.254\"}")
                .patch("/v1/accounts/{id}", id)
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("host"));
        as(alice).get("/v1/accounts/{id}", id).then().body("host", equalTo("93.184.216.34"));
    }

    @Test
    void plaintext_is_refused_unless_ops_allow_it() {
        as(newSubject())
                .body(Map.of(
                        "protocol",
                        "POP3",
                        "host",
                        "93.184.216.34",
                        "security",
                        "NONE",
                        "username",
                        "u",
                        "password",
                        "p"))
                .post("/v1/accounts")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("security"))
                .body("errors[0].message", containsString("not allowed"));
    }
}
