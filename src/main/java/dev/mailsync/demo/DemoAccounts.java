package dev.mailsync.demo;

import dev.mailsync.service.AccountService;
import dev.mailsync.service.AccountSettings;
import dev.mailsync.service.AccountView;
import dev.mailsync.service.DeviceService;
import dev.mailsync.service.DeviceSettings;
import dev.mailsync.sync.DeviceView;
import dev.mailsync.sync.ImapDeleteMode;
import dev.mailsync.sync.Platform;
import dev.mailsync.sync.Pop3RetentionPolicy;
import dev.mailsync.sync.Protocol;
import dev.mailsync.sync.Security;
import io.quarkus.arc.properties.IfBuildProperty;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The demo accounts of the demo mail server, owned by one subject (the one {@code /dev/token} signs by
 * default): an IMAP account with a phone, and a POP3 account with a phone and a laptop whose policy
 * deletes a message on the server once both have it ({@code DELETE_AFTER_ALL_DEVICES}). Made through the
 * same services as the API, so they are checked like any other account; made once, and pointed at the
 * server's ports again when those changed.
 */
@ApplicationScoped
@IfBuildProperty(name = "mailsync.dev.enabled", stringValue = "true")
public class DemoAccounts {
    private static final Logger LOG = Logger.getLogger(DemoAccounts.class);
    static final String IMAP_NAME = "Demo IMAP";
    static final String POP3_NAME = "Demo POP3";
    private static final String HOST = "127.0.0.1";

    private final AccountService accounts;
    private final DeviceService devices;

    DemoAccounts(AccountService accounts, DeviceService devices) {
        this.accounts = accounts;
        this.devices = devices;
    }

    void ensure(String owner, DemoMailServer.Ports ports) {
        ensure(
                owner,
                new AccountSettings(
                        IMAP_NAME,
                        Protocol.IMAP,
                        HOST,
                        ports.imap(),
                        Security.NONE,
                        DemoMailServer.IMAP_USER,
                        DemoMailServer.IMAP_PASSWORD,
                        null,
                        null,
                        ImapDeleteMode.TRASH),
                List.of(new DeviceSettings("Demo phone", Platform.MOBILE, DeviceView.EVERYTHING, null)));
        ensure(
                owner,
                new AccountSettings(
                        POP3_NAME,
                        Protocol.POP3,
                        HOST,
                        ports.pop3(),
                        Security.NONE,
                        DemoMailServer.POP3_USER,
                        DemoMailServer.POP3_PASSWORD,
                        new AccountSettings.RetentionSettings(Pop3RetentionPolicy.DELETE_AFTER_ALL_DEVICES, null),
                        null,
                        null),
                List.of(
                        new DeviceSettings("Demo phone", Platform.MOBILE, DeviceView.EVERYTHING, null),
                        new DeviceSettings("Demo laptop", Platform.DESKTOP, DeviceView.EVERYTHING, null)));
    }

    private void ensure(String owner, AccountSettings wanted, List<DeviceSettings> deviceSettings) {
        AccountView existing = find(owner, wanted.name());
        if (existing == null) {
            AccountView created = accounts.create(owner, wanted);
            for (DeviceSettings d : deviceSettings) {
                devices.create(owner, created.account().id(), d);
            }
            LOG.infof("demo account %s (%s) created for %s", created.account().id(), wanted.name(), owner);
        } else if (existing.account().port() != wanted.port()) {
            accounts.update(owner, existing.account().id(), current -> withPort(current, wanted.port()));
            LOG.infof(
                    "demo account %s now points at port %d", existing.account().id(), wanted.port());
        }
    }

    private AccountView find(String owner, String name) {
        List<AccountView> all = new ArrayList<>();
        String cursor = null;
        do {
            var page = accounts.list(owner, cursor, 100);
            all.addAll(page.items());
            cursor = page.nextCursor();
        } while (cursor != null);
        return all.stream()
                .filter(a -> name.equals(a.account().name()))
                .findFirst()
                .orElse(null);
    }

    private static AccountSettings withPort(AccountSettings s, int port) {
        return new AccountSettings(
                s.name(),
                s.protocol(),
                s.host(),
                port,
                s.security(),
                s.username(),
                s.password(),
                s.pop3Retention(),
                s.deleteOnServerWhenDeletedOnDevice(),
                s.imapDeleteMode());
    }
}
