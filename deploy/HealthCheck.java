import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The container image's HEALTHCHECK: exit 0 when {@code /q/health/live} of the service in this container
 * answers 200, 1 otherwise. Plain JDK (java.net.http), so the runtime image needs no curl or wget. The
 * port is QUARKUS_HTTP_PORT, else 8080; an argument replaces the whole URL (tests use that).
 */
public final class HealthCheck {
    private HealthCheck() {}

    public static void main(String[] args) {
        String port = System.getenv().getOrDefault("QUARKUS_HTTP_PORT", "8080");
        String url = args.length > 0 ? args[0] : "http://127.0.0.1:" + port + "/q/health/live";
        try {
            HttpClient client = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(2))
                    .build();
            HttpResponse<Void> response = client.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .timeout(Duration.ofSeconds(3))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() == 200) {
                System.exit(0);
            }
            System.err.println(url + " answered " + response.statusCode());
        } catch (Exception e) {
            System.err.println(url + ": " + e);
        }
        System.exit(1);
    }
}
