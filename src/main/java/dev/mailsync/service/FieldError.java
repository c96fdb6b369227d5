package dev.mailsync.service;

/** One invalid input field: a dotted path such as {@code pop3Retention.days} and what is wrong. */
public record FieldError(String field, String message) {}
