package dev.mailsync.mail.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailsync.sync.MailAddress;
import jakarta.mail.Flags;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.eclipse.angus.mail.imap.protocol.ENVELOPE;
import org.eclipse.angus.mail.imap.protocol.FetchResponse;
import org.eclipse.angus.mail.imap.protocol.IMAPResponse;
import org.junit.jupiter.api.Test;

/** {@link FetchParser} and {@link ImapResponseReader} on literal bytes. */
class FetchParserTest {
    private static final String PLAIN =
            "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 5 1 NIL NIL NIL NIL)";

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Frames the first response of {@code wire} and parses it. */
    private static FetchParser.Fetch parse(byte[] wire) throws Exception {
        ImapResponseReader reader = new ImapResponseReader(new BufferedInputStream(new ByteArrayInputStream(wire), 64));
        reader.next();
        int length = reader.lengthWithoutLineEnd();
        int seq = FetchParser.fetchNumber(reader.bytes(), length);
        assertThat(seq).as("a FETCH response").isPositive();
        return new FetchParser(false, true).parse(reader.bytes(), length, seq);
    }

    private static FetchParser.Fetch parse(String wire) throws Exception {
        return parse(bytes(wire));
    }

    private static String envelope(String subject, String to) {
        return "ENVELOPE (\"Wed, 1 May 2024 10:00:00 +0000\" " + subject
                + " ((\"Alice\" NIL \"alice\" \"example.org\"))" + " NIL NIL " + to
                + " NIL NIL \"<p@example.org>\" \"<m@example.org>\")";
    }

    @Test
    void allSummaryItemsOfOneResponse() throws Exception {
        FetchParser.Fetch f = parse("* 7 FETCH (UID 42 FLAGS (\\Seen \\Recent $Forwarded \\Answered) RFC822.SIZE 1234"
                + " INTERNALDATE \"01-May-2024 10:00:00 +0200\" " + envelope("\"Hi\"", "((NIL NIL \"bob\" \"x.org\"))")
                + " BODYSTRUCTURE " + PLAIN + " PREVIEW \"Hello there\")\r\n");

        assertThat(f.seq).isEqualTo(7);
        assertThat(f.uid).isEqualTo(42);
        assertThat(FetchConversions.flags(f.flags)).containsExactlyInAnyOrder("\\Seen", "\\Answered", "$Forwarded");
        assertThat(f.size).isEqualTo(1234);
        assertThat(f.internalDate.toInstant()).isEqualTo(Instant.parse("2024-05-01T08:00:00Z"));
        assertThat(f.envelope.subject()).isEqualTo("Hi");
        assertThat(f.envelope.date().toInstant()).isEqualTo(Instant.parse("2024-05-01T10:00:00Z"));
        assertThat(FetchConversions.addresses(f.envelope.from()))
                .containsExactly(new MailAddress("Alice", "alice@example.org"));
        assertThat(FetchConversions.addresses(f.envelope.to())).containsExactly(new MailAddress(null, "bob@x.org"));
        assertThat(f.envelope.inReplyTo()).isEqualTo("<p@example.org>");
        assertThat(f.envelope.messageId()).isEqualTo("<m@example.org>");
        assertThat(FetchConversions.hasAttachments(f.structure)).isFalse();
        assertThat(FetchConversions.firstPlainText(f.structure))
                .isEqualTo(new FetchConversions.TextPart("1", "7bit", "us-ascii"));
        assertThat(f.hasPreview).isTrue();
        assertThat(f.preview).isEqualTo("Hello there");
    }

    @Test
    void quotedStringsWithEscapes() throws Exception {
        FetchParser.Fetch f =
                parse("* 1 FETCH (UID 1 " + envelope("\"say \\\"hi\\\" to C:\\\\temp\"", "NIL") + ")\r\n");

        assertThat(f.envelope.subject()).isEqualTo("say \"hi\" to C:\\temp");
    }

