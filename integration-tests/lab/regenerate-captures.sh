#!/usr/bin/env bash
#
# Regenerates the SIP capture fixtures that the sip-tap tests replay, from real traffic: a Kamailio registrar and
# stateful proxy on loopback (kamailio/kamailio.cfg.template) with sipp user agents (sipp/*.xml), while tshark
# captures on lo. Kamailio mirrors every message it receives or sends as HEPv3 to a port nobody listens on; that
# mirror is captured too.
#
# For every scenario it writes to sip-tap/src/test/resources/captures/:
#   <scenario>.pcap      plain SIP to and from the proxy port (UDP, or TCP for tcp-call), no HEP; libpcap format
#   <scenario>-hep.pcap  only the HEP datagrams Kamailio sent to the HEP port; libpcap format
# and basic-call.pcapng (tshark's default pcapng, same packets as basic-call.pcap).
#
# Usage: integration-tests/lab/regenerate-captures.sh [scenario...]     (default: all scenarios)
# Environment: SIP_PORT, HEP_PORT    preferred proxy and HEP ports (default 5060, 9060; the next free port is used
#                                    when one is taken, and so for the user agents' ports 5071-5075)
#              OUT_DIR               where the fixtures go
#              KEEP_WORK=1           keep the temporary directory (logs of Kamailio, sipp and tshark)
# Needs: kamailio, sipp (Debian sip-tester), tshark, ss; root or capture rights on lo (fragmented-call: root, for
#        unshare -n and the MTU of its own lo).
#
# Every process it starts is stopped by its PID when the script exits, whatever the reason. Every sipp run is
# bounded (-m N -timeout 20s -timeout_error) and a failed run fails the script. After each scenario the number of
# SIP messages in the capture and of HEP datagrams is checked against the call flow written in README.md.

set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$LAB_DIR/../.." && pwd)
SCN_DIR=$LAB_DIR/sipp
OUT_DIR=${OUT_DIR:-$REPO_DIR/sip-tap/src/test/resources/captures}

ALL_SCENARIOS=(basic-call callee-hangs-up busy cancel hold-resume forking deregister registration-expiry refresh
    call-waiting tcp-call early-media-prack late-offer hold-by-callee update-hold blind-transfer attended-transfer
    redirect-302 glare-491 challenge-407 fragmented-call)

# SIP messages each scenario puts on the wire at the proxy port (each is one HEP datagram too): see README.md.
declare -A EXPECTED=(
    [basic-call]=17 [callee-hangs-up]=17 [busy]=11 [cancel]=17 [hold-resume]=31 [forking]=26 [deregister]=10
    [registration-expiry]=4 [refresh]=6 [call-waiting]=32 [tcp-call]=17
    [early-media-prack]=21 [late-offer]=31 [hold-by-callee]=45 [update-hold]=29 [blind-transfer]=40
    [attended-transfer]=51 [redirect-302]=26 [glare-491]=45 [challenge-407]=20 [fragmented-call]=17
)
# Scenarios whose SIP is larger than the MTU: they run in a network namespace of their own (unshare -n, root),
# whose loopback gets an Ethernet-sized MTU, so that the kernel fragments their UDP datagrams as on a real network
# (lo's usual 65,536-byte MTU never does).
declare -A LAB_MTU_OF=([fragmented-call]=1500)
# HEP datagrams where there are more than SIP messages: Kamailio mirrors the ACK of a reply it sent statelessly
# (the 407 of sl) twice, once as received and once from siptrace's sl callback. See README.md.
declare -A EXPECTED_HEP=([challenge-407]=21)

RING_MS=300   # callee rings this long before answering
TALK_MS=400   # time between in-dialog steps

die() {
    echo "regenerate-captures: $*" >&2
    exit 1
}

if [[ -n ${LAB_IN_NETNS:-} ]]; then
    ip link set lo up mtu "$LAB_IN_NETNS" || die "cannot set the MTU of lo in the namespace"
fi

