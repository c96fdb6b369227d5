package dev.mailsync.api;

import static dev.mailsync.support.Api.as;
import static dev.mailsync.support.Api.createAccount;
import static dev.mailsync.support.Api.createDevice;
import static dev.mailsync.support.Api.imapAccount;
import static dev.mailsync.support.Api.newSubject;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import dev.mailsync.support.FreePorts;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
class AccountResourceTest {

    private final String alice = newSubject();
    /** The accounts' mail server port: nothing listens there (no test here connects). */
    private final int port = FreePorts.closed();

    @Test
    void creating_an_imap_account_answers_201_with_location_defaults_and_no_password() {
        Map<String, Object> body = new HashMap<>(imapAccount("127.0.0.1", port));
        body.remove("port");
        body.remove("security");
        body.put("name", "Work");

        String location = as(alice)
                .body(body)
                .post("/v1/accounts")
                .then()
                .statusCode(201)
                .contentType(ContentType.JSON)
                .body("id", notNullValue())
                .body("name", equalTo("Work"))
                .body("protocol", equalTo("IMAP"))
                .body("security", equalTo("TLS"))
                .body("port", equalTo(993))
                .body("imapDeleteMode", equalTo("TRASH"))
                .body("$", not(hasKey("password")))
                .body("$", not(hasKey("pop3Retention")))
                .body("warnings", empty())
                .body("deviceCount", equalTo(0))
                .extract()
                .header("Location");

        String id = location.substring(location.lastIndexOf('/') + 1);
        as(alice).get(location).then().statusCode(200).body("id", equalTo(id)).body("$", not(hasKey("password")));
    }

    @Test
    void a_pop3_account_defaults_to_keep_and_port_995() {
        as(alice)
                .body(Map.of("protocol", "POP3", "host", "127.0.0.1", "username", "bob", "password", "pw"))
                .post("/v1/accounts")
                .then()
                .statusCode(201)
                .body("port", equalTo(995))
                .body("pop3Retention.policy", equalTo("KEEP"))
                .body("deleteOnServerWhenDeletedOnDevice", equalTo(false))
                .body("$", not(hasKey("imapDeleteMode")));
    }

    @Test
    void plaintext_accounts_carry_a_warning() {
        String id = createAccount(alice, imapAccount("127.0.0.1", port));
        as(alice).get("/v1/accounts/{id}", id).then().body("warnings.code", hasItem("PLAINTEXT_CONNECTION"));
    }

    @Test
    void a_deleting_pop3_account_with_two_devices_warns_about_multi_device_deletion() {
        String id = createAccount(
                alice,
                Map.of(
                        "protocol", "POP3",
                        "host", "127.0.0.1",
                        "username", "carol",
                        "password", "pw",
                        "pop3Retention", Map.of("policy", "DELETE_AFTER_FIRST_DEVICE")));
        createDevice(alice, id, "phone");
        as(alice).get("/v1/accounts/{id}", id).then().body("warnings", empty());

        createDevice(alice, id, "laptop");
        as(alice)
                .get("/v1/accounts/{id}", id)
                .then()
                .body("deviceCount", equalTo(2))
                .body("warnings.code", hasItem("MULTI_DEVICE_DELETION"))
                .body("warnings[0].message", containsString("2 devices"));
    }

    @Test
    void missing_required_fields_are_each_reported() {
        as(alice)
                .body(Map.of("host", "127.0.0.1"))
                .post("/v1/accounts")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("code", equalTo("VALIDATION"))
                .body("type", equalTo("urn:mailsync:problem:validation"))
                .body("errors.field", hasItem("protocol"))
                .body("errors.field", hasItem("username"))
                .body("errors.field", hasItem("password"));
    }

