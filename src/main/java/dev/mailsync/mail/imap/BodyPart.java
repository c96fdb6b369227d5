package dev.mailsync.mail.imap;

import jakarta.mail.internet.ParameterList;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.angus.mail.imap.protocol.BODYSTRUCTURE;

/**
 * The parts of a BODYSTRUCTURE that {@link FetchConversions} looks at, whoever parsed it: Angus ({@link
 * #of(BODYSTRUCTURE)}) or {@link FetchParser}. Strings are as the server sent them (case and blanks
 * included), as in Angus's {@code BODYSTRUCTURE}.
 */
record BodyPart(
        Kind kind,
        String type,
        String subtype,
        String encoding,
        String disposition,
        Params params,
        Params dispositionParams,
        List<BodyPart> children) {

    enum Kind {
        SINGLE,
        MULTI,
        /** message/rfc822: an attached message. */
        NESTED
    }

    boolean isMulti() {
        return kind == Kind.MULTI;
    }

    boolean isNested() {
        return kind == Kind.NESTED;
    }

    /** Angus's view, converted; null for null. */
    static BodyPart of(BODYSTRUCTURE bs) {
        if (bs == null) {
            return null;
        }
        Kind kind = bs.isMulti() ? Kind.MULTI : bs.isNested() ? Kind.NESTED : Kind.SINGLE;
        List<BodyPart> children = new ArrayList<>();
        if (bs.bodies != null) {
            for (BODYSTRUCTURE child : bs.bodies) {
                if (child != null) {
                    children.add(of(child));
                }
            }
        }
        return new BodyPart(
                kind,
                bs.type,
                bs.subtype,
                bs.encoding,
                bs.disposition,
                Params.of(bs.cParams),
                Params.of(bs.dParams),
                children);
    }

    /**
     * A MIME parameter list (RFC 2045 with RFC 2231 continuations and charsets), looked up the way
     * Jakarta Mail's {@link ParameterList} does it. Built from raw name/value pairs, it becomes a
     * ParameterList only when first asked: most parts are never asked.
     */
    static final class Params {
        private String[] pairs;
        private ParameterList list;

        private Params(String[] pairs, ParameterList list) {
            this.pairs = pairs;
            this.list = list;
        }

        static Params of(ParameterList list) {
            return list == null ? null : new Params(null, list);
        }

        /** Name, value, name, value, ... as sent (a NIL value as ""). */
        static Params ofPairs(String[] pairs) {
            return new Params(pairs, null);
        }

        String get(String name) {
            if (list == null) {
                ParameterList l = new ParameterList();
                for (int i = 0; i + 1 < pairs.length; i += 2) {
                    l.set(pairs[i], pairs[i + 1]);
                }
                l.combineSegments();
                list = l;
                pairs = null;
            }
            return list.get(name);
        }
    }
}
