package dev.mailsync.api;

import dev.mailsync.sync.Page;
import java.util.List;
import java.util.function.Function;

/** A page of a list: the items and, unless this is the last page, the cursor of the next. */
record PageResponse<T>(List<T> items, String nextCursor) {
    static <S, T> PageResponse<T> of(Page<S> page, Function<S, T> mapper) {
        return new PageResponse<>(page.items().stream().map(mapper).toList(), page.nextCursor());
    }
}