    @Test
    void out_of_range_and_misplaced_fields_are_rejected_with_their_names() {
        Map<String, Object> body = new HashMap<>(imapAccount("127.0.0.1", 70000));
        body.put("pop3Retention", Map.of("policy", "KEEP"));
        as(alice)
                .body(body)
                .post("/v1/accounts")
                .then()
                .statusCode(400)
                .body("errors.field", hasItem("port"))
                .body("errors.field", hasItem("pop3Retention"));

        as(alice)
                .body(Map.of(
                        "protocol", "POP3",
                        "host", "127.0.0.1",
                        "username", "u",
                        "password", "p",
                        "imapDeleteMode", "EXPUNGE",
                        "pop3Retention", Map.of("policy", "DELETE_AFTER_DAYS")))
                .post("/v1/accounts")
                .then()
                .statusCode(400)
                .body("errors.field", hasItem("imapDeleteMode"))
                .body("errors.field", hasItem("pop3Retention.days"));

        as(alice)
                .body(Map.of(
                        "protocol", "POP3",
                        "host", "127.0.0.1",
                        "username", "u",
                        "password", "p",
                        "pop3Retention", Map.of("policy", "KEEP", "days", 3)))
                .post("/v1/accounts")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("pop3Retention.days"));
    }

    @Test
    void unknown_fields_wrong_types_and_bad_enums_name_the_field() {
        Map<String, Object> unknown = new HashMap<>(imapAccount("127.0.0.1", port));
        unknown.put("colour", "blue");
        as(alice).body(unknown).post("/v1/accounts").then().statusCode(400).body("errors[0].field", equalTo("colour"));

        Map<String, Object> wrongType = new HashMap<>(imapAccount("127.0.0.1", port));
        wrongType.put("port", "abc");
        as(alice).body(wrongType).post("/v1/accounts").then().statusCode(400).body("errors[0].field", equalTo("port"));

        Map<String, Object> badEnum = new HashMap<>(imapAccount("127.0.0.1", port));
        badEnum.put("protocol", "SMTP");
        as(alice)
                .body(badEnum)
                .post("/v1/accounts")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("protocol"))
                .body("errors[0].message", containsString("IMAP"));

        Map<String, Object> nested = new HashMap<>(imapAccount("127.0.0.1", 110));
        nested.put("protocol", "POP3");
        nested.put("pop3Retention", Map.of("policy", "KEEP", "extra", 1));
        as(alice)
                .body(nested)
                .post("/v1/accounts")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("pop3Retention.extra"));
    }

    @Test
    void malformed_json_empty_bodies_and_other_media_types_are_refused() {
        as(alice)
                .body("{\"protocol\": ")
                .post("/v1/accounts")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("code", equalTo("MALFORMED_JSON"));
        as(alice).body("[]").post("/v1/accounts").then().statusCode(400).body("errors[0].field", equalTo("body"));
        as(alice).post("/v1/accounts").then().statusCode(400).body("errors[0].field", equalTo("body"));
        as(alice)
                .contentType(ContentType.TEXT)
                .body("protocol=IMAP")
                .post("/v1/accounts")
                .then()
                .statusCode(415)
                .contentType("application/problem+json")
                .body("code", equalTo("UNSUPPORTED_MEDIA_TYPE"));
    }

    @Test
    void a_rejected_request_changes_nothing() {
        Map<String, Object> body = new HashMap<>(imapAccount("127.0.0.1", 0));
        as(alice).body(body).post("/v1/accounts").then().statusCode(400);
        as(alice).get("/v1/accounts").then().statusCode(200).body("items", empty());
    }

    @Test
    void the_same_mailbox_twice_is_a_conflict() {
        createAccount(alice, imapAccount("127.0.0.1", port));
        Map<String, Object> again = new HashMap<>(imapAccount("127.0.0.1", port));
        again.put("host", "127.0.0.1");
        as(alice)
                .body(again)
                .post("/v1/accounts")
                .then()
                .statusCode(409)
                .contentType("application/problem+json")
                .body("code", equalTo("CONFLICT"));
        as(alice).get("/v1/accounts").then().body("items", hasSize(1));
    }

    @Test
    void requests_without_a_valid_token_are_401_problems() {
        given().get("/v1/accounts")
                .then()
                .statusCode(401)
                .contentType("application/problem+json")
                .header("WWW-Authenticate", containsString("Bearer"))
                .body("code", equalTo("UNAUTHENTICATED"));
        given().auth()
                .oauth2("not-a-jwt")
                .get("/v1/accounts")
                .then()
                .statusCode(401)
                .body("code", equalTo("UNAUTHENTICATED"));
    }

    @Test
    void unknown_accounts_are_404_problems() {
        as(alice)
                .get("/v1/accounts/acc_doesnotexist")
                .then()
                .statusCode(404)
                .contentType("application/problem+json")
                .body("code", equalTo("NOT_FOUND"))
                .body("instance", equalTo("/v1/accounts/acc_doesnotexist"));
        as(alice).delete("/v1/accounts/acc_doesnotexist").then().statusCode(404);
        as(alice).body("{}").patch("/v1/accounts/acc_doesnotexist").then().statusCode(404);
        as(alice).post("/v1/accounts/acc_doesnotexist/verify").then().statusCode(404);
    }

    @Test
    void asking_for_a_media_type_the_resource_does_not_answer_is_a_406_problem() {
        as(alice)
                .accept("text/html")
                .get("/v1/accounts")
                .then()
                .statusCode(406)
                .body(org.hamcrest.Matchers.containsString("NOT_ACCEPTABLE"));
    }

    @Test
    void an_unsupported_method_is_a_405_problem() {
        as(alice)
                .put("/v1/accounts")
                .then()
                .statusCode(405)
                .contentType("application/problem+json")
                .body("code", equalTo("METHOD_NOT_ALLOWED"));
    }

    @Test
    void listing_pages_with_a_cursor_without_skipping_or_repeating() {
        for (int i = 0; i < 5; i++) {
            createAccount(alice, imapAccount("127.0.0.1", 2000 + i));
        }
        List<String> first = as(alice)
                .queryParam("limit", 2)
                .get("/v1/accounts")
                .then()
                .statusCode(200)
                .body("items", hasSize(2))
                .extract()
                .path("items.id");
        String cursor = as(alice)
                .queryParam("limit", 2)
                .get("/v1/accounts")
                .then()
                .extract()
                .path("nextCursor");
        List<String> second = as(alice)
                .queryParam("limit", 2)
                .queryParam("cursor", cursor)
                .get("/v1/accounts")
                .then()
                .body("items", hasSize(2))
                .extract()
                .path("items.id");
        String cursor2 = as(alice)
                .queryParam("limit", 2)
                .queryParam("cursor", cursor)
                .get("/v1/accounts")
                .then()
                .extract()
                .path("nextCursor");
        as(alice)
                .queryParam("limit", 2)
                .queryParam("cursor", cursor2)
                .get("/v1/accounts")
                .then()
                .body("items", hasSize(1))
                .body("items.id", not(hasItem(first.get(0))))
                .body("items.id", not(hasItem(second.get(0))))
                .body("$", not(hasKey("nextCursor")));
        org.assertj.core.api.Assertions.assertThat(second).doesNotContainAnyElementsOf(first);
    }

    @Test
    void bad_paging_parameters_are_400_on_that_parameter() {
        as(alice)
                .queryParam("limit", 0)
                .get("/v1/accounts")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("limit"));
        as(alice).queryParam("limit", 201).get("/v1/accounts").then().statusCode(400);
        as(alice).queryParam("limit", "x").get("/v1/accounts").then().statusCode(400);
        as(alice)
                .queryParam("cursor", "garbage!")
                .get("/v1/accounts")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("cursor"));
    }

    @Test
    void patch_merges_changes_and_keeps_the_rest() {
        String id = createAccount(alice, imapAccount("127.0.0.1", port));
        as(alice)
                .contentType("application/merge-patch+json")
                .body("{\"name\": \"Home\", \"imapDeleteMode\": \"EXPUNGE\", \"password\": \"n3w-pass\"}")
                .patch("/v1/accounts/{id}", id)
                .then()
                .statusCode(200)
                .body("name", equalTo("Home"))
                .body("imapDeleteMode", equalTo("EXPUNGE"))
                .body("port", equalTo(port))
                .body("username", equalTo("alice"))
                .body("$", not(hasKey("password")));

        as(alice)
                .body("{\"name\": null}")
                .patch("/v1/accounts/{id}", id)
                .then()
                .statusCode(200)
                .body("$", not(hasKey("name")));
    }

    @Test
    void patch_refuses_protocol_changes_nulls_and_unknown_fields_and_changes_nothing() {
        String id = createAccount(alice, imapAccount("127.0.0.1", port));
        as(alice)
                .body("{\"protocol\": \"POP3\"}")
                .patch("/v1/accounts/{id}", id)
                .then()
                .statusCode(400)
                .body("errors.field", hasItem("protocol"));
        as(alice)
                .body("{\"username\": null, \"port\": 1}")
                .patch("/v1/accounts/{id}", id)
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("username"));
        as(alice)
                .body("{\"colour\": \"red\"}")
                .patch("/v1/accounts/{id}", id)
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("colour"));
        as(alice)
                .body("{\"pop3Retention\": {\"policy\": \"KEEP\"}}")
                .patch("/v1/accounts/{id}", id)
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("pop3Retention"));
        as(alice)
                .get("/v1/accounts/{id}", id)
                .then()
                .body("port", equalTo(port))
                .body("username", equalTo("alice"));
    }

    @Test
    void deleting_an_account_removes_it_and_its_devices() {
        String id = createAccount(alice, imapAccount("127.0.0.1", port));
        String device = createDevice(alice, id, "phone");
        as(alice).delete("/v1/accounts/{id}", id).then().statusCode(204);
        as(alice).get("/v1/accounts/{id}", id).then().statusCode(404);
        as(alice).get("/v1/accounts/{id}/devices/{d}", id, device).then().statusCode(404);
    }

    @Test
    void verify_of_a_closed_port_records_the_error_and_a_password_change_clears_it() {
        int closedPort = FreePorts.closed();
        String id = createAccount(alice, imapAccount("127.0.0.1", closedPort));
        as(alice)
                .post("/v1/accounts/{id}/verify", id)
                .then()
                .statusCode(502)
                .contentType("application/problem+json")
                .body("code", equalTo("HOST_UNREACHABLE"))
                .body("type", equalTo("urn:mailsync:problem:host-unreachable"));
        as(alice)
                .get("/v1/accounts/{id}", id)
                .then()
                .body("lastError.code", equalTo("HOST_UNREACHABLE"))
                .body("lastError.at", notNullValue());

        as(alice)
                .body("{\"password\": \"another\"}")
                .patch("/v1/accounts/{id}", id)
                .then()
                .statusCode(200);
        as(alice).get("/v1/accounts/{id}", id).then().body("lastError", nullValue());
    }

    @Test
    void location_header_points_at_the_new_account() {
        as(alice)
                .body(imapAccount("127.0.0.1", port))
                .post("/v1/accounts")
                .then()
                .statusCode(201)
                .header("Location", containsString("/v1/accounts/acc_"))
                .header("Location", not(endsWith("/")));
    }
}
