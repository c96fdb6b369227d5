-- Mailbox storage use from the last sync (IMAP GETQUOTAROOT, RFC 9208), in KiB.
ALTER TABLE account ADD COLUMN quota_used_kb bigint;
ALTER TABLE account ADD COLUMN quota_limit_kb bigint;
ALTER TABLE account ADD COLUMN quota_at timestamptz;
