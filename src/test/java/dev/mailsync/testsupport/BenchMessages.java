package dev.mailsync.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Realistic mail for the IMAP benchmark, 2–4 KB a message: varied senders, recipients (some with Cc),
 * subjects (replies, forwards, RFC 2047 encoded non-ASCII ones), two Received lines, Message-ID and
 * In-Reply-To/References, and three body shapes: text/plain (quoted-printable or 7bit),
 * multipart/alternative (text and HTML) and multipart/mixed with a small base64 attachment. The same user
 * and number always give the same message (a seeded generator), so runs are comparable.
 *
 * <p>{@link #seedMaildir} writes them straight into a maildir as Dovecot's own delivery would (file name
 * with {@code S=} and {@code W=} sizes and the flags, modification time = received time), so 100,000
 * messages take seconds instead of the many minutes 100,000 IMAP APPENDs need.
 */
public final class BenchMessages {
    private static final List<String> FIRST = List.of(
            "Anna", "Ben", "Chloé", "David", "Emma", "Farid", "Greta", "Hiro", "Ines", "Jonas", "Karin", "Luca", "Mia",
            "Noah", "Olga", "Pedro", "Quinn", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wim", "Xenia", "Yusuf", "Zoë");
    private static final List<String> LAST = List.of(
            "Adler",
            "Berg",
            "Costa",
            "Dubois",
            "Eriksen",
            "Fischer",
            "García",
            "Hansen",
            "Ito",
            "Jansen",
            "Kowalski",
            "Larsen",
            "Müller",
            "Nowak",
            "Olsen",
            "Petrov",
            "Rossi",
            "Silva",
            "Tanaka",
            "Weber");
    private static final List<String> DOMAINS = List.of(
            "example.org", "example.com", "example.net", "mail.example.org", "lists.example.com", "corp.example.net");
    private static final List<String> TOPICS = List.of(
            "Quarterly report",
            "Meeting notes",
            "Invoice %d",
            "Your order %d has shipped",
            "Weekend plans",
            "Project kickoff",
            "Budget review for Q%d",
            "Lunch on Thursday?",
            "Release %d.%d checklist",
            "Travel itinerary",
            "Password policy update",
            "Team offsite agenda",
            "Contract draft v%d",
            "Photos from the trip",
            "Newsletter #%d",
            "Build failed on main (#%d)",
            "Reminder: dentist appointment",
            "Feedback on the proposal",
            "Holiday schedule",
            "Server maintenance window");
    private static final List<String> UNICODE_TOPICS = List.of(
            "Café et croissants — vendredi",
            "Grüße aus München",
            "Résumé für die Stelle",
            "Års­möte i föreningen",
            "Ñandú: informe de campo",
            "Zażółć gęślą jaźń",
            "会議の議事録",
            "Привет из Москвы");
    private static final List<String> WORDS = List.of(
            "the",
            "project",
            "meeting",
            "please",
            "find",
            "attached",
            "report",
            "we",
            "should",
            "discuss",
            "next",
            "week",
            "budget",
            "numbers",
            "look",
            "good",
            "thanks",
            "for",
            "your",
            "help",
            "with",
            "this",
            "I",
            "think",
            "team",
            "agreed",
            "on",
            "timeline",
            "and",
            "deliverables",
            "let",
            "me",
            "know",
            "if",
            "you",
            "have",
            "questions",
            "about",
            "schedule",
            "customer",
            "feedback",
            "was",
            "positive",
            "overall",
            "but",
            "there",
            "are",
            "a",
            "few",
            "open",
            "issues",
            "to",
            "resolve",
            "before",
            "release",
            "also",
            "remember",
            "that",
            "office",
            "closed",
            "Friday",
            "best",
            "regards",
            "update",
            "draft",
            "review",
            "changes");
    private static final DateTimeFormatter RFC_5322 =
            DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT);

    /** Received dates are spread over this many seconds before "now" (about two years). */
    private static final long SPAN_SECONDS = 2L * 365 * 24 * 3600;

    private BenchMessages() {}

    /** One generated message: its RFC 5322 text with CRLF line ends, received time, maildir flag letters. */
    public record Message(byte[] crlf, Instant received, String maildirFlags) {
        /** The same text with LF line ends, as a maildir stores it. */
        byte[] lf() {
            return new String(crlf, StandardCharsets.ISO_8859_1)
                    .replace("\r\n", "\n")
                    .getBytes(StandardCharsets.ISO_8859_1);
        }
    }

