package dev.mailsync.sync;

import static dev.mailsync.sync.DeltaPlanner.mayHaveReached;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** When a destroyed row is news for a device that reads its changes in pages (no I/O). */
class DeltaPagingRuleTest {

    @Test
    void a_row_created_before_the_paging_started_is_news_when_destroyed() {
        // base 10: the device had everything up to 10 when it started paging
        assertThat(mayHaveReached(7, 30, 10, 10, 20)).isTrue();
        assertThat(mayHaveReached(10, 11, 10, 15, 20)).isTrue();
    }

    @Test
    void a_row_delivered_on_an_earlier_page_and_destroyed_later_is_news() {
        // created at 11 (after base 10), on page 1 (10, 12], destroyed at 25 after the paging began at 20
        assertThat(mayHaveReached(11, 25, 10, 12, 20)).isTrue();
    }

    @Test
    void a_row_destroyed_before_the_paging_began_or_created_after_the_last_page_read_is_not() {
        // created at 11 and destroyed at 18, before the first page was read at 20: never on a page
        assertThat(mayHaveReached(11, 18, 10, 15, 20)).isFalse();
        // created at 16, after this page's lower bound 15: no earlier page can have had it
        assertThat(mayHaveReached(16, 25, 10, 15, 20)).isFalse();
    }
}
