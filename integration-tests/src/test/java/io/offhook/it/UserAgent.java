package io.offhook.it;

/**
 * One SIP device in the lab: a user of {@code example.com} (the lab's only domain), the device's own SIP port on
 * 127.0.0.1, and the first of the three media ports sipp binds ({@code -mp}: the port and the port + 2).
 *
 * @param user the user part of the address of record
 * @param port the device's SIP port, where its registration points
 * @param mediaPort the RTP echo port sipp binds and announces in SDP
 */
record UserAgent(String user, int port, int mediaPort) {
    /** A device of {@code user} on fresh free ports. */
    static UserAgent of(String user) {
        return new UserAgent(user, FreePorts.one(), FreePorts.block(3));
    }

    /** The address of record the tracker reports, e.g. {@code sip:alice@example.com}. */
    String aor() {
        return "sip:" + user + "@example.com";
    }

    /** The URI this device registers as its Contact. */
    String contact() {
        return "sip:" + user + "@127.0.0.1:" + port;
    }
}
