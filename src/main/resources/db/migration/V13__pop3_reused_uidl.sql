-- A UIDL the server reuses for a new message once the old one is gone (RFC 1939 allows it) names a new
-- stored message, beside the old one.
--
-- Until now pop3_message was keyed by (account_id, uidl): a UIDL listed again after its stored message was
-- confirmed gone was taken for that message, so the new message was never downloaded and could even be
-- deleted on the server on the strength of the old one's acknowledgements. Now:
--   * the key is (account_id, created_seq): the change number that created the message's mirror row, unique
--     in the account (every download takes its own), never changed, never NULL;
--   * a UIDL names at most one stored message that is not confirmed gone (server_state ON_SERVER or
--     DELETE_SENT): the partial unique index below. The listing is matched against that one; once it is
--     GONE the UIDL is free, and a listing with it again is a new message, downloaded and stored as such.
-- The old row keeps its content, mirror row and state: devices that still read it keep reading it, and it
-- is released as before (only once the server copy is gone and no device can read it).
-- Statements that address rows by UIDL (confirming a deletion, recording DELE) filter on the state and so
-- reach the one live row; those that address confirmed-gone rows (retire, release) use created_seq.

ALTER TABLE pop3_message DROP CONSTRAINT pop3_message_pkey;
ALTER TABLE pop3_message ADD CONSTRAINT pop3_message_pkey PRIMARY KEY (account_id, created_seq);
CREATE UNIQUE INDEX pop3_message_live_uidl_uq ON pop3_message (account_id, uidl) WHERE server_state <> 'GONE';
