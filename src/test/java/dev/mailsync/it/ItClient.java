package dev.mailsync.it;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The public API of one packaged instance, the way a client calls it: bearer JWTs signed here with the
 * test key (RS256 with the JDK; no Quarkus or SmallRye configuration in this JVM).
 */
public final class ItClient {
    public static final String ISSUER = "https://mailsync.local/issuer";

    private final PrivateKey key;
    private final Map<String, String> tokens = new ConcurrentHashMap<>();

    private ItClient(PrivateKey key) {
        this.key = key;
    }

    /** Signs with the PKCS#8 PEM private key at that path. */
    public static ItClient signingWith(Path privateKeyPem) {
        try {
            String pem = Files.readString(privateKeyPem, StandardCharsets.US_ASCII);
            String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            PrivateKey key = KeyFactory.getInstance("RSA")
                    .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
            return new ItClient(key);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the private key " + privateKeyPem, e);
        }
    }

    /** A bearer token for that subject in group "user", valid for an hour. */
    public String token(String subject) {
        return tokens.computeIfAbsent(subject, this::sign);
    }

    public RequestSpecification as(String subject, AppInstance instance) {
        return given().baseUri("http://127.0.0.1")
                .port(instance.port())
                .auth()
                .oauth2(token(subject))
                .contentType(ContentType.JSON);
    }

    public String createImapAccount(
            String subject, AppInstance instance, String host, int port, String username, String password) {
        return as(subject, instance)
                .body(Map.of(
                        "protocol", "IMAP",
                        "host", host,
                        "port", port,
                        "security", "NONE",
                        "username", username,
                        "password", password))
                .post("/v1/accounts")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    public String createDevice(String subject, AppInstance instance, String accountId, String name) {
        return as(subject, instance)
                .body(Map.of("name", name, "platform", "MOBILE"))
                .post("/v1/accounts/{a}/devices", accountId)
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    /** POSTs a sync job (no body) and returns its id. */
    public String requestSync(String subject, AppInstance instance, String accountId, String deviceId) {
        return as(subject, instance)
                .post("/v1/accounts/{a}/devices/{d}/sync-jobs", accountId, deviceId)
                .then()
                .statusCode(202)
                .extract()
                .path("id");
    }

    public JsonPath job(String subject, AppInstance instance, String jobId) {
        return as(subject, instance)
                .get("/v1/sync-jobs/{id}", jobId)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    /** The ids of every created message of the device's delta, paging until hasMore is false. */
    public List<String> createdMessageIds(
            String subject, AppInstance instance, String accountId, String deviceId, int limit) {
        List<String> created = new ArrayList<>();
        String since = null;
        for (int page = 0; page < 1_000; page++) {
            RequestSpecification request = as(subject, instance).queryParam("limit", limit);
            if (since != null) {
                request = request.queryParam("since", since);
            }
            JsonPath p = request.get("/v1/accounts/{a}/devices/{d}/changes", accountId, deviceId)
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath();
            created.addAll(p.getList("messages.created.id", String.class));
            since = p.getString("newState");
            if (!p.getBoolean("hasMore")) {
                return created;
            }
        }
        throw new AssertionError("the changes of device " + deviceId + " never ended");
    }

    private String sign(String subject) {
        long now = Instant.now().getEpochSecond();
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
        String claims = "{\"iss\":\"" + ISSUER + "\",\"sub\":\"" + subject + "\",\"upn\":\"" + subject
                + "\",\"groups\":[\"user\"],\"iat\":" + now + ",\"exp\":" + (now + 3600) + ",\"jti\":\""
                + UUID.randomUUID() + "\"}";
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String signingInput = b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        try {
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(key);
            rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + b64.encodeToString(rsa.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a test token", e);
        }
    }
}
