package dev.mailsync.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailsync.service.DeltaService;
import dev.mailsync.service.FolderView;
import dev.mailsync.service.MessageView;
import dev.mailsync.service.SyncJobView;
import dev.mailsync.sync.ChangeResult;
import dev.mailsync.sync.JobStatus;
import dev.mailsync.sync.MailAddress;
import dev.mailsync.sync.MessageSummary;
import dev.mailsync.sync.StateToken;
import java.time.Instant;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/** JSON shapes of sync jobs, deltas and the full view (schemas SyncJob, Changes, MessageSummary…). */
final class SyncDtos {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SyncDtos() {}

    /**
     * A sync job request. Each change is read as plain JSON values and made a typed {@code DeviceChange}
     * by {@code DeviceChangeRules} (which knows every kind's fields), so a new kind needs no DTO here.
     */
    record SyncJobRequest(List<Object> changes) {}

    record JobError(String type, String title, String code, String detail) {}

    record SyncJobResponse(
            String id,
            String accountId,
            String deviceId,
            JobStatus status,
            String trigger,
            int attempts,
            int maxAttempts,
            boolean cancelRequested,
            Instant createdAt,
            Instant startedAt,
            Instant finishedAt,
            Instant nextAttemptAt,
            int changeCount,
            List<ChangeResult> results,
            String state,
            JobError error,
            com.fasterxml.jackson.databind.JsonNode pop3) {

        static SyncJobResponse of(SyncJobView j) {
            return of(j, null);
        }

        /** With {@code pop3Json}: what a POP3 sync did (downloads, skips, deletions and their policy). */
        static SyncJobResponse of(SyncJobView j, String pop3Json) {
            return new SyncJobResponse(
                    j.id(),
                    j.accountId(),
                    j.deviceId(),
                    j.status(),
                    j.trigger(),
                    j.attempts(),
                    j.maxAttempts(),
                    j.cancelRequested(),
                    j.createdAt(),
                    j.startedAt(),
                    j.finishedAt(),
                    j.nextAttemptAt(),
                    j.changeCount(),
                    j.results(),
                    j.stateSeq() == null ? null : new StateToken(j.deviceId(), j.stateSeq()).encode(),
                    j.errorCode() == null
                            ? null
                            : new JobError(Problem.type(j.errorCode()), title(j), j.errorCode(), j.errorDetail()),
                    pop3Json == null
                            ? null
                            : read(pop3Json, new TypeReference<com.fasterxml.jackson.databind.JsonNode>() {}));
        }

        private static String title(SyncJobView j) {
            return j.status() == JobStatus.QUEUED ? "Last attempt failed; a retry is scheduled" : "Sync job failed";
        }
    }

    record AddressDto(String name, String email) {}

    record FolderDto(String id, String name, String delimiter, String specialUse) {
        static FolderDto of(FolderView f) {
            return new FolderDto(f.id(), f.name(), f.delimiter(), f.specialUse());
        }
    }

    record MessageDto(
            String id,
            String folderId,
            long uid,
            SortedSet<String> flags,
            String subject,
            List<AddressDto> from,
            List<AddressDto> to,
            List<AddressDto> cc,
            Instant sentAt,
            String messageId,
            long size,
            Instant receivedAt,
            String preview,
            boolean hasAttachments) {
        static MessageDto of(MessageView v) {
            MessageSummary m = v.summary();
            return new MessageDto(
                    v.id(),
                    v.folderId(),
                    m.uid(),
                    new TreeSet<>(m.flags()),
                    m.subject(),
                    addresses(m.from()),
                    addresses(m.to()),
                    addresses(m.cc()),
                    m.sentAt(),
                    m.messageId(),
                    m.size(),
                    m.internalDate(),
                    m.preview(),
                    m.hasAttachments());
        }
    }

    record FlagsDto(String id, SortedSet<String> flags) {}

    record FolderChanges(List<FolderDto> created, List<FolderDto> updated, List<String> destroyed) {}

    record MessageChanges(List<MessageDto> created, List<FlagsDto> updated, List<String> destroyed) {}

    record ChangesResponse(
            String oldState, String newState, boolean hasMore, FolderChanges folders, MessageChanges messages) {
        static ChangesResponse of(DeltaService.Delta d) {
            return new ChangesResponse(
                    d.oldState(),
                    d.newState(),
                    d.hasMore(),
                    new FolderChanges(
                            d.foldersCreated().stream().map(FolderDto::of).toList(),
                            d.foldersUpdated().stream().map(FolderDto::of).toList(),
                            d.foldersDestroyed()),
                    new MessageChanges(
                            d.messagesCreated().stream().map(MessageDto::of).toList(),
                            d.messagesUpdated().stream()
                                    .map(m -> new FlagsDto(
                                            m.id(), new TreeSet<>(m.summary().flags())))
                                    .toList(),
                            d.messagesDestroyed()));
        }
    }

    record AckRequest(String state) {}

    record ViewResponse(String state, List<FolderDto> folders, List<MessageDto> items, String nextCursor) {
        static ViewResponse of(DeltaService.View v) {
            return new ViewResponse(
                    v.state(),
                    v.folders().stream().map(FolderDto::of).toList(),
                    v.messages().stream().map(MessageDto::of).toList(),
                    v.nextCursor());
        }
    }

    record FolderList(List<FolderDto> items) {}

    private static List<AddressDto> addresses(List<MailAddress> addresses) {
        return addresses.stream().map(a -> new AddressDto(a.name(), a.email())).toList();
    }

    private static <T> T read(String json, TypeReference<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON does not parse", e);
        }
    }
}
