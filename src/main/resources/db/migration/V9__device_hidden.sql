-- Messages a device deleted from its own view while the account keeps them (POP3 without
-- deleteOnServerWhenDeletedOnDevice): the message stays live in the mirror for the other devices, and this
-- device alone gets it as `destroyed` and never again as created or updated (not in its deltas, its full
-- view, nor when its view is widened). Each row holds a number of the account's change sequence taken when
-- the device deleted the message, so the hide pages in order with the real changes. Written only for POP3
-- accounts. A row goes with its device, or with the message's tombstone when that is purged.
CREATE TABLE device_hidden (
    device_id   text   NOT NULL REFERENCES device (id) ON DELETE CASCADE,
    message_id  text   NOT NULL REFERENCES mirror_message (id) ON DELETE CASCADE,
    seq         bigint NOT NULL,
    PRIMARY KEY (device_id, message_id)
);
CREATE INDEX device_hidden_seq_idx ON device_hidden (device_id, seq);
-- Who hid a message (the POP3 planner's input; the cascade when its tombstone is purged).
CREATE INDEX device_hidden_message_idx ON device_hidden (message_id);