    /**
     * Message number {@code n} (0-based) of {@code count} for {@code user}; received times grow with
     * {@code n} and end about a minute before {@code now}.
     */
    public static Message message(String user, int n, int count, Instant now) {
        SplittableRandom r = new SplittableRandom(user.hashCode() * 1_000_003L + n);
        Instant received = now.minusSeconds(60 + (long) ((count - n) * (SPAN_SECONDS / (double) Math.max(1, count))));
        Instant sent = received.minusSeconds(2 + r.nextInt(600));
        String fromName = pick(r, FIRST) + " " + pick(r, LAST);
        String fromAddr = address(fromName, pick(r, DOMAINS));
        String to = user + "@example.org";
        int sizeTarget = 2_000 + r.nextInt(2_001);

        boolean reply = r.nextInt(100) < 30;
        boolean forward = !reply && r.nextInt(100) < 7;
        boolean unicode = r.nextInt(100) < 10;
        String topic = unicode
                ? pick(r, UNICODE_TOPICS)
                : String.format(Locale.ROOT, pick(r, TOPICS), 1 + r.nextInt(999), r.nextInt(10));
        String subject = (reply ? "Re: " : forward ? "Fwd: " : "") + topic;
        String messageId = "<" + Long.toHexString(r.nextLong()) + "." + n + "@" + pick(r, DOMAINS) + ">";

        StringBuilder h = new StringBuilder(sizeTarget + 512);
        h.append("Return-Path: <").append(fromAddr).append(">\r\n");
        h.append("Received: from mx")
                .append(1 + r.nextInt(4))
                .append(".example.org (mx.example.org [192.0.2.")
                .append(1 + r.nextInt(250))
                .append("])\r\n\tby imap.example.org with ESMTPS id ")
                .append(Long.toHexString(r.nextLong()))
                .append("\r\n\tfor <")
                .append(to)
                .append(">; ")
                .append(RFC_5322.format(received.atOffset(ZoneOffset.UTC)))
                .append("\r\n");
        h.append("Received: from [198.51.100.")
                .append(1 + r.nextInt(250))
                .append("] by smtp.")
                .append(pick(r, DOMAINS))
                .append(" with ESMTPSA; ")
                .append(RFC_5322.format(sent.atOffset(ZoneOffset.ofHours(r.nextInt(-8, 10)))))
                .append("\r\n");
        h.append("From: ")
                .append(displayName(fromName))
                .append(" <")
                .append(fromAddr)
                .append(">\r\n");
        h.append("To: ").append(user).append(" <").append(to).append(">");
        if (r.nextInt(100) < 25) {
            h.append(", ").append(address(pick(r, FIRST) + " " + pick(r, LAST), pick(r, DOMAINS)));
        }
        h.append("\r\n");
        if (r.nextInt(100) < 20) {
            String ccName = pick(r, FIRST) + " " + pick(r, LAST);
            h.append("Cc: ")
                    .append(displayName(ccName))
                    .append(" <")
                    .append(address(ccName, pick(r, DOMAINS)))
                    .append(">\r\n");
        }
        h.append("Subject: ")
                .append(unicode ? encodedWord(subject, r.nextBoolean()) : subject)
                .append("\r\n");
        h.append("Date: ")
                .append(RFC_5322.format(sent.atOffset(ZoneOffset.ofHours(r.nextInt(-8, 10)))))
                .append("\r\n");
        h.append("Message-ID: ").append(messageId).append("\r\n");
        if (reply) {
            String parent = "<" + Long.toHexString(r.nextLong()) + "@" + pick(r, DOMAINS) + ">";
            h.append("In-Reply-To: ")
                    .append(parent)
                    .append("\r\nReferences: ")
                    .append(parent)
                    .append("\r\n");
        }
        h.append("X-Mailer: BenchMail ")
                .append(1 + r.nextInt(9))
                .append('.')
                .append(r.nextInt(10))
                .append("\r\n");
        h.append("MIME-Version: 1.0\r\n");

        int shape = r.nextInt(100);
        StringBuilder text = new StringBuilder();
        text.append("Hi ").append(user).append(",\r\n\r\n");
        int bodyTarget = Math.max(400, sizeTarget - h.length() - (shape < 60 ? 100 : 700));
        while (text.length() < (shape < 60 ? bodyTarget : bodyTarget / 2)) {
            paragraph(r, text);
        }
        text.append("Best regards,\r\n").append(fromName).append("\r\n");

        if (shape < 60) {
            boolean qp = r.nextBoolean();
            h.append("Content-Type: text/plain; charset=UTF-8\r\n");
            h.append("Content-Transfer-Encoding: ")
                    .append(qp ? "quoted-printable" : "7bit")
                    .append("\r\n\r\n");
            h.append(text);
        } else if (shape < 90) {
            String boundary = "alt-" + Long.toHexString(r.nextLong());
            h.append("Content-Type: multipart/alternative; boundary=\"")
                    .append(boundary)
                    .append("\"\r\n\r\n");
            h.append("--")
                    .append(boundary)
                    .append("\r\nContent-Type: text/plain; charset=UTF-8\r\n")
                    .append("Content-Transfer-Encoding: 7bit\r\n\r\n")
                    .append(text)
                    .append("\r\n");
            h.append("--")
                    .append(boundary)
                    .append("\r\nContent-Type: text/html; charset=UTF-8\r\n")
                    .append("Content-Transfer-Encoding: 7bit\r\n\r\n<html><body><p>")
                    .append(text.toString().replace("\r\n\r\n", "</p>\r\n<p>"))
                    .append("</p></body></html>\r\n");
            h.append("--").append(boundary).append("--\r\n");
        } else {
            String boundary = "mix-" + Long.toHexString(r.nextLong());
            byte[] attachment = new byte[300 + r.nextInt(600)];
            for (int i = 0; i < attachment.length; i++) {
                attachment[i] = (byte) r.nextInt(256);
            }
            h.append("Content-Type: multipart/mixed; boundary=\"")
                    .append(boundary)
                    .append("\"\r\n\r\n");
            h.append("--")
                    .append(boundary)
                    .append("\r\nContent-Type: text/plain; charset=UTF-8\r\n")
                    .append("Content-Transfer-Encoding: 7bit\r\n\r\n")
                    .append(text)
                    .append("\r\n");
            h.append("--")
                    .append(boundary)
                    .append("\r\nContent-Type: application/pdf; name=\"report-")
                    .append(n)
                    .append(".pdf\"\r\nContent-Disposition: attachment; filename=\"report-")
                    .append(n)
                    .append(".pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
                    .append(Base64.getMimeEncoder(76, new byte[] {'\r', '\n'}).encodeToString(attachment))
                    .append("\r\n");
            h.append("--").append(boundary).append("--\r\n");
        }

        int f = r.nextInt(100);
        String flags = (f < 5 ? "F" : "") + (f >= 5 && f < 15 ? "R" : "") + (f < 75 ? "S" : "");
        return new Message(h.toString().getBytes(StandardCharsets.UTF_8), received, flags);
    }

    /**
     * Writes messages {@code from} (inclusive) to {@code to} (exclusive) of {@code count} into {@code
     * maildir/cur} (created, with {@code new} and {@code tmp}), named as Dovecot names delivered mail
     * ({@code <time>.M<n>P<salt>.<host>,S=<size>,W=<crlf size>:2,<flags>}) with the received time as
     * modification time (Dovecot's INTERNALDATE of a maildir message), each file and directory owned by
     * {@code uid}/{@code gid}. Ranges of one maildir may be written by several threads at once.
     *
     * @return bytes written
     */
    public static long seedMaildir(
            Path maildir, String user, int from, int to, int count, Instant now, int salt, Object uid, Object gid)
            throws IOException {
        for (Path dir : List.of(maildir, maildir.resolve("cur"), maildir.resolve("new"), maildir.resolve("tmp"))) {
            Files.createDirectories(dir);
            chown(dir, uid, gid);
        }
        Path cur = maildir.resolve("cur");
        long bytes = 0;
        for (int n = from; n < to; n++) {
            Message m = message(user, n, count, now);
            byte[] lf = m.lf();
            Path file = cur.resolve(now.getEpochSecond() + ".M" + n + "P" + salt + ".bench,S=" + lf.length + ",W="
                    + m.crlf().length + ":2," + m.maildirFlags());
            Files.write(file, lf);
            Files.setLastModifiedTime(file, FileTime.from(m.received()));
            chown(file, uid, gid);
            bytes += lf.length;
        }
        return bytes;
    }

    public static void chown(Path path, Object uid, Object gid) throws IOException {
        if (!Files.getAttribute(path, "unix:uid").equals(uid)) {
            Files.setAttribute(path, "unix:uid", uid);
        }
        if (!Files.getAttribute(path, "unix:gid").equals(gid)) {
            Files.setAttribute(path, "unix:gid", gid);
        }
    }

    private static void paragraph(SplittableRandom r, StringBuilder out) {
        int words = 25 + r.nextInt(50);
        int column = 0;
        for (int w = 0; w < words; w++) {
            String word = pick(r, WORDS);
            if (w == 0) {
                word = Character.toUpperCase(word.charAt(0)) + word.substring(1);
            }
            if (column + word.length() + 1 > 72) {
                out.append("\r\n");
                column = 0;
            } else if (w > 0) {
                out.append(' ');
                column++;
            }
            out.append(word);
            column += word.length();
        }
        out.append(".\r\n\r\n");
    }

    private static String address(String name, String domain) {
        String ascii = java.text.Normalizer.normalize(name, java.text.Normalizer.Form.NFD)
                .replaceAll("[^A-Za-z ]", "")
                .toLowerCase(Locale.ROOT)
                .replace(' ', '.');
        return ascii + "@" + domain;
    }

    /** A display name, RFC 2047-encoded when it is not ASCII. */
    private static String displayName(String name) {
        return StandardCharsets.US_ASCII.newEncoder().canEncode(name) ? name : encodedWord(name, false);
    }

    /** RFC 2047 encoded word, B or Q encoding, UTF-8. */
    private static String encodedWord(String text, boolean base64) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        if (base64) {
            return "=?UTF-8?B?" + Base64.getEncoder().encodeToString(utf8) + "?=";
        }
        StringBuilder q = new StringBuilder("=?UTF-8?Q?");
        for (byte b : utf8) {
            int c = b & 0xff;
            if (c == ' ') {
                q.append('_');
            } else if (c > 32 && c < 127 && c != '=' && c != '?' && c != '_') {
                q.append((char) c);
            } else {
                q.append('=').append(String.format(Locale.ROOT, "%02X", c));
            }
        }
        return q.append("?=").toString();
    }

    private static String pick(SplittableRandom r, List<String> from) {
        return from.get(r.nextInt(from.size()));
    }
}
