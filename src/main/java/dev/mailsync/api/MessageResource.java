package dev.mailsync.api;

import dev.mailsync.api.SyncDtos.AddressDto;
import dev.mailsync.service.MessageService;
import dev.mailsync.sync.MailAddress;
import dev.mailsync.sync.MessageContent;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.jwt.JsonWebToken;

/** Bodies on demand: getMessage, getRawMessage, getAttachment of openapi.yaml. */
@Path("/v1/accounts/{accountId}/messages/{messageId}")
@Authenticated
public class MessageResource {
    private final MessageService messages;
    private final JsonWebToken jwt;

    @Inject
    MessageResource(MessageService messages, JsonWebToken jwt) {
        this.messages = messages;
        this.jwt = jwt;
    }

    record HeaderDto(String name, String value) {}

    record AttachmentDto(String partId, String fileName, String contentType, Long size, boolean inline) {
        static AttachmentDto of(MessageContent.Attachment a) {
            return new AttachmentDto(a.partId(), a.fileName(), a.contentType(), a.size(), a.inline());
        }
    }

    record MessageContentDto(
            String id,
            String folderId,
            long uid,
            List<HeaderDto> headers,
            String subject,
            List<AddressDto> from,
            List<AddressDto> to,
            List<AddressDto> cc,
            Instant sentAt,
            String messageId,
            String text,
            String html,
            List<AttachmentDto> attachments) {}

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public MessageContentDto get(@PathParam("accountId") String accountId, @PathParam("messageId") String messageId) {
        MessageService.Content read = messages.read(jwt.getSubject(), accountId, messageId);
        MessageContent c = read.content();
        return new MessageContentDto(
                read.id(),
                read.folderId(),
                read.uid(),
                c.headers().stream()
                        .map(h -> new HeaderDto(h.name(), h.value()))
                        .toList(),
                c.subject(),
                addresses(c.from()),
                addresses(c.to()),
                addresses(c.cc()),
                c.sentAt(),
                c.messageId(),
                c.text(),
                c.html(),
                c.attachments().stream().map(AttachmentDto::of).toList());
    }

    @GET
    @Path("raw")
    @Produces("message/rfc822")
    public Response raw(@PathParam("accountId") String accountId, @PathParam("messageId") String messageId) {
        MessageService.Body body = messages.raw(jwt.getSubject(), accountId, messageId);
        return Response.ok((StreamingOutput) body::writeTo, "message/rfc822")
                .header("X-Content-Type-Options", "nosniff")
                .build();
    }

    /** Always as an attachment with nosniff: a part's own type (e.g. text/html) never renders on our origin. */
    @GET
    @Path("attachments/{partId}")
    public Response attachment(
            @PathParam("accountId") String accountId,
            @PathParam("messageId") String messageId,
            @PathParam("partId") String partId) {
        MessageService.Attachment a = messages.attachment(jwt.getSubject(), accountId, messageId, partId);
        String disposition = a.info().fileName() == null
                ? "attachment"
                : "attachment; filename*=UTF-8''"
                        + URLEncoder.encode(a.info().fileName(), StandardCharsets.UTF_8)
                                .replace("+", "%20");
        return Response.ok((StreamingOutput) a.body()::writeTo, a.info().contentType())
                .header("Content-Disposition", disposition)
                .header("X-Content-Type-Options", "nosniff")
                .build();
    }

    private static List<AddressDto> addresses(List<MailAddress> list) {
        return list.stream().map(a -> new AddressDto(a.name(), a.email())).toList();
    }
}