for tool in kamailio sipp tshark ss sed; do
    command -v "$tool" >/dev/null || die "$tool is not installed"
done

WORK=$(mktemp -d -t offhook-lab.XXXXXX)
declare -A STARTED=()   # pid -> what it is; every process this script started and has not reaped yet

stop_pid() {
    local pid=$1 i
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for ((i = 0; i < 50; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
    unset "STARTED[$pid]"
}

cleanup() {
    local rc=$? pid
    for pid in "${!STARTED[@]}"; do
        echo "regenerate-captures: stopping ${STARTED[$pid]} (pid $pid)" >&2
        stop_pid "$pid"
    done
    if [[ ${KEEP_WORK:-0} == 1 || $rc != 0 ]]; then
        echo "regenerate-captures: logs kept in $WORK" >&2
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# --- ports ------------------------------------------------------------------------------------------------------

declare -A TAKEN=()

port_busy() {
    local out
    out=$(ss -Hantu "( sport = :$1 )" 2>/dev/null | grep -v TIME-WAIT || true)
    [[ -n $out || -n ${TAKEN[$1]:-} ]]
}

# pick_port PREFERRED [SPAN]: the first port from PREFERRED on whose SPAN ports (default 1) are all free.
pick_port() {
    local p=$1 span=${2:-1} i ok
    for ((i = 0; i < 500; i++, p++)); do
        ok=1
        for ((j = 0; j < span; j++)); do
            if port_busy $((p + j)); then ok=0; break; fi
        done
        if ((ok)); then
            for ((j = 0; j < span; j++)); do TAKEN[$((p + j))]=1; done
            echo "$p"
            return
        fi
    done
    die "no free port from $1"
}

SIP_PORT=$(pick_port "${SIP_PORT:-5060}")
TAKEN[$SIP_PORT]=1
HEP_PORT=$(pick_port "${HEP_PORT:-9060}")
TAKEN[$HEP_PORT]=1
declare -A PORT MEDIA
# user agents: alice calls, bob answers (bob2 is bob's second device or line), carol calls or registers; alice2
# sends alice's second call in the transfers (one sipp run handles one Call-ID).
# sipp binds an RTP echo port and that port + 2 (-mp); SDP announces the same port.
for ua in alice bob bob2 carol alice2; do
    case $ua in
        alice) p=5071 m=16000 ;;
        bob) p=5072 m=16010 ;;
        bob2) p=5073 m=16020 ;;
        carol) p=5074 m=16030 ;;
        alice2) p=5075 m=16040 ;;
    esac
    PORT[$ua]=$(pick_port $p)
    TAKEN[${PORT[$ua]}]=1
    MEDIA[$ua]=$(pick_port $m 3)
    for ((j = 0; j < 3; j++)); do TAKEN[$((MEDIA[$ua] + j))]=1; done
done
echo "regenerate-captures: proxy 127.0.0.1:$SIP_PORT (udp+tcp), HEP to 127.0.0.1:$HEP_PORT," \
    "alice ${PORT[alice]} and ${PORT[alice2]}, bob ${PORT[bob]} and ${PORT[bob2]}, carol ${PORT[carol]}"

# --- processes --------------------------------------------------------------------------------------------------

# await DESCRIPTION COMMAND...: polls COMMAND every 100 ms for at most 10 s.
await() {
    local what=$1 i
    shift
    for ((i = 0; i < 100; i++)); do
        if "$@"; then return 0; fi
        sleep 0.1
    done
    die "timed out waiting for $what"
}

bound() { # bound PROTO(u|t) PORT PID: PID's process (or its children) listens on PORT
    local out
    out=$(ss -Hln"$1"p "( sport = :$2 )" 2>/dev/null || true)
    kill -0 "$3" 2>/dev/null && [[ -n $out ]]
}

alive_or_die() {
    kill -0 "$1" 2>/dev/null || { tail -n 30 "$2" >&2 || true; die "$3 exited early, log above ($2)"; }
}

