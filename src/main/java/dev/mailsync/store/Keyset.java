package dev.mailsync.store;

import dev.mailsync.sync.Page;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

/**
 * Keyset paging over (createdAt, id) for any entity that has both: stable under inserts, no OFFSET
 * scans. Reads one row more than asked to know whether another page follows.
 */
final class Keyset {
    private Keyset() {}

    static <E, T> Page<T> page(
            PanacheRepositoryBase<E, String> repository,
            String scope,
            Parameters parameters,
            String cursor,
            int limit,
            Function<E, Instant> createdAt,
            Function<E, String> id,
            Function<E, T> mapper) {
        String query = scope;
        if (cursor != null) {
            PageCursor after = PageCursor.decode(cursor);
            query += " and (createdAt > :afterAt or (createdAt = :afterAt and id > :afterId))";
            parameters = parameters.and("afterAt", after.createdAt()).and("afterId", after.id());
        }
        // range() is inclusive at both ends: limit + 1 rows.
        List<E> rows = repository
                .find(query + " order by createdAt, id", parameters)
                .range(0, limit)
                .list();
        String next = null;
        if (rows.size() > limit) {
            E last = rows.get(limit - 1);
            next = new PageCursor(createdAt.apply(last), id.apply(last)).encode();
            rows = rows.subList(0, limit);
        }
        return new Page<>(rows.stream().map(mapper).toList(), next);
    }
}
