package dev.mailsync.demo;

import jakarta.activation.DataHandler;
import jakarta.mail.Flags;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.UnsupportedEncodingException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;

/**
 * The demo mailboxes, the same on every start: a seeded generator, fixed dates. The IMAP user gets
 * threads of conversation spread over INBOX, Sent, Archive, Drafts and Trash — multipart/alternative and
 * plain text, attachments from a few KB to a few MB, RFC 2047 encoded names and subjects, replies with
 * In-Reply-To and References, \Seen, \Flagged and \Answered — and the POP3 user a few dozen messages.
 */
final class DemoMessages {
    static final String DOMAIN = "mailsync.test";
    static final List<String> IMAP_FOLDERS = List.of("INBOX", "Sent", "Drafts", "Archive", "Trash");

    /** The newest demo message is from this moment; the others go back from it. */
    private static final Instant NEWEST = Instant.parse("2026-11-30T16:45:00Z");

    private static final Session SESSION = Session.getInstance(new Properties());

    /** One message and where it goes. */
    record Demo(String folder, MimeMessage message, Flags flags, Date received) {}

    private record Person(String name, String address) {}

    private static final List<Person> CONTACTS = List.of(
            new Person("Ana Souza", "ana@example.org"),
            new Person("Jürgen Groß", "juergen@example.de"),
            new Person("佐藤 花子", "hanako@example.jp"),
            new Person("Zoë Martin", "zoe@example.fr"),
            new Person("Bob Smith", "bob@example.com"),
            new Person("Ola Nordmann", "ola@example.no"),
            new Person("Łukasz Wiśniewski", "lukasz@example.pl"),
            new Person("Priya Natarajan", "priya@example.in"),
            new Person("Mailing list: release-notes", "release-notes@lists.example.net"));

    private static final List<String> TOPICS = List.of(
            "Grüße aus München",
            "Réunion de lundi : ordre du jour",
            "Quarterly numbers",
            "会議の議事録",
            "Trip photos 📷",
            "Invoice 2026-11",
            "Lunch on Thursday?",
            "Draft of the proposal",
            "Ihre Bestellung ist unterwegs",
            "Weekly release notes",
            "Budget für 2027",
            "Kickoff — next steps",
            "Zaproszenie na konferencję",
            "Your account statement",
            "Notes from the offsite",
            "Fwd: floor plan",
            "¿Nos vemos el viernes?",
            "Server maintenance window",
            "Welcome to the team!",
            "Feedback on the design");

    private static final List<String> PARAGRAPHS = List.of(
            "Thanks for the update. I went through the numbers again this morning and they look right to me;"
                    + " the only open point is the travel budget, which we can settle on Thursday.",
            "Anbei die Unterlagen für das Treffen. Bitte schau dir besonders Abschnitt drei an, dort haben wir"
                    + " die Änderungen gegenüber der letzten Fassung markiert. Schöne Grüße!",
            "Pour lundi : point sur le planning, revue des maquettes, puis questions diverses. N'hésitez pas à"
                    + " compléter l'ordre du jour d'ici vendredi.",
            "お疲れ様です。先日の会議の議事録を共有します。次回は来週の火曜日、午後二時からの予定です。",
            "Quick reminder that the maintenance window starts at 22:00 UTC. Expect a few minutes without"
                    + " access to the shared drives; mail is not affected.",
            "Could you send me the latest version before the end of the day? I would like to read it on the"
                    + " train tomorrow and send my comments back in the morning.",
            "Dziękuję za zaproszenie! Chętnie wezmę udział w konferencji i przygotuję krótką prezentację.",
            "The photos are in the attachment. The one from the harbour at sunset is my favourite — let me"
                    + " know which ones you want printed.");

    private DemoMessages() {}