KAM_PID=
KAM_DEFINES=()   # -A NAME for the #!ifdef blocks of the config (challenge-407 sets WITH_AUTH)

start_kamailio() {
    local dir=$1/kamailio
    mkdir -p "$dir/run"
    sed -e "s/@SIP_PORT@/$SIP_PORT/g" -e "s/@HEP_PORT@/$HEP_PORT/g" \
        "$LAB_DIR/kamailio/kamailio.cfg.template" >"$dir/kamailio.cfg"
    kamailio "${KAM_DEFINES[@]}" -c -f "$dir/kamailio.cfg" >"$dir/check.log" 2>&1 || { cat "$dir/check.log" >&2; die "bad config"; }
    # -DD: stay in the foreground (so $! is the main process); kill it and all its children go.
    kamailio "${KAM_DEFINES[@]}" -DD -E -f "$dir/kamailio.cfg" -P "$dir/run/kamailio.pid" -Y "$dir/run" -w "$dir/run" -m 64 -M 8 \
        >"$dir/kamailio.log" 2>&1 &
    KAM_PID=$!
    STARTED[$KAM_PID]=kamailio
    kam_ready() {
        alive_or_die "$KAM_PID" "$dir/kamailio.log" kamailio
        [[ -s $dir/run/kamailio.pid ]] && bound u "$SIP_PORT" "$KAM_PID" && bound t "$SIP_PORT" "$KAM_PID"
    }
    await "kamailio on port $SIP_PORT" kam_ready
    [[ $(cat "$dir/run/kamailio.pid") == "$KAM_PID" ]] || die "kamailio pid file does not name $KAM_PID"
}

# stop_kamailio DIR: fails if Kamailio logged an error while the scenario ran (e.g. a malformed sipp message);
# checked before the stop, because a stopping Kamailio logs CRITICAL "receive_fd(): EOF" as its children go.
stop_kamailio() {
    local errors
    errors=$(grep -E ' (ERROR|CRITICAL|ALERT|BUG):' "$1/kamailio/kamailio.log" || true)
    stop_pid "$KAM_PID"
    [[ -z $errors ]] || { echo "$errors" >&2; die "kamailio logged errors ($1/kamailio/kamailio.log)"; }
}

CAPTURES=()

# start_capture FILE FORMAT FILTER: tshark on lo with a capture filter, until stop_captures.
start_capture() {
    local file=$1 format=$2 filter=$3 log=$1.log pid
    tshark -i lo -q -f "$filter" -a duration:120 -F "$format" -w "$file" >"$log" 2>&1 &
    pid=$!
    STARTED[$pid]="tshark $file"
    CAPTURES+=("$pid")
    capturing() {
        alive_or_die "$pid" "$log" tshark
        grep -qs '^Capturing on' "$log"
    }
    await "tshark ($file)" capturing
}

stop_captures() {
    local pid
    sleep 0.5 # let the last datagrams of the scenario reach the capture
    for pid in "${CAPTURES[@]}"; do
        stop_pid "$pid"
    done
    CAPTURES=()
}

# --- sipp -------------------------------------------------------------------------------------------------------

TRANSPORT=u1   # sipp -t: u1 (UDP, one socket) or t1 (TCP, one connection)
SCENARIO_DIR=
RUNS=0

contact_of() {
    local ua=$1 uri
    uri="sip:${ua%2}@127.0.0.1:${PORT[$ua]}"
    [[ $TRANSPORT == t1 ]] && uri+=";transport=tcp"
    echo "$uri"
}

# sipp_args UA XML CALLS DURATION_MS [-key K V]...: the bounded command line of one user agent's sipp run.
sipp_args() {
    local ua=$1 xml=$2 calls=$3 ms=$4
    shift 4
    SIPP=(sipp -sf "$SCN_DIR/$xml" -t "$TRANSPORT" -i 127.0.0.1 -p "${PORT[$ua]}" -mp "${MEDIA[$ua]}"
        -m "$calls" -d "$ms" -timeout 20s -timeout_error -nostdin -trace_err
        -key user "${ua%2}" -key contact "$(contact_of "$ua")" -key rtp_port "${MEDIA[$ua]}" "$@")
    # user agent clients send to the proxy; servers only listen
    [[ $xml == uas-* ]] || SIPP+=("127.0.0.1:$SIP_PORT")
}

