-- The highest complete state handed to a device (the newState of a last page of changes, or a full view's
-- state). A device's own flag change is authored by it (not echoed back) only when the message's previous
-- version is at or below this: otherwise it gets the merged flags back, with what others changed.
ALTER TABLE device ADD COLUMN delivered_seq bigint NOT NULL DEFAULT 0;
