-- The device whose own change (e.g. SET_FLAGS) made a row's latest change: that device does not get it
-- back as news in its delta; every other device does. A change seen on the server clears it.
ALTER TABLE mirror_message ADD COLUMN changed_by_device text;
