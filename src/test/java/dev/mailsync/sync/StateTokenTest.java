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
    void anything_not_issued_here_is_refused() {
        assertThatThrownBy(() -> StateToken.decode("garbage!")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StateToken.decode("czE6ZGV2OmFiYw")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new StateToken("d", -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
