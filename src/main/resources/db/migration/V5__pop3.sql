-- POP3: the stored copy of every downloaded message, what mailsync knows of its state on the server,
-- and the maildrop's size from the last STAT.

-- One row per message mailsync downloaded, keyed by the server's UIDL. The message is stored whole
-- (content) in the same transaction as its mirror row, so a crash never leaves half of it. server_state:
--   ON_SERVER    the last listing had it;
--   DELETE_SENT  DELE was sent and the session ended with QUIT +OK (not confirmed yet);
--   GONE         a later listing no longer had it (confirmed; also when someone else removed it).
-- The content is released (set NULL, released_at) only when the server copy is GONE and no device can
-- read the message any more (its mirror row is a tombstone).
CREATE TABLE pop3_message (
    account_id               text        NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    uidl                     text        NOT NULL,
    -- SET NULL, not CASCADE: when the tombstone is purged the UIDL must stay known, or a message still
    -- on the server would be downloaded again.
    mirror_message_id        text        REFERENCES mirror_message (id) ON DELETE SET NULL,
    -- The change number that created the mirror row: a device has the message once it acknowledged it.
    created_seq              bigint      NOT NULL,
    size                     bigint      NOT NULL,
    server_size              bigint      NOT NULL,
    first_downloaded_at      timestamptz NOT NULL,
    server_state             text        NOT NULL DEFAULT 'ON_SERVER'
                                 CHECK (server_state IN ('ON_SERVER', 'DELETE_SENT', 'GONE')),
    delete_reason            text,
    delete_sent_at           timestamptz,
    gone_at                  timestamptz,
    -- A device deleted it from its view; with deleteOnServerWhenDeletedOnDevice it is also due on the server.
    deleted_by_device        text,
    server_delete_requested  boolean     NOT NULL DEFAULT false,
    content                  bytea,
    released_at              timestamptz,
    PRIMARY KEY (account_id, uidl),
    CONSTRAINT pop3_message_content_or_released CHECK ((content IS NULL) = (released_at IS NOT NULL))
);
-- Uncompressed out-of-line storage: the body is read back in slices (substring) without detoasting it whole.
ALTER TABLE pop3_message ALTER COLUMN content SET STORAGE EXTERNAL;
CREATE UNIQUE INDEX pop3_message_mirror_uq ON pop3_message (mirror_message_id);

-- The maildrop as the last STAT saw it.
CREATE TABLE pop3_maildrop (
    account_id   text        PRIMARY KEY REFERENCES account (id) ON DELETE CASCADE,
    count        integer     NOT NULL,
    size_bytes   bigint      NOT NULL,
    checked_at   timestamptz NOT NULL
);

-- What a POP3 sync did besides the device's changes: deletions with the policy that caused them, skips.
ALTER TABLE sync_job ADD COLUMN pop3_report jsonb;
