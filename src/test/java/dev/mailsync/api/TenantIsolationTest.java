package dev.mailsync.api;

import static dev.mailsync.support.Api.as;
import static dev.mailsync.support.Api.createAccount;
import static dev.mailsync.support.Api.createDevice;
import static dev.mailsync.support.Api.imapAccount;
import static dev.mailsync.support.Api.newSubject;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import dev.mailsync.support.FreePorts;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A second subject sees nothing of the first: every foreign id is 404, never 403. */
@QuarkusTest
class TenantIsolationTest {

    @Test
    void another_subject_sees_nothing_and_can_change_nothing() {
        String alice = newSubject();
        String mallory = newSubject();
        String account = createAccount(alice, imapAccount("127.0.0.1", FreePorts.closed()));
        String device = createDevice(alice, account, "phone");

        as(mallory).get("/v1/accounts").then().statusCode(200).body("items", empty());
        as(mallory).get("/v1/accounts/{a}", account).then().statusCode(404);
        as(mallory)
                .body("{\"host\": \"127.0.0.2\"}")
                .patch("/v1/accounts/{a}", account)
                .then()
                .statusCode(404);
        as(mallory).post("/v1/accounts/{a}/verify", account).then().statusCode(404);
        as(mallory).get("/v1/accounts/{a}/devices", account).then().statusCode(404);
        as(mallory).get("/v1/accounts/{a}/devices/{d}", account, device).then().statusCode(404);
        as(mallory)
                .body(Map.of("name", "x", "platform", "WEB"))
                .post("/v1/accounts/{a}/devices", account)
                .then()
                .statusCode(404);
        as(mallory)
                .body("{\"name\": \"x\"}")
                .patch("/v1/accounts/{a}/devices/{d}", account, device)
                .then()
                .statusCode(404);
        as(mallory)
                .delete("/v1/accounts/{a}/devices/{d}", account, device)
                .then()
                .statusCode(404);
        as(mallory).delete("/v1/accounts/{a}", account).then().statusCode(404);

        as(alice).get("/v1/accounts/{a}", account).then().statusCode(200).body("host", equalTo("127.0.0.1"));
        as(alice).get("/v1/accounts/{a}/devices", account).then().body("items", hasSize(1));
    }

    @Test
    void the_same_mailbox_may_belong_to_two_subjects() {
        createAccount(newSubject(), imapAccount("127.0.0.1", FreePorts.closed()));
        createAccount(newSubject(), imapAccount("127.0.0.1", FreePorts.closed()));
    }
}