    @Test
    void literalsInTheMiddleOfAnEnvelope() throws Exception {
        String subject = "line one\r\n line \"two\" (three)";
        String personal = "Al\"ice";
        String wire = "* 3 FETCH (UID 9 ENVELOPE (NIL {" + subject.length() + "}\r\n" + subject
                + " (({" + personal.length() + "}\r\n" + personal
                + " NIL \"alice\" \"example.org\")) NIL NIL NIL NIL NIL"
                + " NIL {16}\r\n<id@example.org>) RFC822.SIZE 5)\r\n";

        FetchParser.Fetch f = parse(wire);

        assertThat(f.envelope.subject()).isEqualTo(subject);
        assertThat(FetchConversions.decodeHeader(f.envelope.subject())).isEqualTo("line one line \"two\" (three)");
        assertThat(FetchConversions.addresses(f.envelope.from()))
                .containsExactly(new MailAddress("Al\"ice", "alice@example.org"));
        assertThat(f.envelope.messageId()).isEqualTo("<id@example.org>");
        assertThat(f.envelope.date()).isNull();
        assertThat(f.size).isEqualTo(5);
    }

    @Test
    void literal8IsAString() throws Exception {
        FetchParser.Fetch f = parse("* 1 FETCH (UID 2 PREVIEW ~{5}\r\nabcde)\r\n");

        assertThat(f.preview).isEqualTo("abcde");
    }

    @Test
    void nilEverywhere() throws Exception {
        FetchParser.Fetch f = parse("* 1 FETCH (UID 5 FLAGS () ENVELOPE (NIL NIL NIL NIL NIL NIL NIL NIL nil NIL)"
                + " BODYSTRUCTURE (NIL NIL NIL NIL NIL NIL 0 NIL NIL NIL NIL) PREVIEW NIL)\r\n");

        assertThat(f.envelope).isEqualTo(new FetchParser.Envelope(null, null, null, null, null, null, null));
        assertThat(FetchConversions.flags(f.flags)).isEmpty();
        assertThat(f.structure.type()).isEqualTo("application");
        assertThat(f.structure.subtype()).isEqualTo("octet-stream");
        assertThat(f.structure.encoding()).isNull();
        assertThat(FetchConversions.hasAttachments(f.structure)).isFalse();
        assertThat(f.hasPreview).isTrue();
        assertThat(f.preview).isNull();
    }

    @Test
    void groupsAreFlattenedToTheirMembers() throws Exception {
        String to = "((NIL NIL \"team\" NIL)(NIL NIL \"a\" \"x.org\")(\"B\" NIL \"b\" \"x.org\")(NIL NIL NIL NIL)"
                + "(NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL)(NIL NIL \"c\" \"y.org\"))";
        String wire = "* 1 FETCH (UID 1 " + envelope("\"g\"", to) + ")\r\n";

        FetchParser.Fetch f = parse(wire);

        List<MailAddress> expected = List.of(
                new MailAddress(null, "a@x.org"), new MailAddress("B", "b@x.org"), new MailAddress(null, "c@y.org"));
        assertThat(FetchConversions.addresses(f.envelope.to())).isEqualTo(expected);
        assertThat(FetchConversions.addresses(angusEnvelope(wire).to)).isEqualTo(expected);
    }

    @Test
    void rawUtf8HeadersAreRepairedAsBefore() throws Exception {
        String wire = "* 1 FETCH (UID 1 "
                + envelope("\"Grüße =?UTF-8?B?w7xiZXI=?=\"", "((\"Jürgen\" NIL \"j\" \"x.de\"))") + ")\r\n";

        FetchParser.Fetch f = parse(wire.getBytes(StandardCharsets.UTF_8));

        assertThat(FetchConversions.decodeHeader(f.envelope.subject())).isEqualTo("Grüße über");
        assertThat(FetchConversions.addresses(f.envelope.to())).containsExactly(new MailAddress("Jürgen", "j@x.de"));
    }

    @Test
    void encodedWordsInNamesAreDecodedAsBefore() throws Exception {
        String wire = "* 1 FETCH (UID 1 "
                + envelope(
                        "\"=?ISO-8859-1?Q?Gr=FC=DFe?=\"",
                        "((\"=?UTF-8?B?QWxpY2Ugw4RtbcOk?=\" NIL \"alice\" \"example.org\"))")
                + ")\r\n";

        FetchParser.Fetch f = parse(wire);

        assertThat(FetchConversions.decodeHeader(f.envelope.subject())).isEqualTo("Grüße");
        assertThat(FetchConversions.addresses(f.envelope.to()))
                .containsExactly(new MailAddress("Alice Ämmä", "alice@example.org"))
                .isEqualTo(FetchConversions.addresses(angusEnvelope(wire).to));
    }

