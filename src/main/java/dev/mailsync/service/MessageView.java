package dev.mailsync.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailsync.store.DeltaStore.MessageRow;
import dev.mailsync.sync.MailAddress;
import dev.mailsync.sync.MessageSummary;
import java.util.List;

/** A message of the mirror as a device sees it: its id, its folder and its summary (no body). */
public record MessageView(String id, String folderId, MessageSummary summary) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<MailAddress>> ADDRESSES = new TypeReference<>() {};

    static MessageView of(MessageRow m) {
        return new MessageView(
                m.id(),
                m.folderId(),
                new MessageSummary(
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
                        m.hasAttachments()));
    }

    private static List<MailAddress> addresses(String json) {
        try {
            return JSON.readValue(json, ADDRESSES);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored addresses do not parse", e);
        }
    }
}
