package dev.mailsync.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailsync.store.DeltaStore.MessageRow;
import dev.mailsync.sync.MailAddress;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/** A message summary of the mirror as a device sees it: no body, which is fetched when opened. */
public record MessageView(
        String id,
        String folderId,
        long uid,
        Set<String> flags,
        String subject,
        List<MailAddress> from,
        List<MailAddress> to,
        List<MailAddress> cc,
        Instant sentAt,
        String messageId,
        long size,
        Instant receivedAt,
        String preview,
        boolean hasAttachments) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<MailAddress>> ADDRESSES = new TypeReference<>() {};

    static MessageView of(MessageRow m) {
        return new MessageView(
                m.id(),
                m.folderId(),
                m.uid(),
                m.flags(),
                m.subject(),
                addresses(m.fromJson()),
                addresses(m.toJson()),
                addresses(m.ccJson()),
                m.sentAt(),
                m.messageId(),
                m.size(),
                m.internalDate(),
                m.preview(),
                m.hasAttachments());
    }

    private static List<MailAddress> addresses(String json) {
        try {
            return JSON.readValue(json, ADDRESSES);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored addresses do not parse", e);
        }
    }
}
