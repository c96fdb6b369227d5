package dev.mailsync.mail.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SearchResultsTest {
    @Test
    void rangesAndSingleNumbersOfASequenceSet() {
        assertThat(SearchResults.sequenceSet("1:5,7,9:12", 100))
                .containsExactly(1L, 2L, 3L, 4L, 5L, 7L, 9L, 10L, 11L, 12L);
        assertThat(SearchResults.sequenceSet("42", 100)).containsExactly(42L);
    }

    @Test
    void aReversedRangeAndOverlapsGiveSortedDistinctUids() {
        assertThat(SearchResults.sequenceSet("12:9,3,10,1:2", 100)).containsExactly(1L, 2L, 3L, 9L, 10L, 11L, 12L);
    }

    @Test
    void uidsAboveTwoToTheThirtyOneUpToTheLargestUnsigned32BitValue() {
        assertThat(SearchResults.sequenceSet("2147483647:2147483649,4294967295", 100))
                .containsExactly(2_147_483_647L, 2_147_483_648L, 2_147_483_649L, 4_294_967_295L);
        assertThat(SearchResults.esearchAll("(TAG \"A7\") UID ALL 3000000000:3000000001", 100))
                .containsExactly(3_000_000_000L, 3_000_000_001L);
        assertThat(SearchResults.search("3000000000 1", 100)).containsExactly(1L, 3_000_000_000L);
    }

    @Test
    void anEsearchAnswerWithCorrelatorAndOtherReturnData() {
        assertThat(SearchResults.esearchAll("(TAG \"A5\") UID ALL 1:5,7,9:12", 100))
                .containsExactly(1L, 2L, 3L, 4L, 5L, 7L, 9L, 10L, 11L, 12L);
        assertThat(SearchResults.esearchAll("(TAG \"A5\") UID MIN 4 ALL 4,8 COUNT 2 MAX 8", 100))
                .containsExactly(4L, 8L);
        assertThat(SearchResults.esearchAll("UID ALL 6", 100)).containsExactly(6L);
        assertThat(SearchResults.esearchAll("(TAG \"a \\\"b\\\" (c\") uid all 6", 100))
                .containsExactly(6L);
    }

    @Test
    void anEsearchAnswerWithoutAllMatchedNothing() {
        assertThat(SearchResults.esearchAll("(TAG \"A5\") UID", 100)).isEmpty();
        assertThat(SearchResults.esearchAll("(TAG \"A5\") UID COUNT 0", 100)).isEmpty();
    }

    @Test
    void aClassicSearchAnswer() {
        assertThat(SearchResults.search("5 3 9 3", 100)).containsExactly(3L, 5L, 9L);
        assertThat(SearchResults.search("", 100)).isEmpty();
        assertThat(SearchResults.search(null, 100)).isEmpty();
        assertThat(SearchResults.search("2 4 (MODSEQ 917162500)", 100)).containsExactly(2L, 4L);
    }

    @Test
    void malformedAnswersAreRejected() {
        assertThatThrownBy(() -> SearchResults.esearchAll("(TAG \"A5\") ALL 1:3", 100))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a UID result");
        assertThatThrownBy(() -> SearchResults.esearchAll("(TAG \"A5\" UID ALL 1", 100))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SearchResults.esearchAll("UID ALL", 100)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SearchResults.sequenceSet("1:*", 100)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SearchResults.sequenceSet("0:3", 100)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SearchResults.sequenceSet("4294967296", 100))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SearchResults.sequenceSet("1,,2", 100)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SearchResults.search("1 x 2", 100)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aHugeRangeIsRefusedBeforeAnythingIsAllocated() {
        assertThatThrownBy(() -> SearchResults.sequenceSet("1:4294967295", 1_000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("more than 1000");
        assertThatThrownBy(() -> SearchResults.sequenceSet("1:600,601:1001", 1_000))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(SearchResults.sequenceSet("1:1000", 1_000)).hasSize(1_000);
    }
}
