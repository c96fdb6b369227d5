package dev.mailsync.service;

import dev.mailsync.store.DeltaStore.FolderRow;

/** A folder of the mirror as a device sees it. */
public record FolderView(String id, String name, String delimiter, String specialUse) {
    static FolderView of(FolderRow f) {
        return new FolderView(f.id(), f.name(), f.delimiter(), f.specialUse());
    }
}