    @Test
    void multipartWithANestedMessageAndExtensionData() throws Exception {
        String nestedEnvelope = "(NIL \"inner\" ((NIL NIL \"x\" \"y.org\")) NIL NIL NIL NIL NIL NIL NIL)";
        String html = "(\"text\" \"html\" (\"charset\" \"utf-8\") NIL NIL \"quoted-printable\" 20 1 NIL NIL NIL NIL)";
        String alternative = "(" + PLAIN + " " + html + " \"alternative\" (\"boundary\" \"b1\") NIL NIL NIL)";
        String rfc822 = "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 300 " + nestedEnvelope + " " + PLAIN
                + " 12 NIL (\"attachment\" (\"filename\" \"fwd.eml\")) NIL \"http://loc\" (1 (2 \"x\") NIL) 7)";
        String wire = "* 4 FETCH (UID 8 BODYSTRUCTURE (" + alternative + rfc822
                + " \"mixed\" (\"boundary\" \"b0\") (\"inline\" NIL) (\"en\" \"de\") \"loc\" (\"ext\" (1 2) {3}\r\nabc)))\r\n";

        FetchParser.Fetch f = parse(wire);

        BodyPart s = f.structure;
        assertThat(s.isMulti()).isTrue();
        assertThat(s.subtype()).isEqualTo("mixed");
        assertThat(s.disposition()).isEqualTo("inline");
        assertThat(s.children()).hasSize(2);
        assertThat(s.children().get(1).isNested()).isTrue();
        assertThat(s.children().get(1).children().get(0).subtype()).isEqualTo("plain");
        assertThat(FetchConversions.hasAttachments(s)).isTrue();
        assertThat(FetchConversions.firstPlainText(s))
                .isEqualTo(new FetchConversions.TextPart("1.1", "7bit", "us-ascii"));
        FetchResponse angus = angus(wire);
        assertThat(FetchConversions.firstPlainText(
                        angus.getItem(org.eclipse.angus.mail.imap.protocol.BODYSTRUCTURE.class)))
                .isEqualTo(FetchConversions.firstPlainText(s));
    }

    /**
     * Where the disposition belongs: a list or NIL, then any extension data skipped; a string there is
     * skipped in a multipart (Exchange) and makes a single part malformed, as with Angus.
     */
    @Test
    void dispositionsOfMultipartsAndSinglePartsAsAngusReadsThem() throws Exception {
        String attached = "(\"application\" \"pdf\" NIL NIL NIL \"base64\" 10 NIL";
        String[] wellFormed = {
            "* 1 FETCH (BODYSTRUCTURE (" + PLAIN + PLAIN + " \"mixed\" NIL (\"inline\" NIL) \"en\" (\"x\" 1)))\r\n",
            "* 1 FETCH (BODYSTRUCTURE (" + PLAIN + PLAIN + " \"mixed\" NIL NIL \"en\"))\r\n",
            "* 1 FETCH (BODYSTRUCTURE (" + PLAIN + PLAIN
                    + " \"mixed\" (\"boundary\" \"b\") \"description\" \"en\"))\r\n",
            "* 1 FETCH (BODYSTRUCTURE (" + PLAIN + PLAIN + " \"mixed\" NIL))\r\n",
            "* 1 FETCH (BODYSTRUCTURE (" + PLAIN + PLAIN + " \"mixed\"))\r\n",
            "* 1 FETCH (BODYSTRUCTURE " + attached + " (\"attachment\" (\"filename\" \"a.pdf\")) NIL \"loc\"))\r\n",
            "* 1 FETCH (BODYSTRUCTURE " + attached + " NIL))\r\n",
            "* 1 FETCH (BODYSTRUCTURE " + attached + "))\r\n",
        };
        String[] expectedDisposition = {"inline", null, null, null, null, "attachment", null, null};
        for (int n = 0; n < wellFormed.length; n++) {
            BodyPart s = parse(wellFormed[n]).structure;
            var angus = angus(wellFormed[n]).getItem(org.eclipse.angus.mail.imap.protocol.BODYSTRUCTURE.class);
            assertThat(s.disposition()).as(wellFormed[n]).isEqualTo(expectedDisposition[n]);
            assertThat(s.disposition()).as(wellFormed[n]).isEqualTo(angus.disposition);
            assertThat(FetchConversions.hasAttachments(s))
                    .as(wellFormed[n])
                    .isEqualTo(FetchConversions.hasAttachments(angus));
        }
        assertThat(parse(wellFormed[5]).structure.dispositionParams().get("filename"))
                .isEqualTo("a.pdf");

        String[] malformed = {
            "* 1 FETCH (BODYSTRUCTURE " + attached + " \"attachment\"))\r\n",
            "* 1 FETCH (BODYSTRUCTURE " + attached + " (\"attachment\" NIL \"x\"))\r\n",
            "* 1 FETCH (BODYSTRUCTURE (" + PLAIN + PLAIN + " \"mixed\" NIL (\"inline\" NIL \"x\")))\r\n",
        };
        for (String wire : malformed) {
            assertThatThrownBy(() -> parse(wire)).as(wire).isInstanceOf(FetchParser.Malformed.class);
            assertThatThrownBy(() -> angus(wire)).as(wire).isInstanceOf(Exception.class);
        }
    }

