package dev.mailsync.api;

import static dev.mailsync.support.Api.as;
import static dev.mailsync.support.Api.createAccount;
import static dev.mailsync.support.Api.createDevice;
import static dev.mailsync.support.Api.imapAccount;
import static dev.mailsync.support.Api.newSubject;
import static org.hamcrest.Matchers.anEmptyMap;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;

import dev.mailsync.support.FreePorts;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class DeviceResourceTest {

    private final String alice = newSubject();
    private String account;

    @BeforeEach
    void account() {
        account = createAccount(alice, imapAccount("127.0.0.1", FreePorts.closed()));
    }

    @Test
    void a_device_is_created_with_its_view_and_interval() {
        String location = as(alice)
                .body(Map.of(
                        "name",
                        "Phone",
                        "platform",
                        "MOBILE",
                        "view",
                        Map.of("folders", List.of("INBOX", "Work/Reports"), "windowDays", 30, "maxPerFolder", 500),
                        "syncIntervalSeconds",
                        300))
                .post("/v1/accounts/{a}/devices", account)
                .then()
                .statusCode(201)
                .body("accountId", equalTo(account))
                .body("platform", equalTo("MOBILE"))
                .body("view.folders", hasItems("INBOX", "Work/Reports"))
                .body("view.windowDays", equalTo(30))
                .body("view.maxPerFolder", equalTo(500))
                .body("syncIntervalSeconds", equalTo(300))
                .extract()
                .header("Location");
        as(alice).get(location).then().statusCode(200).body("name", equalTo("Phone"));
    }

    @Test
    void a_device_without_a_view_sees_everything_and_syncs_on_request_only() {
        String id = createDevice(alice, account, "Laptop");
        as(alice)
                .get("/v1/accounts/{a}/devices/{d}", account, id)
                .then()
                .body("view", anEmptyMap())
                .body("$", not(hasKey("syncIntervalSeconds")));
    }

    @Test
    void invalid_device_fields_are_reported_and_nothing_is_created() {
        as(alice)
                .body(Map.of(
                        "platform",
                        "TOASTER",
                        "view",
                        Map.of("windowDays", 0, "maxPerFolder", 1_000_000, "folders", List.of()),
                        "syncIntervalSeconds",
                        5))
                .post("/v1/accounts/{a}/devices", account)
                .then()
                .statusCode(400)
                .body("errors.field", hasItem("platform"));
        as(alice)
                .body(Map.of(
                        "platform",
                        "WEB",
                        "view",
                        Map.of("windowDays", 0, "maxPerFolder", 1_000_000, "folders", List.of()),
                        "syncIntervalSeconds",
                        5))
                .post("/v1/accounts/{a}/devices", account)
                .then()
                .statusCode(400)
                .body(
                        "errors.field",
                        hasItems(
                                "name", "view.windowDays", "view.maxPerFolder", "view.folders", "syncIntervalSeconds"));
        as(alice).get("/v1/accounts/{a}/devices", account).then().body("items", hasSize(0));
    }

    @Test
    void patch_replaces_the_view_and_null_resets_it() {
        String id = createDevice(alice, account, "Tablet");
        as(alice)
                .contentType("application/merge-patch+json")
                .body("{\"view\": {\"windowDays\": 7}, \"syncIntervalSeconds\": 600}")
                .patch("/v1/accounts/{a}/devices/{d}", account, id)
                .then()
                .statusCode(200)
                .body("view.windowDays", equalTo(7))
                .body("syncIntervalSeconds", equalTo(600))
                .body("name", equalTo("Tablet"));
        as(alice)
                .body("{\"view\": null, \"syncIntervalSeconds\": null}")
                .patch("/v1/accounts/{a}/devices/{d}", account, id)
                .then()
                .statusCode(200)
                .body("view", anEmptyMap())
                .body("$", not(hasKey("syncIntervalSeconds")));
        as(alice)
                .body("{\"name\": null}")
                .patch("/v1/accounts/{a}/devices/{d}", account, id)
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("name"));
    }

    @Test
    void devices_are_listed_in_pages_and_deleted() {
        String first = createDevice(alice, account, "one");
        createDevice(alice, account, "two");
        String cursor = as(alice)
                .queryParam("limit", 1)
                .get("/v1/accounts/{a}/devices", account)
                .then()
                .statusCode(200)
                .body("items[0].id", equalTo(first))
                .extract()
                .path("nextCursor");
        as(alice)
                .queryParam("limit", 1)
                .queryParam("cursor", cursor)
                .get("/v1/accounts/{a}/devices", account)
                .then()
                .body("items[0].name", equalTo("two"))
                .body("$", not(hasKey("nextCursor")));

        as(alice).delete("/v1/accounts/{a}/devices/{d}", account, first).then().statusCode(204);
        as(alice).delete("/v1/accounts/{a}/devices/{d}", account, first).then().statusCode(404);
        as(alice).get("/v1/accounts/{a}", account).then().body("deviceCount", equalTo(1));
    }

    @Test
    void a_device_of_another_account_is_not_found_through_this_one() {
        String other = createAccount(alice, imapAccount("127.0.0.1", 1144));
        String device = createDevice(alice, other, "elsewhere");
        as(alice).get("/v1/accounts/{a}/devices/{d}", account, device).then().statusCode(404);
        as(alice).get("/v1/accounts/acc_nope/devices").then().statusCode(404).body("code", equalTo("NOT_FOUND"));
    }
}
