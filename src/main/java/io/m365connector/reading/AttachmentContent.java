package io.m365connector.reading;

import io.m365connector.platform.Bytes;

/** An attachment's bytes with what a browser or client needs to handle them. */
public record AttachmentContent(String name, String contentType, Bytes content) {
}
