package dev.mailsync.service;

import dev.mailsync.store.DeltaStore;
import dev.mailsync.store.DeltaStore.FolderRow;
import dev.mailsync.store.DeltaStore.MessageRow;
import dev.mailsync.store.Tx;
import dev.mailsync.sync.DeltaPlanner;
import dev.mailsync.sync.Device;
import dev.mailsync.sync.DeviceView;
import dev.mailsync.sync.StateToken;
import dev.mailsync.sync.ViewRules;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Per-device deltas: what changed in the account mirror after a state, inside the device's view.
 * Presenting a state acknowledges it. States are change numbers of the account; a state older than the
 * device's acknowledged one is still served, so a lost response is recovered by asking again.
 */
@ApplicationScoped
public class DeltaService {
    private final AccountService accounts;
    private final DeviceService devices;
    private final DeltaStore store;
    private final Clock clock;

    @Inject
    public DeltaService(AccountService accounts, DeviceService devices, DeltaStore store, Clock clock) {
        this.accounts = accounts;
        this.devices = devices;
        this.store = store;
        this.clock = clock;
    }

    /** What a device learns since its state: created, updated and destroyed folders and messages. */
    public record Delta(
            String oldState,
            String newState,
            boolean hasMore,
            List<FolderView> foldersCreated,
            List<FolderView> foldersUpdated,
            List<String> foldersDestroyed,
            List<MessageView> messagesCreated,
            List<MessageView> messagesUpdated,
            List<String> messagesDestroyed) {}

    /** A delta as read in its transaction; made into views after it, so no JSON is parsed inside. */
    private record RowDelta(
            String oldState,
            String newState,
            boolean hasMore,
            List<FolderRow> foldersCreated,
            List<FolderRow> foldersUpdated,
            List<String> foldersDestroyed,
            List<MessageRow> messagesCreated,
            List<MessageRow> messagesUpdated,
            List<String> messagesDestroyed) {
        Delta views() {
            return new Delta(
                    oldState,
                    newState,
                    hasMore,
                    foldersCreated.stream().map(FolderView::of).toList(),
                    foldersUpdated.stream().map(FolderView::of).toList(),
                    foldersDestroyed,
                    messagesCreated.stream().map(MessageView::of).toList(),
                    messagesUpdated.stream().map(MessageView::of).toList(),
                    messagesDestroyed);
        }
    }

    /** A device's full view: one page of its messages, and its folders on the first page. */
    public record View(String state, List<FolderView> folders, List<MessageView> messages, String nextCursor) {}

    public Delta changes(String owner, String accountId, String deviceId, String since, int limit) {
        Device device = devices.get(owner, accountId, deviceId);
        DeviceView view = device.view();
        Instant now = clock.instant();
        RowDelta rows = Tx.call(() -> {
            DeltaStore.Seqs seqs = store.seqs(accountId);
            StateToken token = since == null ? new StateToken(deviceId, 0) : tokenOf(since, deviceId, seqs);
            long from = token.seq();
            // what counts as new for this device: created after the state the paging started from
            long base = token.base();
            // the account's change number when this paging began: its first page is read now, or was then
            long start = token.complete() ? seqs.current() : token.start();
            if (DeltaPlanner.expired(token, seqs.purged())) {
                throw new StateExpiredException("state " + from + " is older than the retained changes (from "
                        + seqs.purged() + "); reload the device's view");
            }
            DeltaStore.ChangePage page =
                    store.changes(accountId, deviceId, from, seqs.current(), limit, view.maxPerFolder() != null);
            DeltaPlanner.Paging paging = new DeltaPlanner.Paging(deviceId, from, base, start, page.lastSeq());
            List<FolderRow> fCreated = new ArrayList<>();
            List<FolderRow> fUpdated = new ArrayList<>();
            List<String> fDestroyed = new ArrayList<>();
            for (FolderRow f : page.folders()) {
                DeltaPlanner.Fate fate = DeltaPlanner.folder(
                        new DeltaPlanner.FolderRow(
                                f.name(),
                                f.createdSeq(),
                                f.destroyedSeq(),
                                f.changedByDevice(),
                                page.resent().contains(f.id())),
                        paging,
                        view);
                switch (fate) {
                    case CREATED -> fCreated.add(f);
                    case UPDATED -> fUpdated.add(f);
                    case DESTROYED -> fDestroyed.add(f.id());
                    case NONE -> {}
                }
            }
            List<MessageRow> mCreated = new ArrayList<>();
            List<MessageRow> mUpdated = new ArrayList<>();
            List<String> mDestroyed = new ArrayList<>();
            for (MessageRow m : page.messages()) {
                DeltaPlanner.Fate fate = DeltaPlanner.message(
                        new DeltaPlanner.MessageRow(
                                m.folderName(),
                                m.internalDate(),
                                m.newerInFolder(),
                                m.createdSeq(),
                                m.destroyedSeq(),
                                m.changedByDevice(),
                                page.resent().contains(m.id()),
                                page.hiddenAt().get(m.id())),
                        paging,
                        view,
                        now);
                switch (fate) {
                    case CREATED -> mCreated.add(m);
                    case UPDATED -> mUpdated.add(m);
                    case DESTROYED -> mDestroyed.add(m.id());
                    case NONE -> {}
                }
            }
            StateToken next = page.hasMore()
                    ? new StateToken(deviceId, page.lastSeq(), base, start)
                    : new StateToken(deviceId, seqs.current());
            // the device has everything up to base for sure (more only once it reads the last page)
            store.acknowledge(deviceId, base, now);
            store.delivered(deviceId, next.base());
            return new RowDelta(
                    token.encode(),
                    next.encode(),
                    page.hasMore(),
                    fCreated,
                    fUpdated,
                    fDestroyed,
                    mCreated,
                    mUpdated,
                    mDestroyed);
        });
        return rows.views();
    }

