package dev.mailsync.store;

/** A live folder of an account's mirror, with the server state the last refresh saw. */
public record MirrorFolder(
        String id,
        String name,
        String delimiter,
        String specialUse,
        Long uidValidity,
        Long uidNext,
        Long highestModSeq,
        Long messageCount) {}
