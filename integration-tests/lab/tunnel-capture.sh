#!/usr/bin/env bash
#
# Records sip-tap/src/test/resources/captures/vxlan-basic-call.pcap: the SIP messages of basic-call.pcap as a
# remote mirror delivers them in a VXLAN tunnel (RFC 7348, UDP port 4789), the way AWS VPC Traffic Mirroring and
# Azure vTAP send mirrored traffic to a collector. The encapsulation is the Linux kernel's own. Two network
# namespaces of their own (the script's, and a second one holding only the far end of a veth pair) stand for the
# mirror and the collector, with documentation addresses (192.0.2.1 and .2, RFC 5737) that exist only inside them:
# the kernel does not encapsulate at all when the far end of a tunnel is a local address, so it cannot run over lo.
# A vxlan interface (VNI 42) tunnels over the veth; each message is sent as one UDP datagram from 10.9.0.1 to
# 10.9.0.2:5060 through it, in the capture's order, and tshark captures the tunnel's datagrams on the veth.
#
# Usage: sudo integration-tests/lab/tunnel-capture.sh          (OUT_DIR: where the file goes, default the fixtures)
# Needs: root (unshare -n, nsenter, ip link), iproute2, tshark, python3. Nothing it starts is outside its two
# namespaces, and tshark and the second namespace's process are stopped by their PIDs.

set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$LAB_DIR/../.." && pwd)
CAPTURES=$REPO_DIR/sip-tap/src/test/resources/captures
OUT_DIR=${OUT_DIR:-$CAPTURES}

die() {
    echo "tunnel-capture: $*" >&2
    exit 1
}

if [[ -z ${TUNNEL_CAPTURE_IN_NETNS:-} ]]; then
    for tool in unshare ip tshark python3; do
        command -v "$tool" >/dev/null || die "$tool is not installed"
    done
    OUT_DIR=$OUT_DIR TUNNEL_CAPTURE_IN_NETNS=1 exec unshare -n "${BASH_SOURCE[0]}"
fi

WORK=$(mktemp -d -t offhook-tunnel.XXXXXX)
TSHARK=
FAR=
cleanup() {
    local rc=$? pid
    for pid in $TSHARK $FAR; do
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        fi
    done
    [[ ${KEEP_WORK:-0} == 1 ]] && echo "tunnel-capture: kept $WORK" >&2 || rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT

sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 # no IPv6 chatter in the tunnel
ip link set lo up
unshare -n sleep 120 & # the collector's namespace: the far end of the veth, nothing listening
FAR=$!
for ((i = 0; i < 50; i++)); do
    [[ $(readlink /proc/$FAR/ns/net) != $(readlink /proc/self/ns/net) ]] && break
    sleep 0.1
done
ip link add veth0 type veth peer name veth1 netns "$FAR"
ip address add 192.0.2.1/24 dev veth0
ip link set veth0 up
nsenter -t "$FAR" -n ip address add 192.0.2.2/24 dev veth1
nsenter -t "$FAR" -n ip link set veth1 up
ip link add vx0 type vxlan id 42 local 192.0.2.1 remote 192.0.2.2 dstport 4789
ip address add 10.9.0.1/24 dev vx0
ip link set vx0 up
ip neighbour add 10.9.0.2 lladdr 02:00:00:00:00:02 dev vx0 # no ARP: nobody answers at the far end

# the SIP messages of the basic call, one hex string per line (tshark 4: udp.payload)
tshark -r "$CAPTURES/basic-call.pcap" -Y sip -T fields -e udp.payload >"$WORK/messages.hex" 2>/dev/null
[[ $(wc -l <"$WORK/messages.hex") == 17 ]] || die "expected 17 SIP messages in basic-call.pcap"

tshark -i veth0 -q -f "udp dst port 4789" -a duration:60 -F pcap -w "$WORK/vxlan-basic-call.pcap" \
    >"$WORK/tshark.log" 2>&1 &
TSHARK=$!
for ((i = 0; i < 100; i++)); do
    grep -qs '^Capturing on' "$WORK/tshark.log" && break
    kill -0 "$TSHARK" 2>/dev/null || die "tshark exited: $(cat "$WORK/tshark.log")"
    sleep 0.1
done
grep -qs '^Capturing on' "$WORK/tshark.log" || die "tshark did not start"
sleep 0.3 # "Capturing on" comes a little before the capture does

python3 - "$WORK/messages.hex" <<'EOF'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.9.0.1", 5060))
for line in open(sys.argv[1]):
    s.sendto(bytes.fromhex(line.strip()), ("10.9.0.2", 5060))
    time.sleep(0.02)  # keeps the messages' order and times apart
EOF
sleep 0.5
kill -TERM "$TSHARK"
wait "$TSHARK" || true
TSHARK=

n=$(tshark -r "$WORK/vxlan-basic-call.pcap" -Y "vxlan and sip" 2>/dev/null | wc -l)
[[ $n == 17 ]] || die "expected 17 SIP messages inside VXLAN, captured $n"
install -m 0644 "$WORK/vxlan-basic-call.pcap" "$OUT_DIR/"
echo "tunnel-capture: wrote $OUT_DIR/vxlan-basic-call.pcap (17 SIP messages in VXLAN)"
