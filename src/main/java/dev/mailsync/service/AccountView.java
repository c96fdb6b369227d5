package dev.mailsync.service;

import dev.mailsync.sync.Account;
import dev.mailsync.sync.AccountWarnings;
import java.util.List;

/** An account with what is derived from it for display: its device count, warnings and (POP3) status. */
public record AccountView(
        Account account, long deviceCount, List<AccountWarnings.Warning> warnings, dev.mailsync.sync.Pop3Status pop3) {}
