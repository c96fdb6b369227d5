package dev.mailsync.service;

import java.util.ArrayList;
import java.util.List;

/** Collects every field error of a request, so the client sees all of them at once. */
final class Validator {
    private final List<FieldError> errors = new ArrayList<>();

    Validator required(String field, Object value) {
        if (value == null) {
            errors.add(new FieldError(field, "is required"));
        }
        return this;
    }

    Validator text(String field, String value, int min, int max) {
        if (value != null) {
            int length = value.codePointCount(0, value.length());
            if (length < min || length > max) {
                errors.add(new FieldError(field, "must be " + min + " to " + max + " characters long"));
            } else if (value.chars().anyMatch(Character::isISOControl)) {
                errors.add(new FieldError(field, "must not contain control characters"));
            }
        }
        return this;
    }

    Validator range(String field, Integer value, int min, int max) {
        if (value != null && (value < min || value > max)) {
            errors.add(new FieldError(field, "must be between " + min + " and " + max));
        }
        return this;
    }

    Validator check(boolean ok, String field, String message) {
        if (!ok) {
            errors.add(new FieldError(field, message));
        }
        return this;
    }

    boolean hasErrorOn(String field) {
        return errors.stream().anyMatch(e -> e.field().equals(field));
    }

    void throwIfInvalid() {
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
    }
}
