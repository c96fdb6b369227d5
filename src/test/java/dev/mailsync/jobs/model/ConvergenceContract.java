package dev.mailsync.jobs.model;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.IntStream;

/**
 * The model-based convergence test, run by a subclass against one server: random sequences of changes
 * made on the server by another client and changes pushed by two or three devices, interleaved with
 * their syncs; after every step and at the end every device must agree with the mirror and the server
 * (see {@link ConvergenceRun} for the checks). Each sequence has a fresh mailbox, account and devices.
 *
 * <p>Every sequence is drawn from a seed, printed before it runs and in any failure. By default a test
 * runs the sequences of its own fixed seeds, so the suite gives the same answer every run. System
 * properties: {@value #SEED}{@code =<n>} runs just that sequence; {@value #SEED}{@code =random} explores
 * (fresh seeds every run: a failure is a bug to fix, kept as a {@link #replays} test); {@value
 * #SEQUENCES} sets how many run; {@value #STEPS} (e.g.
 * {@code 0,3,7}) keeps only those steps of it; {@value #SHRINK}{@code =true} minimises a failing
 * sequence by leaving steps out for as long as it still fails the same check; {@value #VERBOSE}{@code
 * =true} prints what every sequence did, not only a failing one.
 */
abstract class ConvergenceContract {
    static final String SEED = "convergence.seed";
    static final String SEQUENCES = "convergence.sequences";
    static final String STEPS = "convergence.steps";
    static final String SHRINK = "convergence.shrink";
    static final String VERBOSE = "convergence.verbose";
    private static final int SHRINK_ATTEMPTS = 60;

    /** A fresh mailbox user on the server. */
    protected abstract OtherClient.Mailbox newMailbox(String user, String password);

    /** The folders steps put messages in and move them between, INBOX first; created when missing. */
    protected abstract List<String> stepFolders();

    /** The folder the server marks {@code \Trash} (RFC 6154 SPECIAL-USE), or null. */
    protected abstract String trashFolder();

    /** The flags steps set and clear. */
    protected abstract List<String> flags();

    /** What a seed stands for besides its steps. */
    private record Plan(int devices, String deleteMode, List<Step> steps) {}

    private Plan plan(long seed, int minSteps, int maxSteps) {
        SplittableRandom r = new SplittableRandom(~seed);
        int devices = 2 + r.nextInt(2);
        String deleteMode = r.nextBoolean() ? "TRASH" : "EXPUNGE";
        return new Plan(devices, deleteMode, Step.generate(seed, new Step.Shape(devices, minSteps, maxSteps, flags())));
    }

    /**
     * Runs the sequences of seeds {@code firstSeed}, {@code firstSeed + 1}, ... (or those the system
     * properties ask for); fails with the first sequence that breaks a check.
     */
    protected final void converges(String label, long firstSeed, int sequences, int minSteps, int maxSteps) {
        String asked = System.getProperty(SEED, "").trim();
        boolean one = !asked.isEmpty() && !asked.equals("random");
        long base = one ? Long.parseLong(asked) : asked.equals("random") ? new SecureRandom().nextLong() : firstSeed;
        int count = one ? 1 : Integer.getInteger(SEQUENCES, sequences);
        System.out.printf(
                "model %s: %d sequence(s), seeds %d..%d (run one again with -D%s=<seed>)%n",
                label, count, base, base + count - 1, SEED);
        Map<String, Integer> totals = new TreeMap<>();
        int steps = 0;
        int jobs = 0;
        long started = System.nanoTime();
        for (int i = 0; i < count; i++) {
            long seed = base + i;
            Plan plan = plan(seed, minSteps, maxSteps);
            List<Integer> keep = kept(plan.steps().size());
            Attempt attempt = attempt(seed, plan, keep);
            if (attempt.failure() != null) {
                throw failure(label, seed, plan, keep, attempt);
            }
            System.out.printf(
                    "model %s: seed %d: %d steps, %d devices, delete mode %s, %d jobs, %d ms, results %s%n",
                    label,
                    seed,
                    keep.size(),
                    plan.devices(),
                    plan.deleteMode(),
                    attempt.run().jobs(),
                    attempt.millis(),
                    attempt.run().outcomes());
            if (Boolean.getBoolean(VERBOSE)) {
                attempt.run().log().forEach(line -> System.out.println("  " + line));
            }
            attempt.run().outcomes().forEach((k, v) -> totals.merge(k, v, Integer::sum));
            steps += keep.size();
            jobs += attempt.run().jobs();
        }
        System.out.printf(
                "model %s: %d sequences, %d steps, %d sync jobs in %d s; device change results %s%n",
                label, count, steps, jobs, (System.nanoTime() - started) / 1_000_000_000L, totals);
    }

