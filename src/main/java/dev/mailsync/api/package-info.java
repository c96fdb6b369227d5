/** REST resources, DTO records and the one problem+json mapper. Nothing depends on this package. */
package dev.mailsync.api;
