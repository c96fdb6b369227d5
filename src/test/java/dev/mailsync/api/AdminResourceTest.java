package dev.mailsync.api;

import static dev.mailsync.support.Api.as;
import static dev.mailsync.support.Api.createAccount;
import static dev.mailsync.support.Api.imapAccount;
import static dev.mailsync.support.Api.newSubject;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

import dev.mailsync.support.FreePorts;
import dev.mailsync.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
class AdminResourceTest {

    @Test
    void the_overview_needs_the_admin_group() {
        as(newSubject())
                .get("/v1/admin/overview")
                .then()
                .statusCode(403)
                .contentType("application/problem+json")
                .body("code", equalTo("FORBIDDEN"));
        given().get("/v1/admin/overview").then().statusCode(401);
    }

    @Test
    void the_overview_counts_accounts_across_owners() {
        createAccount(newSubject(), imapAccount("127.0.0.1", FreePorts.closed()));
        createAccount(newSubject(), imapAccount("127.0.0.1", FreePorts.closed()));
        given().auth()
                .oauth2(Tokens.admin("ops"))
                .get("/v1/admin/overview")
                .then()
                .statusCode(200)
                .body("accounts", greaterThanOrEqualTo(2))
                .body("owners", greaterThanOrEqualTo(2))
                .body("devices", greaterThanOrEqualTo(0));
    }
}