    /**
     * Runs one hand-written sequence (a minimised failure kept as a regression test) with the same
     * checks; {@code seed} only names its messages.
     */
    protected final void replays(String label, String deleteMode, int devices, List<Step> steps) {
        Plan plan = new Plan(devices, deleteMode, List.copyOf(steps));
        List<Integer> all = IntStream.range(0, steps.size()).boxed().toList();
        Attempt attempt = attempt(0, plan, all);
        if (attempt.failure() != null) {
            throw failure(label, null, plan, all, attempt);
        }
    }

    private record Attempt(ConvergenceRun run, Throwable failure, long millis) {}

    private Attempt attempt(long seed, Plan plan, List<Integer> keep) {
        long started = System.nanoTime();
        String user = "m" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        ConvergenceRun run = new ConvergenceRun(new ConvergenceRun.Setup(
                seed, newMailbox(user, "pw-" + user), stepFolders(), trashFolder(), plan.deleteMode(), plan.devices()));
        try {
            run.start();
            for (int index : keep) {
                run.run(index, plan.steps().get(index));
            }
            run.finish();
            return new Attempt(run, null, (System.nanoTime() - started) / 1_000_000);
        } catch (AssertionError | RuntimeException e) {
            return new Attempt(run, e, (System.nanoTime() - started) / 1_000_000);
        } finally {
            run.close();
        }
    }

    private List<Integer> kept(int size) {
        String steps = System.getProperty(STEPS);
        if (steps == null || steps.isBlank()) {
            return IntStream.range(0, size).boxed().toList();
        }
        return Arrays.stream(steps.split(","))
                .map(String::trim)
                .map(Integer::parseInt)
                .filter(i -> i < size)
                .toList();
    }

    /** The failure with everything needed to run it again; {@code seed} null for a hand-written sequence. */
    private AssertionError failure(String label, Long seed, Plan plan, List<Integer> keep, Attempt attempt) {
        List<Integer> steps = keep;
        Attempt last = attempt;
        if (seed != null && Boolean.getBoolean(SHRINK)) {
            Shrunk shrunk = shrink(seed, plan, keep, attempt.failure());
            steps = shrunk.steps();
            last = shrunk.attempt();
        }
        StringBuilder text = new StringBuilder("model ").append(label);
        if (seed == null) {
            text.append(": the hand-written sequence failed");
        } else {
            text.append(": sequence ").append(seed).append(" failed");
            if (steps.size() < plan.steps().size()) {
                text.append(" (").append(steps.size()).append(" of its steps kept)");
            }
            text.append("\nrun it again: -D").append(SEED).append('=').append(seed);
            if (steps.size() < plan.steps().size()) {
                text.append(" -D")
                        .append(STEPS)
                        .append('=')
                        .append(String.join(
                                ",", steps.stream().map(String::valueOf).toList()));
            }
        }
        text.append("\nsteps:\n");
        for (int index : steps) {
            text.append("  ")
                    .append(index)
                    .append(": ")
                    .append(plan.steps().get(index))
                    .append('\n');
        }
        text.append("what happened:\n");
        last.run().log().forEach(line -> text.append("  ").append(line).append('\n'));
        text.append("failure: ").append(last.failure().getMessage());
        System.out.println(text);
        return new AssertionError(text.toString(), last.failure());
    }

    private record Shrunk(List<Integer> steps, Attempt attempt) {}

    /** Leaves out chunks of steps (halves, then quarters, …) while the sequence still fails the same way. */
    private Shrunk shrink(long seed, Plan plan, List<Integer> keep, Throwable original) {
        List<Integer> current = new ArrayList<>(keep);
        Attempt best = null;
        int chunks = 2;
        int attempts = 0;
        while (current.size() > 1 && attempts < SHRINK_ATTEMPTS) {
            int size = (current.size() + chunks - 1) / chunks;
            boolean reduced = false;
            for (int from = 0; from < current.size() && attempts < SHRINK_ATTEMPTS; from += size) {
                List<Integer> candidate = new ArrayList<>(current.subList(0, from));
                candidate.addAll(current.subList(Math.min(current.size(), from + size), current.size()));
                attempts++;
                Attempt a = attempt(seed, plan, candidate);
                if (a.failure() != null && sameKind(a.failure(), original)) {
                    System.out.printf("model: still fails with %d steps %s%n", candidate.size(), candidate);
                    current = candidate;
                    best = a;
                    chunks = Math.max(chunks - 1, 2);
                    reduced = true;
                    break;
                }
            }
            if (!reduced) {
                if (size == 1) {
                    break;
                }
                chunks = Math.min(current.size(), chunks * 2);
            }
        }
        return best == null ? new Shrunk(keep, attempt(seed, plan, keep)) : new Shrunk(current, best);
    }

    private static boolean sameKind(Throwable a, Throwable b) {
        if (a instanceof ModelFailure fa && b instanceof ModelFailure fb) {
            return fa.check == fb.check;
        }
        return a.getClass().equals(b.getClass());
    }
}