    @Test
    void fileNamesFromRfc2231ParametersCount() throws Exception {
        String image =
                "(\"image\" \"png\" (\"name*0\" \"lo\" \"name*1\" \"go.png\") NIL NIL \"base64\" 100 NIL NIL NIL NIL)";
        String wire = "* 1 FETCH (BODYSTRUCTURE (" + PLAIN + image + " \"related\"))\r\n";

        FetchParser.Fetch f = parse(wire);

        assertThat(FetchConversions.hasAttachments(f.structure)).isTrue();
        assertThat(f.structure.children().get(1).params().get("name")).isEqualTo("logo.png");
    }

    @Test
    void unknownItemsAreSkipped() throws Exception {
        FetchParser.Fetch f = parse("* 2 FETCH (X-GM-LABELS (\\Inbox \"a b\") MODSEQ (12345) UID 77"
                + " BODY[HEADER.FIELDS (SUBJECT FROM)] {5}\r\nabcde X-THING atom RFC822.SIZE 9)\r\n");

        assertThat(f.uid).isEqualTo(77);
        assertThat(f.size).isEqualTo(9);
        assertThat(f.envelope).isNull();
        assertThat(f.structure).isNull();
    }

    @Test
    void anInvalidAddressRejectsTheResponseAsAngusDoes() {
        String wire = "* 1 FETCH (UID 1 " + envelope("\"x\"", "((NIL NIL \"bad address\" \"x..org\"))") + ")\r\n";

        assertThatThrownBy(() -> parse(wire)).isInstanceOf(FetchParser.Malformed.class);
        assertThatThrownBy(() -> angus(wire)).isInstanceOf(Exception.class);
    }

    @Test
    void brokenResponsesAreRejected() {
        assertThatThrownBy(() -> parse("* 1 FETCH (UID 1 ENVELOPE garbage)\r\n"))
                .isInstanceOf(FetchParser.Malformed.class);
        assertThatThrownBy(() -> parse("* 1 FETCH (UID 1 ENVELOPE (NIL \"unterminated)\r\n"))
                .isInstanceOf(FetchParser.Malformed.class);
        assertThatThrownBy(() -> parse("* 1 FETCH (UID 1 BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"7bit\"\r\n"))
                .isInstanceOf(FetchParser.Malformed.class);
        assertThatThrownBy(() -> parse("* 1 FETCH (UID 1 BODYSTRUCTURE ())\r\n"))
                .isInstanceOf(FetchParser.Malformed.class);
        assertThatThrownBy(() -> parse("* 1 FETCH (UID 1 INTERNALDATE \"not a date\")\r\n"))
                .isInstanceOf(FetchParser.Malformed.class);
        assertThatThrownBy(() -> parse("* 1 FETCH (UID 1 PREVIEW {10}\r\nabc)\r\n"))
                .isInstanceOf(EOFException.class);
        assertThatThrownBy(() -> parse("* 1 FETCH " + "(".repeat(500) + "\r\n"))
                .isInstanceOf(FetchParser.Malformed.class);
    }

    @Test
    void aTruncatedResponseIsAnError() {
        assertThatThrownBy(() -> parse("* 1 FETCH (UID 1 ENVELOPE (NIL {20}\r\nonly ten b"))
                .isInstanceOf(EOFException.class);
        assertThatThrownBy(() -> parse("* 1 FETCH (UID 1 FLAGS (\\Se")).isInstanceOf(EOFException.class);
    }

