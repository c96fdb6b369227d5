package dev.mailsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AccountWarningsTest {

    private static List<String> codes(List<AccountWarnings.Warning> warnings) {
        return warnings.stream().map(AccountWarnings.Warning::code).toList();
    }

    @Test
    void deleting_pop3_policies_warn_only_with_more_than_one_device() {
        Pop3Retention first = new Pop3Retention(Pop3RetentionPolicy.DELETE_AFTER_FIRST_DEVICE, null);
        assertThat(AccountWarnings.of(Protocol.POP3, Security.TLS, first, 1, null))
                .isEmpty();
        assertThat(codes(AccountWarnings.of(Protocol.POP3, Security.TLS, first, 2, null)))
                .containsExactly(AccountWarnings.MULTI_DEVICE_DELETION);
        assertThat(AccountWarnings.of(Protocol.POP3, Security.TLS, Pop3Retention.KEEP, 5, null))
                .isEmpty();
    }

    @Test
    void a_mailbox_from_ninety_percent_full_warns() {
        assertThat(AccountWarnings.of(Protocol.IMAP, Security.TLS, null, 1, new QuotaUsage(899, 1000)))
                .isEmpty();
        assertThat(codes(AccountWarnings.of(Protocol.IMAP, Security.TLS, null, 1, new QuotaUsage(900, 1000))))
                .containsExactly(AccountWarnings.QUOTA_NEARLY_FULL);
        assertThat(new QuotaUsage(900, 1000).percent()).isEqualTo(90.0);
        assertThat(new QuotaUsage(5, 0).nearlyFull()).isFalse();
    }

    @Test
    void plaintext_always_warns() {
        assertThat(codes(AccountWarnings.of(Protocol.IMAP, Security.NONE, null, 0, null)))
                .containsExactly(AccountWarnings.PLAINTEXT_CONNECTION);
    }
}
