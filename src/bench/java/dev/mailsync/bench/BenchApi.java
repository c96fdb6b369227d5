package dev.mailsync.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Executors;

/** The service's REST API as the benchmark calls it: one HTTP/1.1 client, one bearer token. */
final class BenchApi {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final String baseUrl;
    private final String token;

    BenchApi(String baseUrl, String token) {
        this.baseUrl = baseUrl;
        this.token = token;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build();
    }

    /** POSTs a JSON body (null: none); returns the parsed answer, which must have that status. */
    JsonNode post(String path, Object body, int expectedStatus) throws IOException, InterruptedException {
        HttpRequest.Builder request = authorized(path).header("Content-Type", "application/json");
        request.POST(
                body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
        return send(request.build(), expectedStatus);
    }

    JsonNode get(String path) throws IOException, InterruptedException {
        return send(authorized(path).GET().build(), 200);
    }

    /** A GET answered with 200, as raw bytes (the caller measures and parses). */
    byte[] getBytes(String path) throws IOException, InterruptedException {
        HttpResponse<byte[]> response =
                http.send(authorized(path).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(
                    "GET " + path + " answered " + response.statusCode() + ": " + new String(response.body()));
        }
        return response.body();
    }

    /** Prometheus text of {@code /q/metrics} (no token needed). */
    String metrics() throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/q/metrics"))
                .timeout(Duration.ofSeconds(30))
                .GET()
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
    }

    static JsonNode parse(byte[] body) throws IOException {
        return JSON.readTree(body);
    }

    private HttpRequest.Builder authorized(String path) {
        return HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json");
    }

    private JsonNode send(HttpRequest request, int expectedStatus) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != expectedStatus) {
            throw new IllegalStateException(
                    request.method() + " " + request.uri().getPath() + " answered " + response.statusCode()
                            + " (expected " + expectedStatus + "): " + new String(response.body()));
        }
        return response.body().length == 0 ? JSON.nullNode() : JSON.readTree(response.body());
    }
}
