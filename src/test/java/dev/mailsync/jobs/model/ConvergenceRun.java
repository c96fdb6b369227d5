package dev.mailsync.jobs.model;

import static dev.mailsync.support.Api.as;

import dev.mailsync.jobs.model.ModelFailure.Check;
import dev.mailsync.support.Api;
import dev.mailsync.support.Sync;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Runs one generated sequence against mailsync and a real IMAP server, and checks after every step
 * that all parties agree:
 *
 * <ul>
 *   <li>after each sync job: the job succeeded, each device change got the result the model predicts,
 *       the server holds what the model says, and the mirror (the device's full view) equals the server;
 *   <li>after each read of a delta: the device's state, built only from its deltas and its own changes,
 *       equals its full view (same ids, folders and flags), and asking for the first page again answers
 *       the same page (a lost response is recovered by asking again);
 *   <li>at the end, after every device synced once more: every device holds exactly the server's
 *       messages — none lost, none twice — with the server's flags.
 * </ul>
 *
 * Device changes are predicted from the mirror as the last job left it (that is what mailsync answers
 * from) and from the server (what decides NOT_FOUND).
 */
final class ConvergenceRun implements AutoCloseable {
    /** A device change that names no message mailsync issued. */
    static final String UNKNOWN_MESSAGE = "msg_000000000000000000000000";

    /** What the sequence runs against. */
    record Setup(
            long seed,
            OtherClient.Mailbox mailbox,
            List<String> stepFolders,
            String trashFolder,
            String deleteMode,
            int devices) {}

    /** One live message of the mirror, and the server incarnation it stands for. */
    private record MirrorEntry(
            String id, String folderId, String folder, String messageId, long incarnation, SortedSet<String> flags) {}

    /** A change as sent, with what the model needs to predict and replay it. */
    private record Sent(
            Map<String, Object> json,
            String type,
            String messageId,
            Set<String> add,
            Set<String> remove,
            String toFolderId,
            String text) {}

    /** What the full view endpoint answered. */
    private record View(
            Map<String, String> folders, Map<String, String> specialUse, Map<String, DeviceReplica.Item> items) {}

    private final Setup setup;
    private final String owner = Api.newSubject();
    private final OtherClient other;
    private final ExpectedServer server;
    private final List<String> log = new ArrayList<>();
    private final Map<String, Integer> outcomes = new TreeMap<>();
    private final List<DeviceReplica> devices = new ArrayList<>();
    private Map<String, MirrorEntry> mirror = new LinkedHashMap<>();
    private Map<String, String> mirrorFolders = new TreeMap<>();
    private String account;
    private Set<String> capabilities;
    private int appended;
    private int changeIds;
    private int jobs;

    ConvergenceRun(Setup setup) {
        this.setup = setup;
        this.other = new OtherClient(setup.mailbox());
        for (String folder : setup.stepFolders()) {
            other.createFolder(folder);
        }
        this.server = new ExpectedServer(other.folders());
    }

    /** What happened so far, one line per step. */
    List<String> log() {
        return log;
    }

    /** How often each change type got each result, e.g. {@code SET_FLAGS APPLIED=7}. */
    Map<String, Integer> outcomes() {
        return outcomes;
    }

    int jobs() {
        return jobs;
    }

    void start() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("protocol", "IMAP");
        body.put("host", setup.mailbox().host());
        body.put("port", setup.mailbox().port());
        body.put("security", "NONE");
        body.put("username", setup.mailbox().user());
        body.put("password", setup.mailbox().password());
        body.put("imapDeleteMode", setup.deleteMode());
        account = Api.createAccount(owner, body);
        capabilities = new HashSet<>(as(owner)
                .post("/v1/accounts/{a}/verify", account)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("capabilities", String.class));
        for (int i = 0; i < setup.devices(); i++) {
            String name = List.of("phone", "laptop", "webmail").get(i);
            devices.add(new DeviceReplica(name, Api.createDevice(owner, account, name)));
        }
        log.add("account " + account + ", delete mode " + setup.deleteMode() + ", devices " + setup.devices()
                + ", server folders " + server.folders() + ", capabilities " + new TreeSet<>(capabilities));
    }

    void run(int index, Step step) {
        switch (step) {
            case Step.ServerAppend s -> serverAppend(index, s);
            case Step.ServerFlag s -> serverFlag(index, s);
            case Step.ServerExpunge s -> serverExpunge(index, s);
            case Step.ServerMove s -> serverMove(index, s);
            case Step.DeviceSync s ->
                deviceSync(index, devices.get(s.device() % devices.size()), s.changes(), s.pageLimit());
            case Step.DeviceRead s -> {
                DeviceReplica d = devices.get(s.device() % devices.size());
                log.add(index + ": " + d.name + " reads its delta (pages of " + s.pageLimit() + ")");
                read(d, s.pageLimit());
                checkDevice(d, view(d, s.pageLimit()));
            }
        }
    }

    /** Every device syncs once more and must then hold exactly what the server holds. */
    void finish() {
        for (DeviceReplica d : devices) {
            deviceSync(-1, d, List.of(), 500);
        }
        List<Fact> onServer = other.snapshot();
        for (DeviceReplica d : devices) {
            if (!d.facts().equals(onServer)) {
                throw new ModelFailure(
                        Check.DEVICE, d.name + " did not converge to the server:\n" + diff(onServer, d.facts()));
            }
            Set<String> folderNames = new TreeSet<>(d.folders().values());
            if (!folderNames.equals(new TreeSet<>(server.folders()))) {
                throw new ModelFailure(
                        Check.DEVICE, d.name + " has folders " + folderNames + ", the server " + server.folders());
            }
        }
        log.add("end: every device holds the server's " + onServer.size() + " messages");
    }

    @Override
    public void close() {
        other.close();
    }

    // ---- another client changes the server -----------------------------------------------------------

    private void serverAppend(int index, Step.ServerAppend s) {
        String folder = setup.stepFolders().get(s.folder() % setup.stepFolders().size());
        int n = ++appended;
        String messageId = "<m" + n + "." + Long.toHexString(setup.seed()) + "@model.mailsync.test>";
        other.append(folder, messageId, "m" + n, s.flags());
        server.add(folder, messageId, s.flags());
        log.add(index + ": server: append m" + n + " to " + folder + " " + s.flags());
    }

    private void serverFlag(int index, Step.ServerFlag s) {
        List<ExpectedServer.Message> all = server.ordered();
        if (all.isEmpty()) {
            log.add(index + ": server: (no message to flag)");
            return;
        }
        ExpectedServer.Message m = all.get(s.pick() % all.size());
        other.setFlag(m.folder(), m.messageId(), s.flag(), s.set());
        Set<String> flags = new TreeSet<>(m.flags());
        if (s.set()) {
            flags.add(s.flag());
        } else {
            flags.remove(s.flag());
        }
        server.setFlags(m.incarnation(), flags);
        log.add(index + ": server: " + (s.set() ? "set " : "clear ") + s.flag() + " on " + name(m));
    }

    private void serverExpunge(int index, Step.ServerExpunge s) {
        List<ExpectedServer.Message> all = server.ordered();
        if (all.isEmpty()) {
            log.add(index + ": server: (no message to expunge)");
            return;
        }
        ExpectedServer.Message first = all.get(s.pick() % all.size());
        List<ExpectedServer.Message> folder = server.in(first.folder());
        int start = folder.indexOf(first);
        List<ExpectedServer.Message> doomed = new ArrayList<>();
        for (int i = 0; i < Math.min(s.count(), folder.size()); i++) {
            doomed.add(folder.get((start + i) % folder.size()));
        }
        other.expunge(
                first.folder(),
                doomed.stream().map(ExpectedServer.Message::messageId).toList());
        doomed.forEach(m -> server.remove(m.incarnation()));
        log.add(index + ": server: expunge "
                + doomed.stream().map(ConvergenceRun::name).toList());
    }

    private void serverMove(int index, Step.ServerMove s) {
        List<ExpectedServer.Message> all = server.ordered();
        if (all.isEmpty()) {
            log.add(index + ": server: (no message to move)");
            return;
        }
        ExpectedServer.Message m = all.get(s.pick() % all.size());
        List<String> targets =
                setup.stepFolders().stream().filter(f -> !f.equals(m.folder())).toList();
        String to = targets.get(s.toFolder() % targets.size());
        other.move(m.folder(), m.messageId(), to);
        server.move(m.incarnation(), to);
        log.add(index + ": server: move " + name(m) + " to " + to);
    }

    // ---- a device syncs ------------------------------------------------------------------------------

    private void deviceSync(int index, DeviceReplica d, List<Step.Change> changes, int pageLimit) {
        List<Sent> sent = new ArrayList<>();
        for (Step.Change change : changes) {
            Sent s = resolve(d, change);
            if (s != null) {
                sent.add(s);
            }
        }
        List<String> predicted = predict(sent);
        log.add((index < 0 ? "end" : Integer.toString(index)) + ": " + d.name + " syncs with "
                + sent.stream().map(Sent::text).toList() + ", expects " + predicted);

        JsonPath job = runJob(d, sent);
        List<Map<String, Object>> results = job.getList("results");
        if (results == null) {
            results = List.of();
        }
        boolean retried = job.getInt("attempts") > 1;
        if (results.size() != sent.size()) {
            throw new ModelFailure(
                    Check.RESULT,
                    "job " + job.getString("id") + " answered " + results.size() + " results for " + sent.size()
                            + " changes: " + results);
        }
        for (int i = 0; i < sent.size(); i++) {
            Map<String, Object> r = results.get(i);
            Sent s = sent.get(i);
            String status = (String) r.get("status");
            outcomes.merge(s.type() + " " + status, 1, Integer::sum);
            boolean shapeOk = Objects.equals(r.get("index"), i)
                    && Objects.equals(r.get("changeId"), s.json().get("changeId"))
                    && Objects.equals(r.get("type"), s.type());
            if (!shapeOk || (!retried && !status.equals(predicted.get(i)))) {
                throw new ModelFailure(
                        Check.RESULT,
                        d.name + "'s change " + s.text() + " answered " + r + ", the model predicts "
                                + predicted.get(i));
            }
            applyOwn(d, s, status, (String) r.get("messageId"));
        }
        if (retried) {
            log.add("   (the job took " + job.getInt("attempts") + " attempts; results not compared)");
        }

        List<Fact> onServer = other.snapshot();
        if (!onServer.equals(server.facts())) {
            throw new ModelFailure(
                    Check.SERVER,
                    "after " + d.name + "'s sync the server differs from the model:\n"
                            + diff(server.facts(), onServer));
        }
        View view = view(d, pageLimit);
        rememberMirror(view);
        read(d, pageLimit);
        checkDevice(d, view);
    }

    /** Picks the change's message and folder from what the device knows; null when it knows nothing to pick. */
    private Sent resolve(DeviceReplica d, Step.Change change) {
        List<DeviceReplica.Item> items = d.ordered();
        String changeId = "c" + (++changeIds);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("changeId", changeId);
        switch (change) {
            case Step.Change.Unknown u -> {
                json.put("type", "SET_FLAGS");
                json.put("messageId", UNKNOWN_MESSAGE);
                json.put("add", List.copyOf(u.add()));
                return new Sent(json, "SET_FLAGS", UNKNOWN_MESSAGE, u.add(), Set.of(), null, "SET_FLAGS unknown id");
            }
            case Step.Change.SetFlags f -> {
                if (items.isEmpty()) {
                    return null;
                }
                DeviceReplica.Item item = items.get(f.pick() % items.size());
                json.put("type", "SET_FLAGS");
                json.put("messageId", item.id());
                if (!f.add().isEmpty()) {
                    json.put("add", List.copyOf(f.add()));
                }
                if (!f.remove().isEmpty()) {
                    json.put("remove", List.copyOf(f.remove()));
                }
                return new Sent(
                        json,
                        "SET_FLAGS",
                        item.id(),
                        f.add(),
                        f.remove(),
                        null,
                        "SET_FLAGS " + name(d, item) + " +" + f.add() + " -" + f.remove());
            }
            case Step.Change.Delete del -> {
                if (items.isEmpty()) {
                    return null;
                }
                DeviceReplica.Item item = items.get(del.pick() % items.size());
                json.put("type", "DELETE");
                json.put("messageId", item.id());
                return new Sent(json, "DELETE", item.id(), Set.of(), Set.of(), null, "DELETE " + name(d, item));
            }
            case Step.Change.Move mv -> {
                List<String> targets = setup.stepFolders().stream()
                        .filter(f -> d.folderId(f) != null)
                        .toList();
                if (items.isEmpty() || targets.isEmpty()) {
                    return null;
                }
                DeviceReplica.Item item = items.get(mv.pick() % items.size());
                String to = targets.get(mv.toFolder() % targets.size());
                json.put("type", "MOVE");
                json.put("messageId", item.id());
                json.put("toFolderId", d.folderId(to));
                return new Sent(
                        json,
                        "MOVE",
                        item.id(),
                        Set.of(),
                        Set.of(),
                        d.folderId(to),
                        "MOVE " + name(d, item) + " to " + to);
            }
        }
    }

    /**
     * The result each change should get, in order, as mailsync decides it: first from the mirror (the
     * message must be live there; flags already as asked need no STORE), then from the server (the
     * mirror's UID must still name the message). Applies the predicted effects to the model.
     */
    private List<String> predict(List<Sent> sent) {
        boolean uidplus = capabilities.contains("UIDPLUS");
        boolean move = capabilities.contains("MOVE");
        List<String> out = new ArrayList<>();
        for (Sent s : sent) {
            MirrorEntry e = mirror.get(s.messageId());
            String status;
            if (e == null) {
                status = "NOT_FOUND";
            } else {
                switch (s.type()) {
                    case "SET_FLAGS" -> {
                        if (e.flags().containsAll(s.add())
                                && s.remove().stream().noneMatch(e.flags()::contains)) {
                            status = "ALREADY_APPLIED";
                        } else if (server.get(e.incarnation()).isEmpty()) {
                            status = "NOT_FOUND";
                        } else {
                            Set<String> flags = new TreeSet<>(
                                    server.get(e.incarnation()).get().flags());
                            flags.addAll(s.add());
                            flags.removeAll(s.remove());
                            server.setFlags(e.incarnation(), flags);
                            mirror.put(
                                    e.id(),
                                    new MirrorEntry(
                                            e.id(),
                                            e.folderId(),
                                            e.folder(),
                                            e.messageId(),
                                            e.incarnation(),
                                            new TreeSet<>(flags)));
                            status = "APPLIED";
                        }
                    }
                    case "DELETE" -> {
                        boolean toTrash = setup.deleteMode().equals("TRASH");
                        String trashTarget = toTrash
                                        && setup.trashFolder() != null
                                        && !setup.trashFolder().equals(e.folder())
                                ? setup.trashFolder()
                                : null;
                        if (toTrash && setup.trashFolder() == null) {
                            status = "REJECTED";
                        } else if (!uidplus && !(trashTarget != null && move)) {
                            status = "REJECTED";
                        } else if (server.get(e.incarnation()).isEmpty()) {
                            status = "NOT_FOUND";
                        } else {
                            if (trashTarget != null) {
                                server.move(e.incarnation(), trashTarget);
                            } else {
                                server.remove(e.incarnation());
                            }
                            mirror.remove(e.id());
                            status = "APPLIED";
                        }
                    }
                    case "MOVE" -> {
                        String target = mirrorFolders.get(s.toFolderId());
                        if (target == null) {
                            status = "NOT_FOUND";
                        } else if (e.folderId().equals(s.toFolderId())) {
                            status = "ALREADY_APPLIED";
                        } else if (!move && !uidplus) {
                            status = "REJECTED";
                        } else if (server.get(e.incarnation()).isEmpty()) {
                            status = "NOT_FOUND";
                        } else {
                            server.move(e.incarnation(), target);
                            mirror.remove(e.id());
                            status = "APPLIED";
                        }
                    }
                    default -> throw new IllegalStateException(s.type());
                }
            }
            out.add(status);
        }
        return out;
    }

    /** What the device does locally with its own change once the job answered it. */
    private static void applyOwn(DeviceReplica d, Sent s, String status, String newId) {
        boolean done = status.equals("APPLIED") || status.equals("ALREADY_APPLIED");
        if (!done) {
            return;
        }
        switch (s.type()) {
            case "SET_FLAGS" -> d.ownFlags(s.messageId(), s.add(), s.remove());
            case "DELETE" -> d.ownRemove(s.messageId());
            case "MOVE" -> {
                if (status.equals("APPLIED")) {
                    d.ownMove(s.messageId(), newId, s.toFolderId());
                }
            }
            default -> throw new IllegalStateException(s.type());
        }
    }

    private JsonPath runJob(DeviceReplica d, List<Sent> sent) {
        jobs++;
        var request = as(owner);
        if (!sent.isEmpty()) {
            request =
                    request.body(Map.of("changes", sent.stream().map(Sent::json).toList()));
        }
        String jobId = request.post("/v1/accounts/{a}/devices/{d}/sync-jobs", account, d.id)
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        JsonPath job = Sync.await(owner, jobId, Duration.ofSeconds(60));
        if (!"SUCCEEDED".equals(job.getString("status"))) {
            throw new ModelFailure(Check.JOB, "job of " + d.name + " ended " + job.prettify());
        }
        return job;
    }

    // ---- reading deltas and views --------------------------------------------------------------------

    /** Reads every page of the device's delta from its last state and applies it. */
    @SuppressWarnings("unchecked")
    private void read(DeviceReplica d, int limit) {
        String since = d.state();
        boolean first = true;
        while (true) {
            String body = changesPage(d, since, limit);
            if (first) {
                String again = changesPage(d, since, limit); // as if the first response had been lost
                if (!samePage(body, again)) {
                    throw new ModelFailure(
                            Check.DELTA,
                            d.name + ": the same state answered two different pages:\n" + body + "\n" + again);
                }
                first = false;
            }
            JsonPath page = new JsonPath(body);
            if (since != null && !since.equals(page.getString("oldState"))) {
                throw new ModelFailure(
                        Check.DELTA,
                        d.name + ": asked since " + since + ", got oldState " + page.getString("oldState"));
            }
            try {
                d.applyFolders(
                        page.getList("folders.created"),
                        page.getList("folders.updated"),
                        page.getList("folders.destroyed"));
                d.applyMessages(
                        page.getList("messages.created"),
                        page.getList("messages.updated"),
                        page.getList("messages.destroyed"));
            } catch (ModelFailure e) {
                throw new ModelFailure(
                        e.check,
                        e.getMessage().substring(e.getMessage().indexOf(']') + 2) + "\n  since " + since + ", page "
                                + body);
            }
            since = page.getString("newState");
            if (!page.getBoolean("hasMore")) {
                break;
            }
        }
        d.state(since);
    }

    /** The same states and the same changes; the order inside a page carries no meaning. */
    private static boolean samePage(String a, String b) {
        JsonPath x = new JsonPath(a);
        JsonPath y = new JsonPath(b);
        for (String path : List.of("oldState", "newState", "hasMore")) {
            if (!Objects.equals(x.getString(path), y.getString(path))) {
                return false;
            }
        }
        for (String path : List.of(
                "folders.created",
                "folders.updated",
                "folders.destroyed",
                "messages.created",
                "messages.updated",
                "messages.destroyed")) {
            List<Object> p = x.getList(path);
            List<Object> q = y.getList(path);
            if (p.size() != q.size() || !new HashSet<>(p).equals(new HashSet<>(q))) {
                return false;
            }
        }
        return true;
    }

    private String changesPage(DeviceReplica d, String since, int limit) {
        var request = as(owner).queryParam("limit", limit);
        if (since != null) {
            request = request.queryParam("since", since);
        }
        Response response = request.get("/v1/accounts/{a}/devices/{d}/changes", account, d.id);
        if (response.statusCode() != 200) {
            throw new ModelFailure(
                    Check.DELTA, d.name + ": changes answered " + response.statusCode() + " " + response.asString());
        }
        return response.asString();
    }

    /** The device's full view, every page. */
    @SuppressWarnings("unchecked")
    private View view(DeviceReplica d, int limit) {
        Map<String, String> folders = new TreeMap<>();
        Map<String, String> specialUse = new TreeMap<>();
        Map<String, DeviceReplica.Item> items = new TreeMap<>();
        String cursor = null;
        do {
            var request = as(owner).queryParam("limit", limit);
            if (cursor != null) {
                request = request.queryParam("cursor", cursor);
            }
            JsonPath page = request.get("/v1/accounts/{a}/devices/{d}/messages", account, d.id)
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath();
            for (Map<String, Object> f : page.<Map<String, Object>>getList("folders")) {
                folders.put((String) f.get("id"), (String) f.get("name"));
                if (f.get("specialUse") != null) {
                    specialUse.put((String) f.get("name"), (String) f.get("specialUse"));
                }
            }
            for (Map<String, Object> m : page.<Map<String, Object>>getList("items")) {
                String id = (String) m.get("id");
                if (items.containsKey(id)) {
                    throw new ModelFailure(Check.MIRROR, d.name + ": the full view lists " + id + " twice");
                }
                items.put(
                        id,
                        new DeviceReplica.Item(
                                id, (String) m.get("folderId"), (String) m.get("messageId"), new TreeSet<>((Collection<
                                                String>)
                                        m.get("flags"))));
            }
            cursor = page.getString("nextCursor");
        } while (cursor != null);
        return new View(folders, specialUse, items);
    }

    /** After a job: the mirror must equal the server; remember it to predict the next job's results. */
    private void rememberMirror(View view) {
        if (!new TreeSet<>(view.folders().values()).equals(new TreeSet<>(server.folders()))) {
            throw new ModelFailure(
                    Check.MIRROR,
                    "the mirror has folders " + view.folders().values() + ", the server " + server.folders());
        }
        String trash = view.specialUse().entrySet().stream()
                .filter(e -> e.getValue().equals("\\Trash"))
                .map(Map.Entry::getKey)
                .findFirst()
                .orElse(null);
        if (!Objects.equals(trash, setup.trashFolder())) {
            throw new ModelFailure(
                    Check.MIRROR, "the mirror's \\Trash folder is " + trash + ", the server's " + setup.trashFolder());
        }
        List<Fact> facts = Fact.sorted(view.items().values().stream()
                .map(i -> new Fact(view.folders().get(i.folderId()), i.messageId(), i.flags()))
                .toList());
        if (!facts.equals(server.facts())) {
            throw new ModelFailure(
                    Check.MIRROR, "after a sync the mirror differs from the server:\n" + diff(server.facts(), facts));
        }
        Map<String, MirrorEntry> next = new LinkedHashMap<>();
        for (DeviceReplica.Item i : view.items().values()) {
            String folder = view.folders().get(i.folderId());
            long incarnation = server.find(folder, i.messageId()).orElseThrow().incarnation();
            next.put(i.id(), new MirrorEntry(i.id(), i.folderId(), folder, i.messageId(), incarnation, i.flags()));
        }
        mirror = next;
        mirrorFolders = new TreeMap<>(view.folders());
    }

    /** The device's state, built from deltas, must be its full view: same folders, ids and flags. */
    private void checkDevice(DeviceReplica d, View view) {
        if (!d.folders().equals(view.folders())) {
            throw new ModelFailure(
                    Check.DEVICE, d.name + " has folders " + d.folders() + ", its view " + view.folders());
        }
        if (!d.messages().equals(view.items())) {
            StringBuilder text = new StringBuilder(d.name + "'s state differs from its full view:");
            Set<String> ids = new TreeSet<>(d.messages().keySet());
            ids.addAll(view.items().keySet());
            for (String id : ids) {
                DeviceReplica.Item mine = d.messages().get(id);
                DeviceReplica.Item theirs = view.items().get(id);
                if (!Objects.equals(mine, theirs)) {
                    text.append("\n  ")
                            .append(id)
                            .append(": device ")
                            .append(describe(d, mine))
                            .append(", view ")
                            .append(describe(d, theirs));
                }
            }
            throw new ModelFailure(Check.DEVICE, text.toString());
        }
    }

    // ---- text ----------------------------------------------------------------------------------------

    private static String describe(DeviceReplica d, DeviceReplica.Item item) {
        return item == null
                ? "-"
                : d.folders().getOrDefault(item.folderId(), item.folderId()) + " " + shortId(item.messageId()) + " "
                        + item.flags();
    }

    private static String name(ExpectedServer.Message m) {
        return shortId(m.messageId()) + " (" + m.folder() + " " + m.flags() + ")";
    }

    private static String name(DeviceReplica d, DeviceReplica.Item item) {
        return shortId(item.messageId()) + " (" + d.folders().getOrDefault(item.folderId(), "?") + ")";
    }

    /** {@code <m7.1f3a@model.mailsync.test>} → {@code m7}. */
    private static String shortId(String messageId) {
        if (messageId == null) {
            return "(no Message-ID)";
        }
        int dot = messageId.indexOf('.');
        return dot > 1 && messageId.startsWith("<") ? messageId.substring(1, dot) : messageId;
    }

    private static String diff(List<Fact> expected, List<Fact> actual) {
        List<Fact> missing = new ArrayList<>(expected);
        actual.forEach(missing::remove);
        List<Fact> extra = new ArrayList<>(actual);
        expected.forEach(extra::remove);
        StringBuilder text = new StringBuilder();
        missing.forEach(f -> text.append("  missing   ").append(shorten(f)).append('\n'));
        extra.forEach(f -> text.append("  unexpected ").append(shorten(f)).append('\n'));
        return text.toString();
    }

    private static String shorten(Fact f) {
        return f.folder() + " " + shortId(f.messageId()) + " " + f.flags();
    }
}
