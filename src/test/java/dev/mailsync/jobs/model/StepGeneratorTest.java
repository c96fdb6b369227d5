package dev.mailsync.jobs.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Properties of the sequence generator, for any seed: a seed stands for one sequence, and every
 * sequence is one the API accepts (a SET_FLAGS the API would answer 400 would test nothing).
 */
class StepGeneratorTest {
    private static final List<String> FLAGS = List.of("\\Seen", "\\Flagged", "\\Answered", "\\Draft", "$Work");

    // Fixed seeds, so that the suite gives the same answer every run.
    @Property(tries = 300, seed = "7")
    void a_seed_always_stands_for_the_same_sequence(
            @ForAll long seed, @ForAll @IntRange(min = 2, max = 3) int devices) {
        Step.Shape shape = new Step.Shape(devices, 10, 30, FLAGS);

        assertThat(Step.generate(seed, shape)).isEqualTo(Step.generate(seed, shape));
    }

    @Property(tries = 300, seed = "11")
    void every_generated_step_is_within_the_shape_and_every_change_is_valid_for_the_api(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 3) int devices,
            @ForAll @IntRange(min = 0, max = 20) int minSteps,
            @ForAll @IntRange(min = 0, max = 20) int extraSteps) {
        Step.Shape shape = new Step.Shape(devices, minSteps, minSteps + extraSteps, FLAGS);

        List<Step> steps = Step.generate(seed, shape);

        // at least minSteps, at most maxSteps, or the up to 4 appends every sequence starts with
        assertThat(steps.size()).isBetween(minSteps, Math.max(minSteps + extraSteps, 4));
        for (Step step : steps) {
            switch (step) {
                case Step.ServerAppend a -> assertThat(FLAGS).containsAll(a.flags());
                case Step.ServerFlag f -> assertThat(FLAGS).contains(f.flag());
                case Step.ServerExpunge e -> assertThat(e.count()).isBetween(1, 3);
                case Step.ServerMove m -> assertThat(m.pick()).isNotNegative();
                case Step.DeviceRead r -> {
                    assertThat(r.device()).isBetween(0, devices - 1);
                    assertThat(r.pageLimit()).isPositive();
                }
                case Step.DeviceSync s -> {
                    assertThat(s.device()).isBetween(0, devices - 1);
                    assertThat(s.changes()).hasSizeLessThanOrEqualTo(3);
                    s.changes().forEach(StepGeneratorTest::validForTheApi);
                }
            }
        }
    }

    private static void validForTheApi(Step.Change change) {
        if (change instanceof Step.Change.SetFlags f) {
            assertThat(FLAGS).containsAll(f.add()).containsAll(f.remove());
            assertThat(f.add().isEmpty() && f.remove().isEmpty())
                    .as("SET_FLAGS needs flags to add or to remove")
                    .isFalse();
            Set<String> both = new HashSet<>(f.add());
            both.retainAll(f.remove());
            assertThat(both).as("a flag both added and removed").isEmpty();
        } else if (change instanceof Step.Change.Unknown u) {
            assertThat(u.add()).isNotEmpty();
        }
    }
}
