package dev.mailsync.testsupport;

import jakarta.activation.DataHandler;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

/** Builds RFC 5322 messages for tests: {@code TestMessages.builder().subject("Hi").text("...").build()}. */
public final class TestMessages {
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private TestMessages() {}

    public static Builder builder() {
        return new Builder();
    }

    /** A short text message with that subject. */
    public static byte[] simple(String subject) {
        return builder().subject(subject).text("Body of " + subject).build();
    }

    public static final class Builder {
        private String from = "alice@example.org";
        private final List<String> to = new ArrayList<>(List.of("bob@example.org"));
        private String subject = "Test message";
        private String text = "Hello.";
        private String html;
        private Instant date = Instant.parse("2024-05-01T10:00:00Z");
        private String messageId;
        private final List<Attachment> attachments = new ArrayList<>();

        private Builder() {}

        public Builder from(String address) {
            this.from = address;
            return this;
        }

        /** Replaces the recipients. */
        public Builder to(String... addresses) {
            to.clear();
            to.addAll(List.of(addresses));
            return this;
        }

        public Builder subject(String subject) {
            this.subject = subject;
            return this;
        }

        public Builder text(String text) {
            this.text = text;
            return this;
        }

        public Builder html(String html) {
            this.html = html;
            return this;
        }

        public Builder date(Instant date) {
            this.date = date;
            return this;
        }

        /** Without one, a unique {@code <n.mailsync-test@example.org>} is used. */
        public Builder messageId(String messageId) {
            this.messageId = messageId;
            return this;
        }

        public Builder attachment(String fileName, String contentType, byte[] content) {
            attachments.add(new Attachment(fileName, contentType, content.clone()));
            return this;
        }

        public byte[] build() {
            try {
                Session session = Session.getInstance(new Properties());
                String id = messageId != null
                        ? messageId
                        : "<" + SEQUENCE.incrementAndGet() + "." + System.nanoTime() + ".mailsync-test@example.org>";
                MimeMessage message = new MimeMessage(session) {
                    @Override
                    protected void updateMessageID() throws MessagingException {
                        setHeader("Message-ID", id);
                    }
                };
                message.setFrom(new InternetAddress(from));
                for (String address : to) {
                    message.addRecipient(jakarta.mail.Message.RecipientType.TO, new InternetAddress(address));
                }
                message.setSubject(subject, StandardCharsets.UTF_8.name());
                message.setSentDate(Date.from(date));
                if (attachments.isEmpty() && html == null) {
                    message.setText(text, StandardCharsets.UTF_8.name());
                } else {
                    MimeMultipart mixed = new MimeMultipart("mixed");
                    MimeBodyPart textPart = new MimeBodyPart();
                    textPart.setText(text, StandardCharsets.UTF_8.name());
                    if (html != null) {
                        MimeMultipart alternative = new MimeMultipart("alternative");
                        MimeBodyPart htmlPart = new MimeBodyPart();
                        htmlPart.setText(html, StandardCharsets.UTF_8.name(), "html");
                        alternative.addBodyPart(textPart);
                        alternative.addBodyPart(htmlPart);
                        MimeBodyPart wrapper = new MimeBodyPart();
                        wrapper.setContent(alternative);
                        mixed.addBodyPart(wrapper);
                    } else {
                        mixed.addBodyPart(textPart);
                    }
                    for (Attachment a : attachments) {
                        MimeBodyPart part = new MimeBodyPart();
                        part.setDataHandler(new DataHandler(new ByteArrayDataSource(a.content(), a.contentType())));
                        part.setFileName(a.fileName());
                        part.setDisposition(MimeBodyPart.ATTACHMENT);
                        mixed.addBodyPart(part);
                    }
                    message.setContent(mixed);
                }
                message.saveChanges();
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                message.writeTo(out);
                return out.toByteArray();
            } catch (MessagingException e) {
                throw new IllegalStateException("cannot build test message", e);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private record Attachment(String fileName, String contentType, byte[] content) {}
}
