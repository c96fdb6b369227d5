-- Items a device must get as `created` although they did not change: its view was widened (more folders,
-- a longer window, a higher maximum per folder) and they became visible. Each row holds a number of the
-- account's change sequence taken when the view changed, so they page in order with the real changes.
-- Rows at or below the device's acknowledged state are no longer needed and are removed on acknowledge.
CREATE TABLE device_resend (
    device_id   text    NOT NULL REFERENCES device (id) ON DELETE CASCADE,
    kind        char(1) NOT NULL CHECK (kind IN ('F', 'M')),
    item_id     text    NOT NULL,
    seq         bigint  NOT NULL,
    PRIMARY KEY (device_id, kind, item_id)
);
CREATE INDEX device_resend_seq_idx ON device_resend (device_id, seq);
