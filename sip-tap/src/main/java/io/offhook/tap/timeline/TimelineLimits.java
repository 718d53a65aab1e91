package io.offhook.tap.timeline;

/**
 * How much a timeline keeps, so that replaying a capture of any size with {@code --timeline} uses bounded memory
 * and writes a page a browser can still open. What is left out is counted and said on the page.
 *
 * @param maxLanes users drawn; events of further users are counted, not kept
 * @param maxMarks events kept over all users; the timeline is cut at the first event beyond
 * @param maxMessageChars characters kept of the SIP message behind an event (first line and key headers)
 * @param maxTotalMessageChars characters of SIP messages kept over the whole timeline; later events keep none
 */
public record TimelineLimits(int maxLanes, int maxMarks, int maxMessageChars, long maxTotalMessageChars) {
    /** What {@code replay --timeline} uses: a page of a few tens of megabytes at worst. */
    public static final TimelineLimits DEFAULTS = new TimelineLimits(300, 20_000, 2048, 8_000_000);

    public TimelineLimits {
        if (maxLanes < 1 || maxMarks < 1) {
            throw new IllegalArgumentException("maxLanes and maxMarks must be at least 1, got " + maxLanes + " and "
                    + maxMarks);
        }
        if (maxMessageChars < 80 || maxTotalMessageChars < maxMessageChars) {
            throw new IllegalArgumentException("maxMessageChars must be at least 80 and at most maxTotalMessageChars,"
                    + " got " + maxMessageChars + " and " + maxTotalMessageChars);
        }
    }
}
