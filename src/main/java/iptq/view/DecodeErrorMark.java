package iptq.view;

/** A decode error of a segment, with the time estimate of the packet before it where known. */
public record DecodeErrorMark(long offset, Long ip, String kind, String message, Long skippedBytes, Long ts) {}
