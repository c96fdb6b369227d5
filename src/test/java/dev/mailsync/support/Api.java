package dev.mailsync.support;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.util.Map;
import java.util.UUID;

/** RestAssured shortcuts: requests as a given subject, and small fixtures through the public API. */
public final class Api {
    private Api() {}

    public static RequestSpecification as(String subject) {
        return given().auth().oauth2(Tokens.user(subject)).contentType(ContentType.JSON);
    }

    /** A fresh subject per test, so tests never see each other's data. */
    public static String newSubject() {
        return "user-" + UUID.randomUUID();
    }

    public static Map<String, Object> imapAccount(String host, int port) {
        return Map.of(
                "protocol", "IMAP",
                "host", host,
                "port", port,
                "security", "NONE",
                "username", "alice",
                "password", "s3cret-Imap-Password!");
    }

    public static String createAccount(String subject, Map<String, ?> body) {
        return as(subject)
                .body(body)
                .post("/v1/accounts")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    public static String createDevice(String subject, String accountId, String name) {
        return as(subject)
                .body(Map.of("name", name, "platform", "MOBILE"))
                .post("/v1/accounts/{a}/devices", accountId)
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }
}
