-- Accounts and devices. Ids are opaque text ("acc_…", "dev_…"); the owner is the JWT subject.

CREATE TABLE account (
    id                        text        PRIMARY KEY,
    owner                     text        NOT NULL,
    name                      text,
    protocol                  text        NOT NULL CHECK (protocol IN ('IMAP', 'POP3')),
    host                      text        NOT NULL,
    port                      integer     NOT NULL CHECK (port BETWEEN 1 AND 65535),
    security                  text        NOT NULL CHECK (security IN ('TLS', 'STARTTLS', 'NONE')),
    username                  text        NOT NULL,
    -- AES-256-GCM: 12-byte nonce || ciphertext || 16-byte tag; the key id names the key used.
    password_ciphertext       bytea       NOT NULL,
    password_key_id           text        NOT NULL,
    pop3_retention_policy     text        CHECK (pop3_retention_policy IN
                                  ('KEEP', 'DELETE_AFTER_DAYS', 'DELETE_AFTER_FIRST_DEVICE', 'DELETE_AFTER_ALL_DEVICES')),
    pop3_retention_days       integer     CHECK (pop3_retention_days BETWEEN 1 AND 3650),
    delete_on_server_when_deleted_on_device boolean NOT NULL DEFAULT false,
    imap_delete_mode          text        CHECK (imap_delete_mode IN ('TRASH', 'EXPUNGE')),
    last_error_code           text,
    last_error_detail         text,
    last_error_at             timestamptz,
    last_sync_at              timestamptz,
    created_at                timestamptz NOT NULL,
    updated_at                timestamptz NOT NULL,
    version                   bigint      NOT NULL DEFAULT 0,
    CONSTRAINT account_protocol_settings CHECK (
        (protocol = 'POP3' AND pop3_retention_policy IS NOT NULL AND imap_delete_mode IS NULL
            AND ((pop3_retention_policy = 'DELETE_AFTER_DAYS') = (pop3_retention_days IS NOT NULL)))
        OR (protocol = 'IMAP' AND imap_delete_mode IS NOT NULL AND pop3_retention_policy IS NULL
            AND pop3_retention_days IS NULL))
);

-- One owner cannot register the same mailbox twice (it would sync it twice).
CREATE UNIQUE INDEX account_owner_mailbox_uq ON account (owner, protocol, lower(host), port, username);
-- Keyset paging of an owner's accounts.
CREATE INDEX account_owner_page_idx ON account (owner, created_at, id);

CREATE TABLE device (
    id                     text        PRIMARY KEY,
    account_id             text        NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    name                   text        NOT NULL,
    platform               text        NOT NULL CHECK (platform IN ('MOBILE', 'DESKTOP', 'WEB')),
    view_folders           text[],
    view_window_days       integer     CHECK (view_window_days BETWEEN 1 AND 36500),
    view_max_per_folder    integer     CHECK (view_max_per_folder BETWEEN 1 AND 100000),
    sync_interval_seconds  integer     CHECK (sync_interval_seconds BETWEEN 60 AND 86400),
    created_at             timestamptz NOT NULL,
    updated_at             timestamptz NOT NULL,
    version                bigint      NOT NULL DEFAULT 0
);

CREATE INDEX device_account_page_idx ON device (account_id, created_at, id);
