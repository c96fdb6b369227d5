package dev.mailsync.service;

import dev.mailsync.store.DeltaStore;
import dev.mailsync.store.DeltaStore.FolderRow;
import dev.mailsync.store.DeltaStore.MessageRow;
import dev.mailsync.store.Tx;
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
            if (from < seqs.purged()) {
                throw new StateExpiredException("state " + from + " is older than the retained changes (from "
                        + seqs.purged() + "); reload the device's view");
            }
            DeltaStore.ChangePage page =
                    store.changes(accountId, deviceId, from, seqs.current(), limit, view.maxPerFolder() != null);
            List<FolderRow> fCreated = new ArrayList<>();
            List<FolderRow> fUpdated = new ArrayList<>();
            List<String> fDestroyed = new ArrayList<>();
            for (FolderRow f : page.folders()) {
                boolean visible = ViewRules.folderVisible(view, f.name());
                boolean resent = page.resent().contains(f.id());
                boolean isNew = f.createdSeq() > base || resent;
                if (resent && f.destroyedSeq() == null && visible) {
                    fCreated.add(f); // came into the device's view
                } else if (deviceId.equals(f.changedByDevice())) {
                    // this device's own folder change (create, rename, delete): it knows already
                } else if (f.destroyedSeq() != null) {
                    if (!resent && mayHaveReached(f.createdSeq(), f.destroyedSeq(), base, from, start) && visible) {
                        fDestroyed.add(f.id());
                    }
                } else if (visible) {
                    (isNew ? fCreated : fUpdated).add(f);
                }
            }
            List<MessageRow> mCreated = new ArrayList<>();
            List<MessageRow> mUpdated = new ArrayList<>();
            List<String> mDestroyed = new ArrayList<>();
            for (MessageRow m : page.messages()) {
                Long hiddenAt = page.hiddenAt().get(m.id());
                if (hiddenAt != null) {
                    // The device deleted it from its own view (POP3): `destroyed` once, on the page that holds
                    // that delete; never news again, whatever else happens to the message.
                    if (hiddenAt > from && hiddenAt <= page.lastSeq()) {
                        mDestroyed.add(m.id());
                    }
                    continue;
                }
                boolean resent = page.resent().contains(m.id());
                boolean isNew = m.createdSeq() > base || resent;
                if (resent && m.destroyedSeq() == null) {
                    if (ViewRules.messageVisible(view, m.folderName(), m.internalDate(), m.newerInFolder(), now)) {
                        mCreated.add(m); // came into the device's view
                    }
                } else if (m.destroyedSeq() != null) {
                    if (!resent
                            && mayHaveReached(m.createdSeq(), m.destroyedSeq(), base, from, start)
                            && !deviceId.equals(m.changedByDevice())
                            && ViewRules.folderVisible(view, m.folderName())) {
                        mDestroyed.add(m.id());
                    }
                } else if (deviceId.equals(m.changedByDevice())) {
                    // this device's own change (flags, or a message it appended): it knows already
                } else if (ViewRules.messageVisible(view, m.folderName(), m.internalDate(), m.newerInFolder(), now)) {
                    (isNew ? mCreated : mUpdated).add(m);
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

    /**
     * Whether a destroyed row may be on the device, so that its {@code destroyed} is news: it was created
     * up to the state the paging started from ({@code base}), or it was created before this page's lower
     * bound ({@code from}) and destroyed after the paging began ({@code start}), so an earlier page of this
     * paging may have delivered it as created. A row destroyed before the paging began, or created after
     * the last page read, was never on a page. (A row created during the paging and changed again before
     * its page came may still be named although never delivered: the contract lets a device ignore an id
     * it does not know.)
     */
    static boolean mayHaveReached(long createdSeq, long destroyedSeq, long base, long from, long start) {
        return createdSeq <= base || (createdSeq <= from && destroyedSeq > start);
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
        if (!state.deviceId().equals(deviceId)) {
            throw new ConflictException("INVALID_STATE", "this state belongs to another device");
        }
        if (state.seq() > seqs.current()) {
            throw new ConflictException("INVALID_STATE", "this state is ahead of the account; it was not issued here");
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
