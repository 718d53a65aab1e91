package io.offhook.tap.subscribe;

/**
 * What to answer a NOTIFY, and how it was counted.
 *
 * @param status 200, or 481 (no such subscription), 489 (another event package), 415 (another body type), 400
 *     (a body that cannot be read)
 * @param reason the reason phrase; for a 400 it names what is wrong with the body
 * @param outcome the counter it went to
 */
public record NotifyAnswer(int status, String reason, NotifyOutcome outcome) {
}
