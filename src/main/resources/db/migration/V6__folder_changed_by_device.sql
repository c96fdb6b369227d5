-- The device whose own folder change (CREATE_FOLDER, RENAME_FOLDER, DELETE_FOLDER) made a folder's latest
-- change: that device does not get it back as news; every other device does. A change seen on the server
-- clears it (as for mirror_message.changed_by_device, V4).
ALTER TABLE mirror_folder ADD COLUMN changed_by_device text;
