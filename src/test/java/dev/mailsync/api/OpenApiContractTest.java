package dev.mailsync.api;

import static dev.mailsync.support.Api.createAccount;
import static dev.mailsync.support.Api.createDevice;
import static dev.mailsync.support.Api.imapAccount;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailsync.support.FreePorts;
import dev.mailsync.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * openapi.yaml is the contract: every documented operation is routed, answers a documented status with
 * the documented media type, answers 401 without a token, and /q/openapi serves the same operations.
 */
@QuarkusTest
class OpenApiContractTest {
    private static OpenAPI contract;

    @BeforeAll
    static void parse() {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        var result = new OpenAPIV3Parser().readLocation("openapi.yaml", null, options);
        assertThat(result.getMessages()).as("openapi.yaml parses cleanly").isEmpty();
        contract = result.getOpenAPI();
    }

    @TestFactory
    Stream<DynamicTest> every_documented_operation_is_routed_and_answers_a_documented_status() {
        List<DynamicTest> tests = new ArrayList<>();
        contract.getPaths()
                .forEach((path, item) -> item.readOperationsMap()
                        .forEach((method, operation) -> tests.add(DynamicTest.dynamicTest(
                                operation.getOperationId() + " " + method + " " + path,
                                () -> check(path, method, operation)))));
        assertThat(tests).hasSizeGreaterThanOrEqualTo(23);
        return tests.stream();
    }

    private void check(String path, PathItem.HttpMethod method, Operation operation) {
        String subject = "contract-" + UUID.randomUUID();
        String account = createAccount(subject, imapAccount("127.0.0.1", FreePorts.closed()));
        String device = createDevice(subject, account, "contract device");
        String job = given().auth()
                .oauth2(Tokens.user(subject))
                .post("/v1/accounts/{a}/devices/{d}/sync-jobs", account, device)
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        String url = path.replace("{accountId}", account)
                .replace("{deviceId}", device)
                .replace("{jobId}", job)
                .replace("{messageId}", "msg_not_in_this_mirror")
                .replace("{partId}", "2");

        Response response = withBody(given().auth().oauth2(Tokens.admin(subject)), operation)
                .request(method.name(), url);

        Set<String> documented = operation.getResponses().keySet();
        assertThat(documented)
                .as("%s answered %d: %s", operation.getOperationId(), response.statusCode(), response.asString())
                .contains(String.valueOf(response.statusCode()));
        var documentedContent = operation
                .getResponses()
                .get(String.valueOf(response.statusCode()))
                .getContent();
        if (documentedContent != null) {
            assertThat(documentedContent.keySet())
                    .as("media type of %s", operation.getOperationId())
                    .anyMatch(type -> response.contentType().startsWith(type));
        }

        Response anonymous = withBody(given(), operation).request(method.name(), url);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(documented)
                .as("%s documents 401", operation.getOperationId())
                .contains("401");
    }

    private static RequestSpecification withBody(RequestSpecification request, Operation operation) {
        if (operation.getRequestBody() == null) {
            return request;
        }
        String mediaType =
                operation.getRequestBody().getContent().keySet().iterator().next();
        return request.contentType(mediaType).body(bodyFor(operation.getOperationId()));
    }

    private static String bodyFor(String operationId) {
        return switch (operationId) {
            case "createAccount" ->
                "{\"protocol\":\"IMAP\",\"host\":\"127.0.0.1\",\"port\":3143,\"security\":\"NONE\","
                        + "\"username\":\"contract\",\"password\":\"pw\"}";
            case "createDevice" -> "{\"name\":\"Phone\",\"platform\":\"MOBILE\"}";
            case "scheduleSync" -> "{\"changes\":[]}";
            case "acknowledgeState" -> "{\"state\":\"not-a-state\"}";
            default -> "{\"name\":\"Renamed\"}";
        };
    }

    @Test
    void the_served_document_has_the_same_operations_and_schemas_as_openapi_yaml() {
        String served = given().queryParam("format", "json")
                .get("/q/openapi")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        ParseOptions options = new ParseOptions();
        OpenAPI servedApi =
                new OpenAPIV3Parser().readContents(served, null, options).getOpenAPI();

        assertThat(operations(servedApi)).isEqualTo(operations(contract));
        assertThat(servedApi.getComponents().getSchemas().keySet())
                .isEqualTo(contract.getComponents().getSchemas().keySet());
        assertThat(servedApi.getInfo().getTitle()).isEqualTo(contract.getInfo().getTitle());
    }

    private static Set<String> operations(OpenAPI api) {
        Set<String> operations = new TreeSet<>();
        for (Map.Entry<String, PathItem> path : api.getPaths().entrySet()) {
            path.getValue()
                    .readOperationsMap()
                    .forEach((method, op) -> operations.add(method + " " + path.getKey() + " " + op.getOperationId()
                            + " " + new TreeSet<>(op.getResponses().keySet())));
        }
        return operations;
    }
}
