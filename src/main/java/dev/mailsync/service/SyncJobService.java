package dev.mailsync.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailsync.config.MailsyncConfig;
import dev.mailsync.jobs.JobWorkers;
import dev.mailsync.store.Device;
import dev.mailsync.store.Ids;
import dev.mailsync.store.JobStore;
import dev.mailsync.store.Page;
import dev.mailsync.store.SyncJob;
import dev.mailsync.store.Tx;
import dev.mailsync.sync.JobStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/** Sync jobs as the API sees them: schedule (with device changes), read, cancel, history. */
@ApplicationScoped
public class SyncJobService {
    private static final Logger LOG = Logger.getLogger(SyncJobService.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int MAX_CHANGES = 1000;
    static final int MAX_APPEND_BYTES = 25 * 1024 * 1024;
    private static final Set<String> SYSTEM_FLAGS = Set.of("\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft");
    /** RFC 3501 §9 flag-keyword = atom: no controls, space, ( ) { % * " \ ] */
    private static final Pattern KEYWORD =
            Pattern.compile("[\\x21\\x23\\x24\\x26-\\x27\\x2B-\\x5B\\x5E-\\x7A\\x7C\\x7E]{1,255}");

    private final DeviceService devices;
    private final JobStore jobs;
    private final JobWorkers workers;
    private final MailsyncConfig config;
    private final Clock clock;

    @Inject
    public SyncJobService(
            DeviceService devices, JobStore jobs, JobWorkers workers, MailsyncConfig config, Clock clock) {
        this.devices = devices;
        this.jobs = jobs;
        this.workers = workers;
        this.config = config;
        this.clock = clock;
    }

    /** What a POST answered: the job, and whether it was new, joined or a replay. */
    public record Scheduled(SyncJob job, JobStore.Outcome outcome) {}

    public Scheduled schedule(
            String owner, String accountId, String deviceId, List<DeviceChange> changes, String idempotencyKey) {
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 255)) {
            throw new InvalidInputException("Idempotency-Key", "must be 1 to 255 characters");
        }
        List<DeviceChange> list = changes == null ? List.of() : changes;
        String changesJson = validated(list);
        Device device = devices.get(owner, accountId, deviceId);
        String hash = sha256(changesJson);
        Instant now = clock.instant();
        JobStore.Request request = new JobStore.Request(
                Ids.next("job"),
                accountId,
                device.id(),
                "API",
                changesJson,
                list.size(),
                idempotencyKey,
                hash,
                config.jobs().maxAttempts(),
                now);
        JobStore.Enqueued enqueued;
        try {
            enqueued = enqueueOnce(request);
        } catch (RuntimeException e) {
            if (!isUniqueViolation(e)) {
                throw e;
            }
            // Another request for this device won the race for the queued slot: join it now.
            enqueued = enqueueOnce(request);
        }
        workers.wake();
        LOG.infof("job %s %s for device %s", enqueued.job().id(), enqueued.outcome(), deviceId);
        return new Scheduled(enqueued.job(), enqueued.outcome());
    }

    private JobStore.Enqueued enqueueOnce(JobStore.Request request) {
        try {
            return Tx.call(() -> {
                // A user asking for a sync is the signal to try a refused login again.
                jobs.setAuthBlocked(request.accountId(), false);
                return jobs.enqueue(request);
            });
        } catch (JobStore.IdempotencyConflict e) {
            throw new ConflictException(e.getMessage());
        }
    }

    private static boolean isUniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    public SyncJob get(String owner, String jobId) {
        return Tx.call(() -> jobs.findOwned(owner, jobId))
                .orElseThrow(() -> new NotFoundException("no sync job " + jobId));
    }

    /** A job and, for a POP3 sync, what it did (JSON text; null otherwise). */
    public record JobWithReport(SyncJob job, String pop3Report) {}

    /** The caller's job with its POP3 report, read in one transaction (what a polling client asks for). */
    public JobWithReport getWithReport(String owner, String jobId) {
        JobWithReport read = Tx.call(() -> {
            SyncJob job = jobs.findOwned(owner, jobId).orElse(null);
            return job == null
                    ? null
                    : new JobWithReport(job, pop3Store.report(jobId).orElse(null));
        });
        if (read == null) {
            throw new NotFoundException("no sync job " + jobId);
        }
        return read;
    }

    @Inject
    dev.mailsync.store.Pop3Store pop3Store;

    /** Cancels a queued job, or asks a running one to stop at its next safe point. */
    public SyncJob cancel(String owner, String jobId) {
        SyncJob job = get(owner, jobId);
        if (job.status().isFinal()) {
            throw new ConflictException("job " + jobId + " already ended as " + job.status());
        }
        JobStatus now = Tx.call(() -> jobs.cancel(jobId, clock.instant()));
        LOG.infof("job %s cancel requested (%s)", jobId, now);
        return get(owner, jobId);
    }

    public Page<SyncJob> history(String owner, String accountId, String deviceId, String cursor, int limit) {
        devices.get(owner, accountId, deviceId);
        return Cursors.guard(() -> Tx.call(() -> jobs.history(deviceId, cursor, limit)));
    }

    /** Checks every change's shape and returns the normalized list as a JSON array. */
    static String validated(List<DeviceChange> changes) {
        Validator v = new Validator();
        v.check(changes.size() <= MAX_CHANGES, "changes", "at most " + MAX_CHANGES + " changes per request");
        List<Map<String, Object>> normalized = new ArrayList<>();
        for (int i = 0; i < changes.size(); i++) {
            String at = "changes[" + i + "]";
            DeviceChange c = changes.get(i);
            if (c == null) {
                v.check(false, at, "must be an object");
                continue;
            }
            v.text(at + ".changeId", c.changeId(), 1, 100);
            DeviceChange.Type type = null;
            try {
                type = c.type() == null ? null : DeviceChange.Type.valueOf(c.type());
            } catch (IllegalArgumentException e) {
                v.check(false, at + ".type", "must be one of " + List.of(DeviceChange.Type.values()));
            }
            if (c.type() == null) {
                v.required(at + ".type", null);
            }
            if (type == null) {
                continue;
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("type", type.name());
            if (c.changeId() != null) {
                out.put("changeId", c.changeId());
            }
            Set<String> allowed = switch (type) {
                case SET_FLAGS -> Set.of("messageId", "add", "remove");
                case DELETE -> Set.of("messageId");
                case MOVE -> Set.of("messageId", "toFolderId");
                case APPEND -> Set.of("folderId", "flags", "rfc822");
                case CREATE_FOLDER -> Set.of("name");
                case RENAME_FOLDER -> Set.of("folderId", "newName");
                case DELETE_FOLDER -> Set.of("folderId");
            };
            Map<String, Object> given = new LinkedHashMap<>();
            given.put("messageId", c.messageId());
            given.put("folderId", c.folderId());
            given.put("toFolderId", c.toFolderId());
            given.put("name", c.name());
            given.put("newName", c.newName());
            given.put("add", c.add());
            given.put("remove", c.remove());
            given.put("flags", c.flags());
            given.put("rfc822", c.rfc822());
            given.forEach((field, value) -> {
                if (value != null && !allowed.contains(field)) {
                    v.check(false, at + "." + field, "does not apply to " + c.type());
                }
            });
            for (String field : allowed) {
                Object value = given.get(field);
                boolean optional = field.equals("add") || field.equals("remove") || field.equals("flags");
                if (!optional) {
                    v.required(at + "." + field, value);
                }
                if (value instanceof String s) {
                    v.text(at + "." + field, s, 1, field.equals("rfc822") ? Integer.MAX_VALUE : 1000);
                }
                if (value != null) {
                    out.put(field, value);
                }
            }
            for (String field : List.of("add", "remove", "flags")) {
                @SuppressWarnings("unchecked")
                List<String> flags = (List<String>) given.get(field);
                if (flags != null && allowed.contains(field)) {
                    for (int f = 0; f < flags.size(); f++) {
                        String flag = flags.get(f);
                        v.check(
                                flag != null
                                        && (SYSTEM_FLAGS.contains(flag)
                                                || KEYWORD.matcher(flag).matches()),
                                at + "." + field + "[" + f + "]",
                                "must be a system flag (" + String.join(" ", SYSTEM_FLAGS) + ") or an IMAP keyword");
                    }
                }
            }
            if (type == DeviceChange.Type.SET_FLAGS) {
                v.check(
                        (c.add() != null && !c.add().isEmpty())
                                || (c.remove() != null && !c.remove().isEmpty()),
                        at,
                        "SET_FLAGS needs flags to add or to remove");
            }
            if (type == DeviceChange.Type.APPEND && c.rfc822() != null) {
                try {
                    byte[] raw = Base64.getDecoder().decode(c.rfc822());
                    v.check(
                            raw.length > 0 && raw.length <= MAX_APPEND_BYTES,
                            at + ".rfc822",
                            "must be 1 byte to 25 MiB once decoded");
                } catch (IllegalArgumentException e) {
                    v.check(false, at + ".rfc822", "must be base64 of the RFC 5322 message");
                }
            }
            normalized.add(out);
        }
        v.throwIfInvalid();
        try {
            return JSON.writeValueAsString(normalized);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