    @Test
    void onlyUntaggedFetchResponsesAreRecognised() {
        assertThat(FetchParser.fetchNumber(bytes("* 12 FETCH (UID 1)"), 18)).isEqualTo(12);
        assertThat(FetchParser.fetchNumber(bytes("* 12 fetch (UID 1)"), 18)).isEqualTo(12);
        assertThat(FetchParser.fetchNumber(bytes("* 12 EXISTS"), 11)).isEqualTo(-1);
        assertThat(FetchParser.fetchNumber(bytes("* 12 FETCHX (UID 1)"), 19)).isEqualTo(-1);
        assertThat(FetchParser.fetchNumber(bytes("A1 OK FETCH done"), 16)).isEqualTo(-1);
        assertThat(FetchParser.fetchNumber(bytes("* OK [ALERT] FETCH"), 18)).isEqualTo(-1);
    }

    @Test
    void theStreamIsLeftRightAfterTheLastResponseTaken() throws Exception {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (int n = 1; n <= 50; n++) {
            wire.write(bytes("* " + n + " FETCH (UID " + n + " PREVIEW {40}\r\n" + "x".repeat(40) + ")\r\n"));
        }
        wire.write(bytes("A1 OK done\r\n* 51 EXISTS\r\nA2 OK next\r\n"));
        // A small buffer in the stream like Angus's, a larger one in the reader: the reader reads ahead.
        BufferedInputStream in = new BufferedInputStream(new ByteArrayInputStream(wire.toByteArray()), 32);
        ImapResponseReader reader = new ImapResponseReader(in, 1024, 1 << 20);
        for (int n = 1; n <= 50; n++) {
            reader.next();
            assertThat(FetchParser.fetchNumber(reader.bytes(), reader.lengthWithoutLineEnd()))
                    .isEqualTo(n);
        }
        reader.next();
        assertThat(new String(reader.bytes(), 0, reader.length(), StandardCharsets.ISO_8859_1))
                .isEqualTo("A1 OK done\r\n");

        reader.release();

        assertThat(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1))
                .isEqualTo("* 51 EXISTS\r\nA2 OK next\r\n");
    }

    @Test
    void anOversizedResponseIsReadToItsEndButNotKept() throws Exception {
        String big = "y".repeat(5000);
        byte[] wire = bytes("* 1 FETCH (UID 1 PREVIEW {5000}\r\n" + big + " X " + "z".repeat(3000) + " {3}\r\nabc)\r\n"
                + "* 2 FETCH (UID 2)\r\nA1 OK done\r\n");
        ImapResponseReader reader =
                new ImapResponseReader(new BufferedInputStream(new ByteArrayInputStream(wire), 100), 256, 1024);

        reader.next();
        assertThat(reader.oversized()).isTrue();
        assertThat(reader.length()).isLessThanOrEqualTo(1024);
        reader.next();
        assertThat(reader.oversized()).isFalse();
        assertThat(new String(reader.bytes(), 0, reader.length(), StandardCharsets.ISO_8859_1))
                .isEqualTo("* 2 FETCH (UID 2)\r\n");
    }

    @Test
    void flagsFollowAngusRules() throws Exception {
        FetchParser.Fetch f = parse("* 1 FETCH (FLAGS (\\seen \\DELETED \\Draft \\Flagged \\D \\Custom kw KW))\r\n");

        Flags angusFlags = angus("* 1 FETCH (FLAGS (\\seen \\DELETED \\Draft \\Flagged \\D \\Custom kw KW))")
                .getItem(org.eclipse.angus.mail.imap.protocol.FLAGS.class);
        assertThat(FetchConversions.flags(f.flags)).isEqualTo(FetchConversions.flags(angusFlags));
        assertThat(FetchConversions.flags(f.flags)).contains("\\Seen", "\\Deleted", "\\Draft", "\\Flagged", "\\D");
    }

    private static FetchResponse angus(String wire) throws IOException, org.eclipse.angus.mail.iap.ProtocolException {
        String line = wire.endsWith("\r\n") ? wire.substring(0, wire.length() - 2) : wire;
        org.eclipse.angus.mail.iap.Protocol strict = new org.eclipse.angus.mail.iap.Protocol(
                java.io.InputStream.nullInputStream(),
                new java.io.PrintStream(java.io.OutputStream.nullOutputStream()),
                new java.util.Properties(),
                false);
        return new FetchResponse(new IMAPResponse(line, false), null, strict);
    }

    private static ENVELOPE angusEnvelope(String wire) throws Exception {
        return angus(wire).getItem(ENVELOPE.class);
    }
}
