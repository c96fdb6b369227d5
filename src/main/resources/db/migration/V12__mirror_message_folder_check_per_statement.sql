-- The folder of a mirror message is checked once per statement instead of once per row.
--
-- The foreign key (account_id, folder_id) -> mirror_folder made PostgreSQL run one lookup per inserted row:
-- a first sync of 100,000 messages spent a third of the database's time on them (binary COPY of 200 chunks
-- of 500 rows, bench database, quiet machine: 2.1-2.4 s with the key, 1.4-1.8 s with the check below).
-- A mirror insert already updates its folder's row once per statement (V10's live count); that UPDATE
-- now covers every folder named by the statement's rows and is the check: a folder it does not find does
-- not exist (or was deleted meanwhile), and the statement fails with foreign_key_violation naming the
-- same constraint as before. The UPDATE holds the folder row's lock to the end of the transaction, so a
-- concurrent DELETE of the folder waits for the insert to commit and then removes its rows too, or the
-- insert waits for the DELETE and fails: the guarantees of the foreign key, at one statement per COPY.
--
-- The rest of what the key did:
--   * ON DELETE CASCADE: a statement trigger on mirror_folder deletes the messages of the deleted
--     folders (an account's deletion reaches them through account -> mirror_folder, as before);
--   * a message moved to another folder by an UPDATE is checked row by row (mailsync never does this; the
--     trigger fires only when account_id or folder_id is in the UPDATE's SET list);
--   * a folder's key (account_id, id) cannot be changed while it has messages.

ALTER TABLE mirror_message DROP CONSTRAINT mirror_message_folder_fkey;

CREATE OR REPLACE FUNCTION mirror_live_count_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    folders bigint;
    found   bigint;
BEGIN
    UPDATE mirror_folder f SET live_count = f.live_count + d.n
      FROM (SELECT account_id, folder_id, count(*) FILTER (WHERE destroyed_seq IS NULL) AS n
              FROM inserted GROUP BY account_id, folder_id) d
     WHERE f.id = d.folder_id AND f.account_id = d.account_id;
    GET DIAGNOSTICS found = ROW_COUNT;
    SELECT count(*) INTO folders FROM (SELECT DISTINCT account_id, folder_id FROM inserted) x;
    IF found <> folders THEN
        RAISE EXCEPTION 'insert or update on table "mirror_message" violates foreign key constraint "mirror_message_folder_fkey"'
            USING ERRCODE = 'foreign_key_violation', TABLE = 'mirror_message', CONSTRAINT = 'mirror_message_folder_fkey',
                  DETAIL = 'A message refers to a folder (account_id, folder_id) that is not in mirror_folder.';
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION mirror_message_check_moved_folder() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM mirror_folder WHERE account_id = NEW.account_id AND id = NEW.folder_id FOR KEY SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'insert or update on table "mirror_message" violates foreign key constraint "mirror_message_folder_fkey"'
            USING ERRCODE = 'foreign_key_violation', TABLE = 'mirror_message', CONSTRAINT = 'mirror_message_folder_fkey',
                  DETAIL = format('Key (account_id, folder_id)=(%s, %s) is not present in table "mirror_folder".',
                                  NEW.account_id, NEW.folder_id);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER mirror_message_moved_folder_check AFTER UPDATE OF account_id, folder_id ON mirror_message
    FOR EACH ROW WHEN (OLD.account_id IS DISTINCT FROM NEW.account_id OR OLD.folder_id IS DISTINCT FROM NEW.folder_id)
    EXECUTE FUNCTION mirror_message_check_moved_folder();

CREATE FUNCTION mirror_folder_delete_messages() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM mirror_message m USING deleted_folders d WHERE m.folder_id = d.id AND m.account_id = d.account_id;
    RETURN NULL;
END
$$;

CREATE TRIGGER mirror_folder_delete_messages AFTER DELETE ON mirror_folder
    REFERENCING OLD TABLE AS deleted_folders
    FOR EACH STATEMENT EXECUTE FUNCTION mirror_folder_delete_messages();

CREATE FUNCTION mirror_folder_key_unchanged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM mirror_message WHERE account_id = OLD.account_id AND folder_id = OLD.id) THEN
        RAISE EXCEPTION 'update on table "mirror_folder" violates foreign key constraint "mirror_message_folder_fkey"'
            USING ERRCODE = 'foreign_key_violation', TABLE = 'mirror_folder', CONSTRAINT = 'mirror_message_folder_fkey',
                  DETAIL = 'The folder has messages; its key (account_id, id) cannot change.';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER mirror_folder_key_unchanged BEFORE UPDATE OF account_id, id ON mirror_folder
    FOR EACH ROW WHEN (OLD.account_id IS DISTINCT FROM NEW.account_id OR OLD.id IS DISTINCT FROM NEW.id)
    EXECUTE FUNCTION mirror_folder_key_unchanged();
