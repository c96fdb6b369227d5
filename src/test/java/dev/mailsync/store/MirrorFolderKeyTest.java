package dev.mailsync.store;

import static dev.mailsync.support.Api.as;
import static dev.mailsync.support.Api.createAccount;
import static dev.mailsync.support.Api.imapAccount;
import static dev.mailsync.support.Api.newSubject;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailsync.support.FreePorts;
import dev.mailsync.support.QueueDb;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A mirror message's folder (account_id, folder_id) is checked per statement by triggers (V12) instead of a
 * per-row foreign key: everything the key guaranteed still holds, including against a concurrent delete.
 */
@QuarkusTest
class MirrorFolderKeyTest {

    @Inject
    AgroalDataSource dataSource;

    private String owner;
    private String account;
    private String other;
    private String inbox;
    private String archive;
    private final ExecutorService background = Executors.newSingleThreadExecutor();

    @BeforeEach
    void fixture() {
        owner = newSubject();
        account = createAccount(owner, imapAccount("127.0.0.1", FreePorts.closed()));
        other = createAccount(newSubject(), imapAccount("127.0.0.1", FreePorts.closed()));
        inbox = "fld_k1_" + account;
        archive = "fld_k2_" + account;
        sql("INSERT INTO mirror_folder (id, account_id, name, created_seq, change_seq) VALUES ('" + inbox + "', '"
                + account + "', 'INBOX', 1, 1), ('" + archive + "', '" + account + "', 'Archive', 1, 1)");
    }

    @AfterEach
    void stop() {
        background.shutdownNow();
    }

    @Test
    void a_message_of_a_folder_that_is_not_there_is_refused_and_the_statement_writes_nothing() {
        assertRefused(() -> sql(insert("m1", account, "fld_missing", 1)));
        // the folder exists, but under another account
        assertRefused(() -> sql(insert("m2", other, inbox, 1)));
        // one bad row refuses the whole multi-row statement, the good rows with it
        assertRefused(() -> sql("INSERT INTO mirror_message (id, account_id, folder_id, uid, flags, size, created_seq,"
                + " change_seq) VALUES " + values("m3", account, inbox, 1) + ", "
                + values("m4", account, "fld_gone", 2)));
        assertThat(count("SELECT count(*) FROM mirror_message WHERE account_id = '" + account + "'"))
                .isZero();
        assertThat(count("SELECT live_count FROM mirror_folder WHERE id = '" + inbox + "'"))
                .isZero();

        sql(insert("m5", account, inbox, 1));
        assertThat(count("SELECT live_count FROM mirror_folder WHERE id = '" + inbox + "'"))
                .isEqualTo(1);
    }

    @Test
    void moving_a_message_to_a_folder_that_is_not_there_or_changing_a_folder_key_is_refused() {
        sql(insert("m1", account, inbox, 1));
        assertRefused(() -> sql("UPDATE mirror_message SET folder_id = 'fld_missing' WHERE id = 'm1_" + account + "'"));
        assertRefused(() -> sql("UPDATE mirror_folder SET id = 'fld_renamed' WHERE id = '" + inbox + "'"));
        assertRefused(() -> sql("UPDATE mirror_folder SET account_id = '" + other + "' WHERE id = '" + inbox + "'"));

        sql("UPDATE mirror_message SET folder_id = '" + archive + "', uid = 7 WHERE id = 'm1_" + account + "'");
        assertThat(count("SELECT count(*) FROM mirror_message WHERE folder_id = '" + archive + "'"))
                .isEqualTo(1);
        // an empty folder's key may change: nothing refers to it
        sql("UPDATE mirror_folder SET id = '" + inbox + "_new' WHERE id = '" + inbox + "'");
    }

    @Test
    void deleting_a_folder_deletes_its_messages_and_deleting_the_account_deletes_them_all() {
        sql(insert("m1", account, inbox, 1));
        sql(insert("m2", account, inbox, 2));
        sql("UPDATE mirror_message SET destroyed_seq = 3 WHERE id = 'm2_" + account + "'"); // a tombstone
        sql(insert("m3", account, archive, 1));

        sql("DELETE FROM mirror_folder WHERE id = '" + inbox + "'");
        assertThat(count("SELECT count(*) FROM mirror_message WHERE folder_id = '" + inbox + "'"))
                .isZero();
        assertThat(count("SELECT count(*) FROM mirror_message WHERE folder_id = '" + archive + "'"))
                .isEqualTo(1);

        as(owner).delete("/v1/accounts/{a}", account).then().statusCode(204);
        assertThat(count("SELECT count(*) FROM mirror_message WHERE account_id = '" + account + "'"))
                .isZero();
    }

    @Test
    void a_folder_deleted_while_messages_go_in_takes_them_with_it_or_refuses_them() throws Exception {
        // the insert first: the DELETE waits for it, then removes what it wrote
        try (Connection writer = dataSource.getConnection()) {
            writer.setAutoCommit(false);
            try (Statement s = writer.createStatement()) {
                s.execute(insert("m1", account, inbox, 1));
            }
            Future<?> delete = background.submit(() -> sql("DELETE FROM mirror_folder WHERE id = '" + inbox + "'"));
            assertBlocked(delete);
            writer.commit();
            delete.get(10, TimeUnit.SECONDS);
        }
        assertThat(count("SELECT count(*) FROM mirror_message WHERE folder_id = '" + inbox + "'"))
                .isZero();

        // the DELETE first: the insert waits for it, then is refused
        try (Connection deleter = dataSource.getConnection()) {
            deleter.setAutoCommit(false);
            try (Statement s = deleter.createStatement()) {
                s.execute("DELETE FROM mirror_folder WHERE id = '" + archive + "'");
            }
            Future<?> insert = background.submit(() -> sql(insert("m2", account, archive, 1)));
            assertBlocked(insert);
            deleter.commit();
            assertThatThrownBy(() -> insert.get(10, TimeUnit.SECONDS))
                    .hasRootCauseInstanceOf(SQLException.class)
                    .rootCause()
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("23503"));
        }
        assertThat(count("SELECT count(*) FROM mirror_message WHERE account_id = '" + account + "'"))
                .isZero();
    }

    private static void assertBlocked(Future<?> f) throws Exception {
        assertThatThrownBy(() -> f.get(300, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
    }

    private static void assertRefused(Runnable statement) {
        assertThatThrownBy(statement::run)
                .hasCauseInstanceOf(SQLException.class)
                .cause()
                .satisfies(e -> {
                    assertThat(((SQLException) e).getSQLState()).isEqualTo("23503");
                    assertThat(e.getMessage()).contains("mirror_message_folder_fkey");
                });
    }

    private String insert(String id, String accountId, String folderId, long uid) {
        return "INSERT INTO mirror_message (id, account_id, folder_id, uid, flags, size, created_seq, change_seq)"
                + " VALUES " + values(id, accountId, folderId, uid);
    }

    private String values(String id, String accountId, String folderId, long uid) {
        return "('" + id + "_" + account + "', '" + accountId + "', '" + folderId + "', " + uid + ", '{}', 1, 1, 1)";
    }

    private void sql(String statement) {
        new QueueDb(dataSource).sql(statement);
    }

    private long count(String query) {
        return new QueueDb(dataSource).queryLong(query);
    }
}
