package dev.mailsync.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StateTokenTest {

    @Test
    void a_token_round_trips_and_is_opaque() {
        String token = new StateToken("dev_abc", 42).encode();
        assertThat(token).doesNotContain("dev_abc").doesNotContain(":");
        assertThat(StateToken.decode(token)).isEqualTo(new StateToken("dev_abc", 42));
    }

    @Test
    void a_paging_token_keeps_where_the_paging_started_and_tokens_of_the_earlier_format_still_decode() {
        StateToken paging = new StateToken("dev_abc", 40, 10, 55);
        assertThat(paging.complete()).isFalse();
        assertThat(StateToken.decode(paging.encode())).isEqualTo(paging);
        // "s2:dev_abc:40:10", as the release before issued it: read as if the paging started at 40
        String earlier = java.util.Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString("s2:dev_abc:40:10".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(StateToken.decode(earlier)).isEqualTo(new StateToken("dev_abc", 40, 10, 40));
        assertThat(new StateToken("dev_abc", 7).complete()).isTrue();
        assertThatThrownBy(() -> new StateToken("d", 40, 10, 9)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anything_not_issued_here_is_refused() {
        assertThatThrownBy(() -> StateToken.decode("garbage!")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StateToken.decode("czE6ZGV2OmFiYw")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new StateToken("d", -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
