package dev.mailsync.jobs.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * One step of a generated sequence. Steps hold only random numbers ("the pick-th message"), not
 * concrete messages: they are resolved against the model when they run, so any sequence (also one with
 * steps left out while minimising a failure) can run against any state. A pick resolves to
 * {@code list.get(pick % list.size())} of a list in a fixed order; a step whose list is empty does
 * nothing.
 */
sealed interface Step {
    /** Another client appends a new message with these flags. */
    record ServerAppend(int folder, Set<String> flags) implements Step {}

    /** Another client sets ({@code set}) or clears one flag of a message. */
    record ServerFlag(int pick, String flag, boolean set) implements Step {}

    /** Another client expunges {@code count} messages of one folder at once, starting at the picked one. */
    record ServerExpunge(int pick, int count) implements Step {}

    /** Another client moves a message to another folder. */
    record ServerMove(int pick, int toFolder) implements Step {}

    /** A device schedules a sync carrying these changes (maybe none), then reads its delta. */
    record DeviceSync(int device, List<Change> changes, int pageLimit) implements Step {}

    /** A device reads its delta without a sync (the mirror as the last job left it). */
    record DeviceRead(int device, int pageLimit) implements Step {}

    /** A change a device pushes, resolved against what that device knows. */
    sealed interface Change {
        record SetFlags(int pick, Set<String> add, Set<String> remove) implements Change {}

        record Delete(int pick) implements Change {}

        record Move(int pick, int toFolder) implements Change {}

        /** A change naming a message id mailsync never issued. */
        record Unknown(Set<String> add) implements Change {}
    }

    /** How big and how varied sequences are. */
    record Shape(int devices, int minSteps, int maxSteps, List<String> flags) {}

    /** The sequence a seed stands for. */
    static List<Step> generate(long seed, Shape shape) {
        SplittableRandom r = new SplittableRandom(seed);
        int length = shape.minSteps() + r.nextInt(shape.maxSteps() - shape.minSteps() + 1);
        List<Step> steps = new ArrayList<>();
        // A few messages first, so that the early device changes have something to work on.
        int initial = r.nextInt(5);
        for (int i = 0; i < initial; i++) {
            steps.add(new ServerAppend(r.nextInt(4) == 0 ? 1 + r.nextInt(8) : 0, flags(r, shape, 0.25)));
        }
        while (steps.size() < length) {
            int roll = r.nextInt(100);
            Step step;
            if (roll < 20) {
                step = new ServerAppend(r.nextInt(3) == 0 ? 1 + r.nextInt(8) : 0, flags(r, shape, 0.2));
            } else if (roll < 34) {
                step = new ServerFlag(pick(r), oneOf(r, shape.flags()), r.nextBoolean());
            } else if (roll < 41) {
                step = new ServerExpunge(pick(r), 1 + r.nextInt(3));
            } else if (roll < 47) {
                step = new ServerMove(pick(r), r.nextInt(8));
            } else if (roll < 89) {
                int count = r.nextInt(4);
                List<Change> changes = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    changes.add(change(r, shape));
                }
                step = new DeviceSync(r.nextInt(shape.devices()), changes, pageLimit(r));
            } else {
                step = new DeviceRead(r.nextInt(shape.devices()), pageLimit(r));
            }
            steps.add(step);
        }
        return steps;
    }

    private static Change change(SplittableRandom r, Shape shape) {
        int roll = r.nextInt(100);
        if (roll < 50) {
            Set<String> add = flags(r, shape, 0.3);
            Set<String> remove = flags(r, shape, 0.25);
            remove.removeAll(add);
            if (add.isEmpty() && remove.isEmpty()) {
                add.add(oneOf(r, shape.flags()));
            }
            return new Change.SetFlags(pick(r), add, remove);
        } else if (roll < 70) {
            return new Change.Delete(pick(r));
        } else if (roll < 92) {
            return new Change.Move(pick(r), r.nextInt(8));
        }
        return new Change.Unknown(Set.of(oneOf(r, shape.flags())));
    }

    private static int pick(SplittableRandom r) {
        return r.nextInt(1_000);
    }

    /** Mostly one page for everything, sometimes small pages to go through paging. */
    private static int pageLimit(SplittableRandom r) {
        return r.nextInt(3) == 0 ? 1 + r.nextInt(4) : 500;
    }

    private static Set<String> flags(SplittableRandom r, Shape shape, double p) {
        Set<String> out = new TreeSet<>();
        for (String flag : shape.flags()) {
            if (r.nextDouble() < p) {
                out.add(flag);
            }
        }
        return out;
    }

    private static String oneOf(SplittableRandom r, List<String> list) {
        return list.get(r.nextInt(list.size()));
    }
}
