package dev.mailsync.service;

import dev.mailsync.store.AccountRepository;
import dev.mailsync.store.DeviceRepository;
import dev.mailsync.store.Tx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Figures for operators across all owners. */
@ApplicationScoped
public class AdminService {
    /** How many accounts, devices and distinct owners the service holds. */
    public record Overview(long accounts, long devices, long owners) {}

    private final AccountRepository accounts;
    private final DeviceRepository devices;

    @Inject
    public AdminService(AccountRepository accounts, DeviceRepository devices) {
        this.accounts = accounts;
        this.devices = devices;
    }

    public Overview overview() {
        return Tx.call(() -> new Overview(accounts.count(), devices.count(), accounts.countOwners()));
    }
}