    /** The IMAP user's mailbox: a few hundred messages over five folders. */
    static List<Demo> imapMailbox(String user) {
        SplittableRandom random = new SplittableRandom(20261204L);
        Person me = new Person("Demo User", user + "@" + DOMAIN);
        List<Demo> all = new ArrayList<>();
        Instant at = NEWEST;
        int threads = 110;
        for (int t = 0; t < threads; t++) {
            String topic = TOPICS.get(t % TOPICS.size()) + (t < TOPICS.size() ? "" : " (" + (t / TOPICS.size()) + ")");
            Person other = CONTACTS.get(random.nextInt(CONTACTS.size()));
            int length = 1 + random.nextInt(random.nextInt(8) < 5 ? 2 : 6);
            // Older threads lie further back; a thread's messages are a few hours apart.
            at = at.minus(Duration.ofMinutes(90 + random.nextInt(60 * 30)));
            Instant sent = at;
            String folderOfThread = t % 9 == 8 ? "Archive" : t % 23 == 22 ? "Trash" : "INBOX";
            List<String> references = new ArrayList<>();
            for (int n = 0; n < length; n++) {
                boolean fromMe = n % 2 == 1;
                Person from = fromMe ? me : other;
                Person to = fromMe ? other : me;
                String subject = (n == 0 ? "" : "Re: ") + topic;
                String id = "<demo." + t + "." + n + "@" + DOMAIN + ">";
                boolean last = n == length - 1;
                MimeMessage message = message(random, id, from, to, subject, sent, references, t, n);
                Flags flags = new Flags();
                boolean recent = t < 12;
                if (!fromMe && (!recent || !last)) {
                    flags.add(Flags.Flag.SEEN);
                }
                if (fromMe) {
                    flags.add(Flags.Flag.SEEN);
                }
                if (!fromMe && !last) {
                    flags.add(Flags.Flag.ANSWERED); // the next message of the thread is the reply
                }
                if (random.nextInt(14) == 0) {
                    flags.add(Flags.Flag.FLAGGED);
                }
                String folder = fromMe ? (folderOfThread.equals("INBOX") ? "Sent" : folderOfThread) : folderOfThread;
                all.add(new Demo(folder, message, flags, Date.from(sent)));
                references.add(id);
                sent = sent.plus(Duration.ofMinutes(20 + random.nextInt(240)));
            }
        }
        for (int d = 0; d < 4; d++) {
            Person to = CONTACTS.get(d);
            Instant when = NEWEST.minus(Duration.ofHours(3L * d + 1));
            MimeMessage draft = message(
                    random,
                    "<demo.draft." + d + "@" + DOMAIN + ">",
                    me,
                    to,
                    "Draft: " + TOPICS.get(d),
                    when,
                    List.of(),
                    1000 + d,
                    0);
            Flags flags = new Flags(Flags.Flag.DRAFT);
            flags.add(Flags.Flag.SEEN);
            all.add(new Demo("Drafts", draft, flags, Date.from(when)));
        }
        return all;
    }

    /** The POP3 user's maildrop: a few dozen messages, none of them read yet (POP3 has no flags). */
    static List<Demo> pop3Mailbox(String user) {
        SplittableRandom random = new SplittableRandom(1939L);
        Person me = new Person("POP Demo", user + "@" + DOMAIN);
        List<Demo> all = new ArrayList<>();
        Instant at = NEWEST;
        for (int i = 0; i < 36; i++) {
            at = at.minus(Duration.ofMinutes(30 + random.nextInt(600)));
            Person from = CONTACTS.get(random.nextInt(CONTACTS.size()));
            String subject = TOPICS.get(random.nextInt(TOPICS.size()));
            MimeMessage message = message(
                    random, "<demo.pop." + i + "@" + DOMAIN + ">", from, me, subject, at, List.of(), 2000 + i, 0);
            all.add(new Demo("INBOX", message, new Flags(), Date.from(at)));
        }
        return all.reversed(); // oldest first, as mail arrives
    }

