package dev.mailsync.store;

import static dev.mailsync.support.Api.as;
import static dev.mailsync.support.Api.createAccount;
import static dev.mailsync.support.Api.createDevice;
import static dev.mailsync.support.Api.imapAccount;
import static dev.mailsync.support.Api.newSubject;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.hasItem;

import dev.mailsync.support.FreePorts;
import dev.mailsync.support.NoWorkers;
import dev.mailsync.support.QueueDb;
import dev.mailsync.sync.StateToken;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The mirror's own rules in PostgreSQL, on the real schema: fenced writes, tombstone purge and expired
 * states, lookups by UID and range, the live count the triggers keep, COPY and INSERT giving the same rows.
 * No worker runs (the job queue's profile), so a lease is taken by hand where a write needs one.
 */
@QuarkusTest
@TestProfile(NoWorkers.class)
class MirrorStoreTest {

    @Inject
    JobStore jobs;

    @Inject
    MirrorStore mirror;

    @Inject
    AgroalDataSource dataSource;

    private String owner;
    private String account;
    private String device;

    @BeforeEach
    void fixture() {
        owner = newSubject();
        account = createAccount(owner, imapAccount("127.0.0.1", FreePorts.closed()));
        device = createDevice(owner, account, "phone");
    }

    @Test
    void a_mirror_write_under_a_lease_that_was_taken_over_writes_nothing() {
        JobStore.Claim first = claimOwnJob();
        sql("UPDATE account_lease SET expires_at = now() - interval '1 second' WHERE account_id = '" + account + "'");
        JobStore.Claim second = QuarkusTransaction.requiringNew()
                .call(() -> jobs.claim("worker-b", Instant.now(), Instant.now().plusSeconds(30)))
                .orElseThrow();
        assertThat(second.job().id()).isEqualTo(first.job().id());
        assertThat(second.takeover()).isTrue();
        assertThat(second.leaseToken()).isGreaterThan(first.leaseToken());

        assertThatThrownBy(() -> QuarkusTransaction.requiringNew().run(() -> {
                    try {
                        mirror.applyFolderPlan(
                                account,
                                first.leaseToken(),
                                new dev.mailsync.sync.FolderPlanner.Plan(
                                        List.of(new dev.mailsync.sync.FolderInfo("INBOX", "/", null, true)),
                                        List.of(),
                                        List.of()),
                                Instant.now());
                    } catch (java.sql.SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }))
                .isInstanceOf(JobStore.StaleLeaseException.class);
        assertThat(queryLong("SELECT count(*) FROM mirror_folder WHERE account_id = '" + account + "'"))
                .isZero();
    }

    @Test
    void tombstones_past_retention_are_purged_and_older_states_then_expire() {
        sql("UPDATE account SET change_seq = 3 WHERE id = '" + account + "'");
        sql("INSERT INTO mirror_folder (id, account_id, name, created_seq, change_seq, destroyed_seq, destroyed_cause,"
                + " destroyed_at) VALUES ('fld_old_" + account + "', '" + account + "', 'Old', 1, 2, 2,"
                + " 'FOLDER_DELETED_ON_SERVER', now() - interval '40 days')");
        sql("INSERT INTO mirror_folder (id, account_id, name, created_seq, change_seq, destroyed_seq, destroyed_cause,"
                + " destroyed_at) VALUES ('fld_new_" + account + "', '" + account + "', 'Recent', 1, 3, 3,"
                + " 'FOLDER_DELETED_ON_SERVER', now() - interval '1 day')");

        int accounts = QuarkusTransaction.requiringNew()
                .call(() -> mirror.purgeTombstones(Instant.now().minus(java.time.Duration.ofDays(30))));

        assertThat(accounts).isGreaterThanOrEqualTo(1);
        assertThat(queryLong("SELECT purged_seq FROM account WHERE id = '" + account + "'"))
                .isEqualTo(2);
        assertThat(queryLong("SELECT count(*) FROM mirror_folder WHERE account_id = '" + account + "'"))
                .isEqualTo(1);
        as(owner)
                .queryParam("since", new StateToken(device, 1).encode())
                .get("/v1/accounts/{a}/devices/{d}/changes", account, device)
                .then()
                .statusCode(410);
        as(owner)
                .queryParam("since", new StateToken(device, 2).encode())
                .get("/v1/accounts/{a}/devices/{d}/changes", account, device)
                .then()
                .statusCode(200)
                .body("folders.destroyed", hasItem("fld_new_" + account));
    }

    @Test
    void mirror_lookups_by_uid_and_vanished_range_and_its_statistics_after_a_bulk_load() throws Exception {
        String folder = "fld_lk_" + account;
        sql("INSERT INTO mirror_folder (id, account_id, name, created_seq, change_seq) VALUES ('" + folder + "', '"
                + account + "', 'INBOX', 1, 1)");
        sql("INSERT INTO mirror_message (id, account_id, folder_id, uid, flags, size, created_seq, change_seq)"
                + " SELECT 'msg_lk_' || g || '_" + account + "', '" + account + "', '" + folder
                + "', g, '{}', 100, 1, 1"
                + " FROM generate_series(1, 200) g");
        // a tombstone inside a range is not a live message
        sql("UPDATE mirror_message SET destroyed_seq = 2, destroyed_cause = 'SERVER_EXPUNGE', destroyed_at = now()"
                + " WHERE folder_id = '" + folder + "' AND uid = 5");

        List<Long> found = QuarkusTransaction.requiringNew()
                .call(() -> mirror.liveMessagesAt(
                        folder,
                        List.of(3L, 150L, 999L),
                        List.of(new dev.mailsync.sync.UidRange(4, 7), new dev.mailsync.sync.UidRange(198, 250))))
                .stream()
                .map(dev.mailsync.sync.MirrorMessageRef::uid)
                .toList();
        assertThat(found).containsExactlyInAnyOrder(3L, 150L, 4L, 6L, 7L, 198L, 199L, 200L);

        // a range too wide to look up UID by UID: the folder is read once, the answer is the same
        List<Long> wide = QuarkusTransaction.requiringNew()
                .call(() -> mirror.liveMessagesAt(
                        folder,
                        List.of(3L),
                        List.of(new dev.mailsync.sync.UidRange(190, 190L + MirrorStore.MAX_UID_LOOKUP))))
                .stream()
                .map(dev.mailsync.sync.MirrorMessageRef::uid)
                .toList();
        assertThat(wide)
                .containsExactlyInAnyOrder(3L, 190L, 191L, 192L, 193L, 194L, 195L, 196L, 197L, 198L, 199L, 200L);

        // statistics of the columns those lookups filter on, after a bulk load
        sql("DELETE FROM pg_statistic WHERE starelid = 'mirror_message'::regclass");
        mirror.analyze();
        assertThat(queryLong("SELECT count(*) FROM pg_stats WHERE tablename = 'mirror_message'"
                        + " AND attname IN ('folder_id', 'uid', 'destroyed_seq')"))
                .isEqualTo(3);
    }

    @Test
    void the_live_count_of_a_folder_follows_every_insert_destroy_move_and_delete_of_its_messages() {
        String inbox = "fld_lc1_" + account;
        String archive = "fld_lc2_" + account;
        sql("INSERT INTO mirror_folder (id, account_id, name, created_seq, change_seq) VALUES ('" + inbox + "', '"
                + account + "', 'INBOX', 1, 1), ('" + archive + "', '" + account + "', 'Archive', 1, 1)");
        String live = "SELECT count(*) FROM mirror_message WHERE destroyed_seq IS NULL AND folder_id = ";
        String kept = "SELECT live_count FROM mirror_folder WHERE id = ";

        // one multi-row statement, and single rows, one of them born destroyed
        sql("INSERT INTO mirror_message (id, account_id, folder_id, uid, flags, size, created_seq, change_seq)"
                + " SELECT 'msg_lc_' || g || '_" + account + "', '" + account + "', '" + inbox + "', g, '{}', 1, 1, 1"
                + " FROM generate_series(1, 50) g");
        sql("INSERT INTO mirror_message (id, account_id, folder_id, uid, flags, size, created_seq, change_seq,"
                + " destroyed_seq) VALUES ('msg_lc_gone_" + account + "', '" + account + "', '" + inbox
                + "', 99, '{}', 1, 1, 1, 1)");
        assertThat(queryLong(kept + "'" + inbox + "'")).isEqualTo(50);

        // destroy three (a server expunge), change flags of others (no change of the count)
        sql("UPDATE mirror_message SET destroyed_seq = 2, destroyed_cause = 'SERVER_EXPUNGE', destroyed_at = now()"
                + " WHERE folder_id = '" + inbox + "' AND uid IN (1, 2, 3)");
        sql("UPDATE mirror_message SET flags = '{\\\\Seen}' WHERE folder_id = '" + inbox + "' AND uid > 40");
        // move two to the archive (a MOVE keeps the row under a new folder and UID)
        sql("UPDATE mirror_message SET folder_id = '" + archive + "', uid = uid + 1000 WHERE folder_id = '" + inbox
                + "' AND uid IN (10, 11)");
        // delete a live row and purge a tombstone
        sql("DELETE FROM mirror_message WHERE folder_id = '" + inbox + "' AND uid IN (20, 99)");
        sql("DELETE FROM mirror_message WHERE folder_id = '" + inbox + "' AND uid = 1");

        assertThat(queryLong(kept + "'" + inbox + "'"))
                .isEqualTo(queryLong(live + "'" + inbox + "'"))
                .isEqualTo(44);
        assertThat(queryLong(kept + "'" + archive + "'"))
                .isEqualTo(queryLong(live + "'" + archive + "'"))
                .isEqualTo(2);
        long fromStore = QuarkusTransaction.requiringNew().call(() -> mirror.liveCount(inbox));
        assertThat(fromStore).isEqualTo(44);
    }

    @Test
    void new_messages_written_by_copy_and_by_insert_give_the_same_rows_and_a_live_uid_refuses_the_whole_chunk()
            throws Exception {
        JobStore.Claim claim = claimOwnJob();
        String viaInsert = "fld_ins_" + account;
        String viaCopy = "fld_cpy_" + account;
        sql("INSERT INTO mirror_folder (id, account_id, name, created_seq, change_seq) VALUES ('" + viaInsert + "', '"
                + account + "', 'A', 1, 1), ('" + viaCopy + "', '" + account + "', 'B', 1, 1)");
        List<dev.mailsync.sync.MessageSummary> chunk = new java.util.ArrayList<>();
        for (long uid = 1; uid <= MirrorStore.COPY_FROM + 20; uid++) {
            chunk.add(new dev.mailsync.sync.MessageSummary(
                    uid,
                    uid % 2 == 0 ? java.util.Set.of("\\Seen", "$Label1") : java.util.Set.of(),
                    uid == 3 ? "Gr\u00fc\u00dfe \u0000nul" : "subject " + uid,
                    List.of(new dev.mailsync.sync.MailAddress("J\u00fcrgen \"Q\"", "j@example.org")),
                    List.of(new dev.mailsync.sync.MailAddress(null, "to@example.org")),
                    List.of(),
                    uid == 5 ? null : Instant.parse("2026-01-02T03:04:05.123456Z"),
                    "<" + uid + "@example.org>",
                    1000 + uid,
                    Instant.parse("2026-01-03T00:00:00Z"),
                    uid == 4 ? null : "preview " + uid,
                    uid % 3 == 0));
        }
        QuarkusTransaction.requiringNew().run(() -> {
            try {
                // below COPY_FROM: INSERT, one message at a time
                for (dev.mailsync.sync.MessageSummary m : chunk) {
                    mirror.insertMessages(account, claim.leaseToken(), viaInsert, List.of(m), "dev_x");
                }
                mirror.insertMessages(account, claim.leaseToken(), viaCopy, chunk, "dev_x");
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        });

        String columns = "uid, flags, subject, from_addresses, to_addresses, cc_addresses, sent_at, message_id, size,"
                + " internal_date, preview, has_attachments, changed_by_device";
        assertThat(queryLong("SELECT count(*) FROM ((SELECT " + columns + " FROM mirror_message WHERE folder_id = '"
                        + viaInsert + "' EXCEPT SELECT " + columns + " FROM mirror_message WHERE folder_id = '"
                        + viaCopy + "') UNION ALL (SELECT " + columns + " FROM mirror_message WHERE folder_id = '"
                        + viaCopy + "' EXCEPT SELECT " + columns + " FROM mirror_message WHERE folder_id = '"
                        + viaInsert + "')) d"))
                .isZero();
        assertThat(queryLong("SELECT live_count FROM mirror_folder WHERE id = '" + viaCopy + "'"))
                .isEqualTo(chunk.size());
        // every new row has its own change number
        assertThat(queryLong(
                        "SELECT count(DISTINCT created_seq) FROM mirror_message WHERE folder_id = '" + viaCopy + "'"))
                .isEqualTo(chunk.size());

        // a chunk naming a UID the folder has live is refused whole: nothing of it is written
        String again = "fld_again_" + account;
        sql("INSERT INTO mirror_folder (id, account_id, name, created_seq, change_seq) VALUES ('" + again + "', '"
                + account + "', 'C', 1, 1)");
        sql("INSERT INTO mirror_message (id, account_id, folder_id, uid, flags, subject, size, created_seq, change_seq)"
                + " VALUES ('msg_keep_" + account + "', '" + account + "', '" + again
                + "', 7, '{}', 'already here', 1, 1, 1)");
        assertThatThrownBy(() -> QuarkusTransaction.requiringNew().run(() -> {
                    try {
                        mirror.insertMessages(account, claim.leaseToken(), again, chunk, null);
                    } catch (java.sql.SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }))
                .hasStackTraceContaining("mirror_message_live_uid_uq");
        assertThat(queryLong("SELECT count(*) FROM mirror_message WHERE folder_id = '" + again + "'"))
                .isEqualTo(1);
        assertThat(queryLong("SELECT live_count FROM mirror_folder WHERE id = '" + again + "'"))
                .isEqualTo(1);
    }

    /** POSTs a sync job for this test's device and claims it as "worker-a", the only job claimable. */
    private JobStore.Claim claimOwnJob() {
        String id = as(owner)
                .body("")
                .post("/v1/accounts/{a}/devices/{d}/sync-jobs", account, device)
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        return db().claimOnly(id);
    }

    private QueueDb db() {
        return new QueueDb(dataSource, jobs);
    }

    private void sql(String statement) {
        db().sql(statement);
    }

    private long queryLong(String query) {
        return db().queryLong(query);
    }
}