sipp_failed() {
    tail -n 25 "$2" >&2 || true
    tail -n 40 "$SCENARIO_DIR"/*_errors.log >&2 2>/dev/null || true
    die "sipp $1 failed (exit $3), log above ($2)"
}

# sipp_fg UA XML CALLS DURATION_MS [-key K V]...: runs sipp to the end; any failure fails the script.
sipp_fg() {
    local log rc=0
    RUNS=$((RUNS + 1))
    log=$SCENARIO_DIR/$RUNS-$1-${2%.xml}.log
    sipp_args "$@"
    (cd "$SCENARIO_DIR" && exec "${SIPP[@]}") >"$log" 2>&1 || rc=$?
    ((rc == 0)) || sipp_failed "$1 $2" "$log" "$rc"
}

# sipp_bg UA XML CALLS DURATION_MS [-key K V]...: starts sipp in the background; its pid is in BG_PID.
BG_PID=
declare -A BG_LOG=()
sipp_bg() {
    local log ua=$1
    RUNS=$((RUNS + 1))
    log=$SCENARIO_DIR/$RUNS-$1-${2%.xml}.log
    sipp_args "$@"
    (cd "$SCENARIO_DIR" && exec "${SIPP[@]}") >"$log" 2>&1 &
    BG_PID=$!
    STARTED[$BG_PID]="sipp $1 $2"
    BG_LOG[$BG_PID]=$log
    if [[ $2 == uas-* ]]; then
        local proto=u pid=$BG_PID
        [[ $TRANSPORT == t1 ]] && proto=t
        listening() {
            alive_or_die "$pid" "$log" "sipp $ua"
            bound "$proto" "${PORT[$ua]}" "$pid"
        }
        await "sipp $ua on port ${PORT[$ua]}" listening
    fi
}

# sipp_wait PID: waits for a background sipp; its failure fails the script.
sipp_wait() {
    local pid=$1 rc=0 what=${STARTED[$1]}
    wait "$pid" || rc=$?
    unset "STARTED[$pid]"
    ((rc == 0)) || sipp_failed "$what" "${BG_LOG[$pid]}" "$rc"
}

# await_file NAME: waits until a sipp run created NAME (an <exec> action) in the scenario's directory.
await_file() {
    local f=$SCENARIO_DIR/$1
    file_there() { [[ -e $f ]]; }
    await "$1 from sipp" file_there
}

register() { # register UA [EXPIRES]
    sipp_fg "$1" register.xml 1 0 -key expires "${2:-3600}"
}

# a call from CALLER to CALLEE's AOR: CALLER_XML on the caller, CALLEE_XML on each of the callee's devices.
call() { # call CALLER CALLER_XML CALLEE_XML DEVICE... (devices of the callee)
    local caller=$1 caller_xml=$2 callee_xml=$3 pids=() dev pid
    shift 3
    for dev in "$@"; do
        sipp_bg "$dev" "$callee_xml" 1 "$RING_MS"
        pids+=("$BG_PID")
    done
    sipp_fg "$caller" "$caller_xml" 1 "$TALK_MS" -key callee "${1%2}"
    for pid in "${pids[@]}"; do sipp_wait "$pid"; done
}

# --- scenarios (README.md has the expected phone states of each) ------------------------------------------------

scenario_basic-call() {
    register alice
    register bob
    call alice uac-call.xml uas-answer.xml bob
}

scenario_callee-hangs-up() {
    register alice
    register bob
    call alice uac-call-remote-bye.xml uas-answer-then-bye.xml bob
}

scenario_busy() {
    register alice
    register bob
    call alice uac-call-rejected.xml uas-busy.xml bob
}

scenario_cancel() {
    register alice
    register bob
    call alice uac-cancel.xml uas-ring-cancelled.xml bob
}

scenario_hold-resume() {
    register alice
    register bob
    call alice uac-hold.xml uas-hold.xml bob
}

scenario_forking() {
    local bob1 bob2
    register alice
    register bob
    register bob2
    # bob's first device answers after RING_MS, the second rings until the proxy cancels it
    sipp_bg bob uas-answer.xml 1 "$RING_MS"
    bob1=$BG_PID
    sipp_bg bob2 uas-ring-cancelled.xml 1 0
    bob2=$BG_PID
    sipp_fg alice uac-call.xml 1 "$TALK_MS" -key callee bob
    sipp_wait "$bob1"
    sipp_wait "$bob2"
}

scenario_deregister() {
    # alice registers and de-registers her contact (Expires: 0); bob's two devices go with one Contact: *
    sipp_fg alice register-unregister.xml 1 0 -key expires 3600
    register bob
    register bob2
    sipp_fg bob unregister-all.xml 1 0
}

scenario_registration-expiry() {
    register carol 2
    sleep 3 # carol's binding runs out; alice's REGISTER shows the time that passed
    register alice
}

scenario_refresh() {
    sipp_fg alice register-refresh.xml 1 0 -key expires 60
}

scenario_call-waiting() {
    local bob alice
    register alice
    register bob
    register carol
    # bob's phone answers two calls; alice's starts first, carol's while alice's is up; alice hangs up first
    sipp_bg bob uas-answer.xml 2 "$RING_MS"
    bob=$BG_PID
    sipp_bg alice uac-call.xml 1 1500 -key callee bob
    alice=$BG_PID
    sleep 0.8
    sipp_fg carol uac-call.xml 1 1500 -key callee bob
    sipp_wait "$alice"
    sipp_wait "$bob"
}

scenario_tcp-call() {
    TRANSPORT=t1
    register alice
    register bob
    call alice uac-call.xml uas-answer.xml bob
    TRANSPORT=u1
}

scenario_early-media-prack() {
    register alice
    register bob
    call alice uac-prack.xml uas-prack.xml bob
}

scenario_late-offer() {
    register alice
    register bob
    call alice uac-late-offer.xml uas-late-offer.xml bob
}

scenario_hold-by-callee() {
    register alice
    register bob
    call alice uac-held-by-callee.xml uas-hold-by-callee.xml bob
}

scenario_update-hold() {
    register alice
    register bob
    call alice uac-update-hold.xml uas-update-hold.xml bob
}

scenario_glare-491() {
    register alice
    register bob
    call alice uac-glare.xml uas-glare.xml bob
}

scenario_redirect-302() {
    local bob carol
    register alice
    register bob
    register carol
    sipp_bg bob uas-redirect.xml 1 0 -key target carol
    bob=$BG_PID
    sipp_bg carol uas-answer.xml 1 "$RING_MS"
    carol=$BG_PID
    sipp_fg alice uac-redirect.xml 1 "$TALK_MS" -key callee bob
    sipp_wait "$bob"
    sipp_wait "$carol"
}

# basic-call with SDP bodies of about 2.5 KB: the INVITE and the 200 leave in IP fragments (see LAB_MTU_OF)
scenario_fragmented-call() {
    register alice
    register bob
    call alice uac-call-large-sdp.xml uas-answer-large-sdp.xml bob
}

scenario_challenge-407() {
    local bob
    register alice
    register bob
    sipp_bg bob uas-answer.xml 1 "$RING_MS"
    bob=$BG_PID
    # the password Kamailio's config checks when WITH_AUTH is defined
    sipp_fg alice uac-auth.xml 1 "$TALK_MS" -key callee bob -au alice -ap lab-secret
    sipp_wait "$bob"
}

scenario_blind-transfer() {
    local alice bob carol
    register alice
    register bob
    register carol
    sipp_bg carol uas-answer-stay.xml 1 "$RING_MS"
    carol=$BG_PID
    sipp_bg bob uas-refer.xml 1 "$TALK_MS" -key refer_to "<sip:carol@example.com>"
    bob=$BG_PID
    # alice NOTIFYs 200 OK 1.5 s after her 100 Trying: by then her call to carol is answered
    sipp_bg alice uac-transferee.xml 1 1500 -key callee bob
    alice=$BG_PID
    await_file referred
    sipp_fg alice2 uac-call-referred.xml 1 0 -key callee carol -key referrer bob \
        -key home_contact "$(contact_of alice)"
    sipp_wait "$alice"
    sipp_wait "$bob"
    sipp_wait "$carol"
}

scenario_attended-transfer() {
    local alice bob consult carol cid ftag ttag
    register alice
    register bob
    register carol
    # the consultation dialog's identifiers, which bob's REFER names in Replaces (RFC 3891)
    ftag=consult-f$RANDOM
    ttag=consult-t$RANDOM
    cid=consult-$RANDOM$RANDOM-1@127.0.0.1
    sipp_bg carol uas-consult-replaced.xml 2 "$RING_MS" -key consult_ttag "$ttag"
    carol=$BG_PID
    # bob REFERs 1.2 s after alice's ACK, once his consultation call is up
    sipp_bg bob uas-refer.xml 1 1200 \
        -key refer_to "<sip:carol@example.com?Replaces=${cid/@/%40}%3Bto-tag%3D$ttag%3Bfrom-tag%3D$ftag>"
    bob=$BG_PID
    sipp_bg alice uac-transferee.xml 1 1500 -key callee bob
    alice=$BG_PID
    await_file answered
    sipp_bg bob2 uac-consult.xml 1 0 -key callee carol -key consult_ftag "$ftag" -cid_str "${cid%-1@*}-%u@%s"
    consult=$BG_PID
    await_file referred
    sipp_fg alice2 uac-call-replaces.xml 1 0 -key callee carol -key referrer bob \
        -key home_contact "$(contact_of alice)" -key replaces "$cid;to-tag=$ttag;from-tag=$ftag"
    sipp_wait "$alice"
    sipp_wait "$bob"
    sipp_wait "$consult"
    sipp_wait "$carol"
}

# --- checks -----------------------------------------------------------------------------------------------------

sip_messages() { # SIP messages (requests and responses) in a plain capture
    tshark -r "$1" -d "udp.port==$SIP_PORT,sip" -d "tcp.port==$SIP_PORT,sip" -Y sip \
        -T fields -E occurrence=a -E aggregator=, -e sip.CSeq.method 2>/dev/null |
        awk -F, '{ n += NF } END { print n + 0 }'
}

frames() { # UDP datagrams, IP fragments put together
    tshark -r "$1" -Y "udp and not icmp" 2>/dev/null | wc -l
}

check() { # check SCENARIO
    local plain=$OUT_DIR/$1.pcap hep=$OUT_DIR/$1-hep.pcap n h size f
    n=$(sip_messages "$plain")
    h=$(frames "$hep")
    echo "regenerate-captures: $1: $n SIP messages, $h HEP datagrams"
    [[ $n == "${EXPECTED[$1]}" ]] || die "$1: expected ${EXPECTED[$1]} SIP messages in $plain, got $n"
    [[ $h == "${EXPECTED_HEP[$1]:-$n}" ]] ||
        die "$1: expected ${EXPECTED_HEP[$1]:-$n} HEP datagrams (one per SIP message, see EXPECTED_HEP) in $hep, got $h"
    # a fragment that more fragments follow is part of a datagram shown (and checked) with its last fragment
    if [[ $(tshark -r "$hep" -Y "not (udp.dstport == $HEP_PORT) and not ip.flags.mf == 1" 2>/dev/null | wc -l) != 0 ]]
    then
        die "$hep holds packets other than HEP"
    fi
    if [[ $(tshark -r "$plain" -Y "udp.dstport == $HEP_PORT" 2>/dev/null | wc -l) != 0 ]]; then
        die "$plain holds HEP packets"
    fi
    for f in "$plain" "$hep"; do
        size=$(stat -c %s "$f")
        ((size < 200000)) || die "$f is $size bytes"
    done
}

# --- main -------------------------------------------------------------------------------------------------------

run_scenario() {
    local name=$1 plain_filter
    SCENARIO_DIR=$WORK/$name
    RUNS=0
    mkdir -p "$SCENARIO_DIR"
    echo "regenerate-captures: $name"
    KAM_DEFINES=()
    [[ $name != challenge-407 ]] || KAM_DEFINES=(-A WITH_AUTH)
    start_kamailio "$SCENARIO_DIR"
    # HEP leaves from the SIP socket (proxy port -> HEP port), so the plain filter has to exclude it
    plain_filter="(udp port $SIP_PORT or tcp port $SIP_PORT) and not (udp dst port $HEP_PORT)"
    if [[ -n ${LAB_MTU_OF[$name]:-} ]]; then
        # A capture filter sees the UDP ports in a datagram's first fragment only: capture everything (the
        # namespace holds nothing else), then split with display filters. tshark's two passes put the fragments
        # together and write every frame a shown datagram depends on. ICMP "port unreachable" for the HEP port
        # quotes a UDP header and is left out.
        start_capture "$SCENARIO_DIR/all.pcap" pcap "ip"
        "scenario_$name"
        stop_captures
        tshark -2 -r "$SCENARIO_DIR/all.pcap" -F pcap -w "$SCENARIO_DIR/$name.pcap" \
            -Y "(udp.port == $SIP_PORT or tcp.port == $SIP_PORT) and not udp.dstport == $HEP_PORT and not icmp" \
            2>/dev/null
        tshark -2 -r "$SCENARIO_DIR/all.pcap" -F pcap -w "$SCENARIO_DIR/$name-hep.pcap" \
            -Y "udp.srcport == $SIP_PORT and udp.dstport == $HEP_PORT and not icmp" 2>/dev/null
    else
        start_capture "$SCENARIO_DIR/$name.pcap" pcap "$plain_filter"
        # only this Kamailio's mirror: another lab's Kamailio may be sending HEP to the same port
        start_capture "$SCENARIO_DIR/$name-hep.pcap" pcap "udp src port $SIP_PORT and udp dst port $HEP_PORT"
        if [[ $name == basic-call ]]; then
            start_capture "$SCENARIO_DIR/$name.pcapng" pcapng "$plain_filter"
        fi
        "scenario_$name"
        stop_captures
    fi
    stop_kamailio "$SCENARIO_DIR"
    install -m 0644 "$SCENARIO_DIR/$name.pcap" "$SCENARIO_DIR/$name-hep.pcap" "$OUT_DIR/"
    [[ $name != basic-call ]] || install -m 0644 "$SCENARIO_DIR/$name.pcapng" "$OUT_DIR/"
    check "$name"
}

main() {
    local name scenarios=("$@")
    ((${#scenarios[@]})) || scenarios=("${ALL_SCENARIOS[@]}")
    for name in "${scenarios[@]}"; do
        [[ -n ${EXPECTED[$name]:-} ]] || die "unknown scenario $name (known: ${ALL_SCENARIOS[*]})"
    done
    mkdir -p "$OUT_DIR"
    for name in "${scenarios[@]}"; do
        if [[ -n ${LAB_MTU_OF[$name]:-} && -z ${LAB_IN_NETNS:-} ]]; then
            echo "regenerate-captures: $name runs in a network namespace of its own (lo MTU ${LAB_MTU_OF[$name]})"
            OUT_DIR=$OUT_DIR LAB_IN_NETNS=${LAB_MTU_OF[$name]} unshare -n "${BASH_SOURCE[0]}" "$name" ||
                die "$name failed in its network namespace"
        else
            run_scenario "$name"
        fi
    done
    echo "regenerate-captures: wrote ${#scenarios[@]} scenario(s) to $OUT_DIR"
}

main "$@"
