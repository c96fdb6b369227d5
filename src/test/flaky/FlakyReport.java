import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Summarizes the runs of {@code src/test/flaky.sh}: reads every run's JUnit XML reports and prints, per
 * test that failed at least once, in how many runs it failed (of the runs it ran in) and its first failure.
 * Run with a JDK 21+: {@code java src/test/flaky/FlakyReport.java target/flaky/<time>}.
 */
public class FlakyReport {

    /** What one test did over all runs. */
    static final class Tally {
        int ran;
        int failed;
        int skipped;
        final List<Integer> failedRuns = new ArrayList<>();
        String firstFailure;
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        List<Path> runs;
        try (Stream<Path> s = Files.list(root)) {
            runs = s.filter(p -> p.getFileName().toString().startsWith("run-"))
                    .sorted((a, b) -> Integer.compare(runNumber(a), runNumber(b)))
                    .toList();
        }
        Map<String, Tally> tests = new TreeMap<>();
        List<String> redWithoutTest = new ArrayList<>();
        int green = 0;
        for (Path run : runs) {
            int number = runNumber(run);
            boolean anyFailed = false;
            Path reports = run.resolve("reports");
            if (Files.isDirectory(reports)) {
                try (Stream<Path> files = Files.list(reports)) {
                    for (Path report : files.filter(f -> f.toString().endsWith(".xml"))
                            .sorted()
                            .toList()) {
                        anyFailed |= read(report, number, tests);
                    }
                }
            }
            String exit = Files.exists(run.resolve("exit-code"))
                    ? Files.readString(run.resolve("exit-code")).trim()
                    : "?";
            if (exit.equals("0")) {
                green++;
            } else if (!anyFailed) {
                redWithoutTest.add("run " + number + " (exit " + exit + "): " + lastErrors(run.resolve("maven.log")));
            }
        }

        System.out.printf("%d runs, %d green, %d red%n", runs.size(), green, runs.size() - green);
        System.out.printf("%d distinct tests ran%n", tests.size());
        List<Map.Entry<String, Tally>> flaky = tests.entrySet().stream()
                .filter(e -> e.getValue().failed > 0)
                .sorted((a, b) -> Integer.compare(b.getValue().failed, a.getValue().failed))
                .toList();
        if (flaky.isEmpty()) {
            System.out.println("no test failed in any run");
        } else {
            System.out.println();
            System.out.println("failed at least once (failed/ran, runs):");
            for (Map.Entry<String, Tally> e : flaky) {
                Tally t = e.getValue();
                System.out.printf("  %d/%d  %s  runs %s%n", t.failed, t.ran, e.getKey(), t.failedRuns);
                System.out.println("        first: " + t.firstFailure);
            }
        }
        if (!redWithoutTest.isEmpty()) {
            System.out.println();
            System.out.println("red runs in which no test report shows a failure (build or JVM problem):");
            redWithoutTest.forEach(r -> System.out.println("  " + r));
        }
    }

    /** Adds one report file's test cases; true when one of them failed. */
    private static boolean read(Path report, int run, Map<String, Tally> tests) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Element suite;
        try {
            suite = factory.newDocumentBuilder().parse(report.toFile()).getDocumentElement();
        } catch (Exception e) {
            Tally t = tests.computeIfAbsent(report.getFileName() + " (unreadable report)", k -> new Tally());
            t.ran++;
            t.failed++;
            t.failedRuns.add(run);
            if (t.firstFailure == null) {
                t.firstFailure = e.toString();
            }
            return true;
        }
        boolean failed = false;
        NodeList cases = suite.getElementsByTagName("testcase");
        for (int i = 0; i < cases.getLength(); i++) {
            Element c = (Element) cases.item(i);
            String name = c.getAttribute("classname") + "#" + c.getAttribute("name");
            Tally t = tests.computeIfAbsent(name, k -> new Tally());
            if (first(c, "skipped") != null) {
                t.skipped++;
                continue;
            }
            t.ran++;
            Element problem = first(c, "failure");
            if (problem == null) {
                problem = first(c, "error");
            }
            if (problem != null) {
                failed = true;
                t.failed++;
                t.failedRuns.add(run);
                if (t.firstFailure == null) {
                    t.firstFailure = describe(problem);
                }
            }
        }
        return failed;
    }

    private static Element first(Element parent, String tag) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(tag)) {
                return e;
            }
        }
        return null;
    }

    private static String describe(Element problem) {
        String type = problem.getAttribute("type");
        String message = problem.getAttribute("message");
        if (message.isBlank()) {
            String text = problem.getTextContent().strip();
            message = text.lines().findFirst().orElse("");
        }
        message = message.replaceAll("\\s+", " ");
        if (message.length() > 400) {
            message = message.substring(0, 400) + " ...";
        }
        return (type.isBlank() ? "" : type + ": ") + message;
    }

    private static String lastErrors(Path log) throws IOException {
        if (!Files.exists(log)) {
            return "no maven.log";
        }
        List<String> errors = Files.readAllLines(log).stream()
                .filter(l -> l.startsWith("[ERROR]"))
                .limit(3)
                .toList();
        return errors.isEmpty() ? "see " + log : String.join(" | ", errors);
    }

    private static int runNumber(Path run) {
        return Integer.parseInt(run.getFileName().toString().substring("run-".length()));
    }
}