    private static MimeMessage message(
            SplittableRandom random,
            String messageId,
            Person from,
            Person to,
            String subject,
            Instant sent,
            List<String> references,
            int thread,
            int index) {
        try {
            MimeMessage m = new MimeMessage(SESSION);
            m.setFrom(address(from));
            m.setRecipient(Message.RecipientType.TO, address(to));
            if (random.nextInt(5) == 0) {
                m.setRecipient(Message.RecipientType.CC, address(CONTACTS.get(random.nextInt(CONTACTS.size()))));
            }
            m.setSubject(subject, "UTF-8"); // RFC 2047 where it is not ASCII
            m.setSentDate(Date.from(sent));
            if (!references.isEmpty()) {
                m.setHeader("In-Reply-To", references.getLast());
                m.setHeader("References", String.join(" ", references));
            }
            String text = body(random, from, index);
            String boundary = "demo-" + thread + "-" + index;
            int kind = random.nextInt(10);
            int attachment = thread % 37 == 5 && index == 0
                    ? 1_500_000 + random.nextInt(1_500_000) // a few MB
                    : kind == 0 ? 20_000 + random.nextInt(200_000) : 0;
            if (attachment > 0) {
                MimeMultipart mixed = multipart("mixed", boundary + "-mixed");
                MimeBodyPart content = new MimeBodyPart();
                content.setContent(alternative(text, boundary));
                mixed.addBodyPart(content);
                MimeBodyPart file = new MimeBodyPart();
                boolean photo = subject.contains("📷") || random.nextBoolean();
                String type = photo ? "image/jpeg" : "application/pdf";
                String name = photo ? "photo-" + thread + ".jpg" : "document-" + thread + ".pdf";
                file.setDataHandler(new DataHandler(new ByteArrayDataSource(bytes(random, attachment), type)));
                file.setFileName(name);
                file.setDisposition(MimeBodyPart.ATTACHMENT);
                mixed.addBodyPart(file);
                m.setContent(mixed);
            } else if (kind < 7) {
                m.setContent(alternative(text, boundary));
            } else {
                m.setText(text, "UTF-8");
            }
            m.saveChanges();
            m.setHeader("Message-ID", messageId); // after saveChanges, which would make a random one
            return m;
        } catch (MessagingException | UnsupportedEncodingException e) {
            throw new IllegalStateException("could not build a demo message", e);
        }
    }

    private static InternetAddress address(Person p) throws UnsupportedEncodingException {
        return new InternetAddress(p.address(), p.name(), "UTF-8");
    }

    /** One to a dozen paragraphs, at least 700 characters (a message of at least about 1 KB). */
    private static String body(SplittableRandom random, Person from, int index) {
        StringBuilder text = new StringBuilder(index == 0 ? "Hi,\n\n" : "Hello again,\n\n");
        int paragraphs = 1 + random.nextInt(random.nextInt(4) == 0 ? 12 : 4);
        for (int p = 0; p < paragraphs || text.length() < 700; p++) {
            text.append(PARAGRAPHS.get(random.nextInt(PARAGRAPHS.size()))).append("\n\n");
        }
        return text.append("— ").append(from.name()).append('\n').toString();
    }

    private static MimeMultipart alternative(String text, String boundary) throws MessagingException {
        MimeMultipart alternative = multipart("alternative", boundary + "-alternative");
        MimeBodyPart plain = new MimeBodyPart();
        plain.setText(text, "UTF-8");
        alternative.addBodyPart(plain);
        MimeBodyPart html = new MimeBodyPart();
        StringBuilder h = new StringBuilder("<!doctype html><html><body>");
        for (String paragraph : text.split("\n\n")) {
            h.append("<p>").append(escape(paragraph).replace("\n", "<br>")).append("</p>");
        }
        html.setContent(h.append("</body></html>").toString(), "text/html; charset=UTF-8");
        alternative.addBodyPart(html);
        return alternative;
    }

    /** A multipart with a boundary of its own rather than a random one: the same bytes on every start. */
    private static MimeMultipart multipart(String subtype, String boundary) throws MessagingException {
        return new MimeMultipart(subtype) {
            {
                ContentType type = new ContentType("multipart", subtype, null);
                type.setParameter("boundary", "=_" + boundary);
                contentType = type.toString();
            }
        };
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static byte[] bytes(SplittableRandom random, int size) {
        byte[] b = new byte[size];
        random.nextBytes(b);
        return b;
    }
}
