package dev.mailsync.service;

import java.util.function.Supplier;

/** Turns a paging cursor the store cannot read into a 400 on the {@code cursor} parameter. */
final class Cursors {
    private Cursors() {}

    static <T> T guard(Supplier<T> read) {
        try {
            return read.get();
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("cursor", "is not a cursor from a previous page of this list");
        }
    }
}
