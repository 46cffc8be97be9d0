#!/bin/bash
# queue_minfree on a small loop-mounted ext4 spool: qmqpd answers Z
# ("insufficient system storage") and logs why when the queue file system
# has less free space than max(queue_minfree, 1.5 x message_size_limit), and
# K again once there is room; nothing is queued meanwhile.
. "$(dirname "$0")/lib.sh"
command -v mkfs.ext4 > /dev/null || t_fail "mkfs.ext4 (e2fsprogs) is missing"
IMG=$T_TMP/fs.img
MNT=$T_TMP/mnt
mkdir -p "$MNT"
truncate -s 40M "$IMG"
mkfs.ext4 -q -F -m 0 "$IMG" || t_fail "mkfs.ext4"
mount -o loop "$IMG" "$MNT" || t_fail "mount -o loop (needs a loop device)"
# Stop the instance and unmount before lib.sh removes the directory.
trap '[ -n "$PH" ] && $PH stop > /dev/null 2>&1; umount "$MNT" 2>/dev/null; t_cleanup' EXIT
t_instance "queue_directory=$MNT/spool" message_size_limit=2000000 queue_minfree=0
t_start
MSG='Subject: room\n\nbody\n'
t_assert_eq "REPLY K" "$(t_qmqp "$QPORT" --request "$MSG" a@example.org b@example.org | cut -c1-7)" \
    "answer with room to spare"
queued=$(t_queue_count)

# free_bytes - what the spool's file system has left for us
free_bytes() { df --output=avail -B1 "$MNT" | tail -1 | tr -d ' '; }
# Leave 1-2 MB: less than 1.5 x message_size_limit (3 MB).
dd if=/dev/zero of="$MNT/filler" bs=1M count=$(( $(free_bytes) / 1048576 - 1 )) status=none 2>/dev/null
sync
t_log "free space now $(free_bytes) bytes"
t_assert_eq "REPLY Z Error: insufficient system storage" \
    "$(t_qmqp "$QPORT" --request "$MSG" a@example.org b@example.org)" "answer with less than 3 MB left"
t_wait_log "warning: localhost\[127.0.0.1\]: not enough free space in mail queue: [0-9]+ bytes < 3000000 bytes" \
    || t_fail "no log line saying why"
t_assert_eq "$queued" "$(t_queue_count)" "messages queued while full"

# Room again: accepted at once, no restart needed.
rm -f "$MNT/filler"
sync
t_assert_eq "REPLY K" "$(t_qmqp "$QPORT" --request "$MSG" a@example.org b@example.org | cut -c1-7)" \
    "answer once there is room"

# queue_minfree above 1.5 x message_size_limit wins.
$PH conf -e "queue_minfree=$(( $(free_bytes) + 1048576 ))" > /dev/null || t_fail "conf -e"
$PH reload > /dev/null || t_fail "reload"
t_wait_until 10 sh -c "$PY '$T_ROOT/tests/integration/qmqp_raw.py' $QPORT --request '$MSG' a@example.org b@example.org | grep -q 'REPLY Z'" \
    || t_fail "queue_minfree above the free space did not refuse"
t_pass
