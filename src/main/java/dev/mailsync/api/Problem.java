package dev.mailsync.api;

import dev.mailsync.service.FieldError;
import java.util.List;

/** RFC 9457 problem details, plus a stable {@code code} and, for 400s, the offending fields. */
record Problem(
        String type, String title, int status, String detail, String instance, String code, List<FieldError> errors) {

    static final String MEDIA_TYPE = "application/problem+json";

    static Problem of(int status, String code, String title, String detail) {
        return new Problem(type(code), title, status, detail, null, code, null);
    }

    static Problem invalid(List<FieldError> errors) {
        return new Problem(
                type("VALIDATION"),
                "Invalid request",
                400,
                "Some fields are invalid; nothing was changed.",
                null,
                "VALIDATION",
                errors);
    }

    Problem at(String instance) {
        return new Problem(type, title, status, detail, instance, code, errors);
    }

    /** {@code urn:mailsync:problem:state-expired} style: stable, not a URL anyone has to host. */
    static String type(String code) {
        return "urn:mailsync:problem:" + code.toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
