package dev.mailsync.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailsync.testsupport.TestLog;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's "First calls", run as a newcomer would run them: its {@code bash} blocks, taken from
 * README.md as it is, pasted into one shell against the service with the dev-mode demo mail server and
 * demo accounts ({@code mailsync.dev.enabled}). Each block's output is checked for what the README's text
 * promises. Needs {@code bash}, {@code curl} (with IMAP, POP3 and SMTP) and {@code jq}, like the reader.
 */
@QuarkusTest
@TestProfile(ReadmeFirstCallsTest.DevDemo.class)
class ReadmeFirstCallsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String API_LINE = "API=http://localhost:8080";

    /**
     * Dev mode's demo, with its IMAP port taken by someone else: dev mode must still come up. A daemon
     * thread holds the port for the rest of the JVM; its number is kept in a system property, so the test
     * and the profile see the same port whichever class loader loads them.
     */
    public static class DevDemo implements QuarkusTestProfile {
        private static final String BUSY_PORT = "first-calls-test.busy-port";

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mailsync.dev.enabled", "true", "mailsync.dev.demo.imap-port", String.valueOf(busyPort()));
        }

        static int busyPort() {
            synchronized (System.getProperties()) {
                String kept = System.getProperty(BUSY_PORT);
                if (kept != null) {
                    return Integer.parseInt(kept);
                }
                ServerSocket socket;
                try {
                    socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                Thread.ofPlatform().daemon().name("first-calls-busy-port").start(() -> {
                    while (true) {
                        try (Socket ignored = socket.accept()) {
                            // a port in use answers and hangs up
                        } catch (IOException e) {
                            return;
                        }
                    }
                });
                System.setProperty(BUSY_PORT, String.valueOf(socket.getLocalPort()));
                return socket.getLocalPort();
            }
        }
    }

    @TestHTTPResource("/")
    URL service;

    @Test
    void theFirstCallsWorkAsTheReadmeSays() throws Exception {
        List<String> blocks = firstCallBlocks();
        assertThat(blocks).as("bash blocks in README.md's \"First calls\"").hasSize(7);
        assertThat(blocks.getFirst())
                .as("the first block sets the API's address")
                .contains(API_LINE);

        List<String> out = run(blocks);

        // 1. The demo accounts of the token's subject.
        List<JsonNode> accounts = jsonValues(out.get(0));
        assertThat(accounts)
                .extracting(a -> a.get("name").asText())
                .containsExactlyInAnyOrder("Demo IMAP", "Demo POP3");
        assertThat(accounts).allMatch(a -> a.get("id").asText().length() > 0);
        assertThat(accounts)
                .as("the demo IMAP server is not on the busy port")
                .noneMatch(a -> a.get("port").asInt() == DevDemo.busyPort());

        // 2. The first sync of the IMAP phone.
        assertThat(only(out.get(1)).get("status").asText()).isEqualTo("SUCCEEDED");

        // 3. Folders, a few hundred summaries, one message opened with its attachment.
        List<JsonNode> changes = jsonValues(out.get(2));
        JsonNode summary = changes.get(0);
        assertThat(summary.get("hasMore").asBoolean()).isFalse();
        assertThat(summary.get("folders")).extracting(JsonNode::asText).containsAll(DemoMessages.IMAP_FOLDERS);
        assertThat(summary.get("messages").asInt())
                .isEqualTo(DemoMessages.imapMailbox("demo").size());
        assertThat(summary.at("/first/subject").asText()).isNotBlank();
        JsonNode opened = changes.get(1);
        assertThat(opened.get("text").asText()).isNotBlank();
        assertThat(opened.get("attachments")).isNotEmpty();

        // 4. The flag is on the server after the sync, not before.
        String[] flagLines = out.get(3).lines().filter(l -> l.startsWith("* ")).toArray(String[]::new);
        assertThat(flagLines).hasSize(2);
        assertThat(flagLines[0]).contains("FETCH").doesNotContain("\\Flagged");
        assertThat(flagLines[1]).contains("FETCH").contains("\\Flagged");
        assertThat(out.get(3)).contains("\"SUCCEEDED\"").contains("APPLIED");

        // 5. New mail over SMTP appears in the phone's changes; its own flag does not come back to it.
        JsonNode since = only(out.get(4));
        assertThat(since.get("created")).hasSize(1);
        assertThat(since.at("/created/0/subject").asText()).isEqualTo("Hello from curl");
        assertThat(since.at("/created/0/from").asText()).isEqualTo("bob@example.test");
        assertThat(since.get("updated")).isEmpty();

        // 6. POP3: everything downloaded, nothing deleted while the laptop lacks it.
        int maildrop = DemoMessages.pop3Mailbox("pop").size();
        List<JsonNode> pop3 = jsonValues(out.get(5));
        assertThat(pop3).hasSize(3);
        assertThat(pop3.get(0).get("downloaded").asInt()).isEqualTo(maildrop);
        assertThat(pop3.get(0).get("deleted").asInt()).isZero();
        assertThat(pop3.get(1).get("downloaded").asInt()).isZero();
        assertThat(pop3.get(1).get("deleted").asInt()).isZero();
        assertThat(pop3.get(2).at("/waitingFor")).hasSize(1);

        // 7. Once the laptop has them too, the server's copies go; the stored ones stay readable.
        List<JsonNode> last = jsonValues(out.get(6));
        assertThat(last).hasSize(3);
        assertThat(last.get(0).get("deleted").asInt()).isEqualTo(maildrop);
        assertThat(last.get(0).get("policy").asText()).isEqualTo("DELETE_AFTER_ALL_DEVICES");
        assertThat(last.get(1).asInt()).as("lines left in the POP3 maildrop").isZero();
        assertThat(last.get(1).isInt()).isTrue();
        assertThat(last.get(2).get("subject").asText()).isNotBlank();

        // The dev banner shows the first block, so it can be pasted from the log too (the test log is JSON).
        String log = TestLog.read();
        for (String line : blocks.getFirst().lines().toList()) {
            String expected = JSON.writeValueAsString(line.strip()).replaceAll("^\"|\"$", "");
            assertThat(log).as("the dev banner has: %s", line).contains(expected);
        }
        assertThat(log).contains("port " + DevDemo.busyPort() + " (mailsync.dev.demo.imap-port) is in use");
    }

    /** The bodies of the ```bash blocks of README.md's "## First calls" section, in order. */
    static List<String> firstCallBlocks() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("\n## First calls\n");
        assertThat(start).as("README.md has a \"First calls\" section").isPositive();
        int end = readme.indexOf("\n## ", start + 1);
        String section = readme.substring(start, end < 0 ? readme.length() : end);
        Matcher m = Pattern.compile("```bash\n(.*?)```", Pattern.DOTALL).matcher(section);
        List<String> blocks = new ArrayList<>();
        while (m.find()) {
            blocks.add(m.group(1));
        }
        return blocks;
    }

    /** Runs the blocks in one shell, as pasted one after the other; returns each block's output. */
    private List<String> run(List<String> blocks) throws Exception {
        for (String tool : List.of("curl", "jq")) {
            Process which = new ProcessBuilder("bash", "-c", "command -v " + tool).start();
            if (which.waitFor() != 0) {
                fail("the README's first calls need %s on the PATH (Debian package %s)", tool, tool);
            }
        }
        String api = service.toString().replaceAll("/$", "");
        StringBuilder script = new StringBuilder("set -euo pipefail\n");
        for (int i = 0; i < blocks.size(); i++) {
            script.append(blocks.get(i).replace(API_LINE, "API=" + api))
                    .append("\necho '@@end of block ")
                    .append(i + 1)
                    .append("@@'\n");
        }
        Path stdout = Files.createTempFile("first-calls", ".out");
        Path stderr = Files.createTempFile("first-calls", ".err");
        try {
            Process bash = new ProcessBuilder("bash", "-c", script.toString())
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile())
                    .start();
            boolean ended = bash.waitFor(240, TimeUnit.SECONDS);
            if (!ended) {
                bash.destroyForcibly();
            }
            String out = Files.readString(stdout, StandardCharsets.UTF_8);
            String err = Files.readString(stderr, StandardCharsets.UTF_8);
            assertThat(ended ? bash.exitValue() : -1)
                    .as("the first calls ran to their end; output:%n%s%nerrors:%n%s", out, err)
                    .isZero();
            List<String> outputs = new ArrayList<>(List.of(out.split("@@end of block \\d+@@\n", -1)));
            assertThat(outputs).as("output of every block:%n%s", out).hasSize(blocks.size() + 1);
            return outputs.subList(0, blocks.size());
        } finally {
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
        }
    }

    private static List<JsonNode> jsonValues(String text) throws IOException {
        List<JsonNode> values = new ArrayList<>();
        try (var it = JSON.readerFor(JsonNode.class).readValues(text)) {
            while (it.hasNext()) {
                values.add((JsonNode) it.next());
            }
        }
        return values;
    }

    private static JsonNode only(String text) throws IOException {
        List<JsonNode> values = jsonValues(text);
        assertThat(values).as("one JSON value in:%n%s", text).hasSize(1);
        return values.getFirst();
    }
}