    /** The account's live folders as the mirror has them (POP3: INBOX once synced). */
    public List<FolderView> folders(String owner, String accountId) {
        accounts.owned(owner, accountId);
        return Tx.call(() -> store.liveFolders(accountId)).stream()
                .map(FolderView::of)
                .toList();
    }

    /** Acknowledges a state without reading further. */
    public void acknowledge(String owner, String accountId, String deviceId, String state) {
        devices.get(owner, accountId, deviceId);
        if (state == null) {
            throw new InvalidInputException("state", "is required");
        }
        Tx.call(() -> {
            long seq = tokenOf(state, deviceId, store.seqs(accountId)).base();
            store.acknowledge(deviceId, seq, clock.instant());
            return null;
        });
    }

    /** One page of the device's full current view, with the state it corresponds to. */
    public View view(String owner, String accountId, String deviceId, String cursor, int limit) {
        Device device = devices.get(owner, accountId, deviceId);
        DeviceView view = device.view();
        Instant now = clock.instant();
        return Tx.call(() -> {
            long state;
            String afterId;
            if (cursor == null) {
                state = store.seqs(accountId).current();
                afterId = null;
            } else {
                ViewCursor c = ViewCursor.decode(cursor);
                state = c.state();
                afterId = c.afterId();
            }
            List<MessageRow> rows =
                    store.liveMessages(accountId, deviceId, afterId, limit + 1, view.maxPerFolder() != null);
            String next = null;
            if (rows.size() > limit) {
                rows = rows.subList(0, limit);
                next = new ViewCursor(state, rows.get(limit - 1).id()).encode();
            }
            List<MessageRow> visible = rows.stream()
                    .filter(m ->
                            ViewRules.messageVisible(view, m.folderName(), m.internalDate(), m.newerInFolder(), now))
                    .toList();
            List<FolderRow> folders = cursor == null
                    ? store.liveFolders(accountId).stream()
                            .filter(f -> ViewRules.folderVisible(view, f.name()))
                            .toList()
                    : List.of();
            if (next == null) {
                store.delivered(deviceId, state);
            }
            return new View(
                    new StateToken(deviceId, state).encode(),
                    folders.stream().map(FolderView::of).toList(),
                    visible.stream().map(MessageView::of).toList(),
                    next);
        });
    }

    private static StateToken tokenOf(String token, String deviceId, DeltaStore.Seqs seqs) {
        StateToken state;
        try {
            state = StateToken.decode(token);
        } catch (IllegalArgumentException e) {
            throw new ConflictException("INVALID_STATE", "this state was not issued by mailsync");
        }
        Optional<String> invalid = DeltaPlanner.invalidState(state, deviceId, seqs.current());
        if (invalid.isPresent()) {
            throw new ConflictException("INVALID_STATE", invalid.get());
        }
        return state;
    }

    /** Paging cursor of the full view: the state of the first page and the last message id returned. */
    record ViewCursor(long state, String afterId) {
        String encode() {
            return Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString((state + ":" + afterId).getBytes(StandardCharsets.UTF_8));
        }

        static ViewCursor decode(String cursor) {
            try {
                String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
                int colon = raw.indexOf(':');
                return new ViewCursor(Long.parseLong(raw.substring(0, colon)), raw.substring(colon + 1));
            } catch (RuntimeException e) {
                throw new InvalidInputException("cursor", "is not a cursor from a previous page of this list");
            }
        }
    }
}
