#!/usr/bin/python3
"""local_attack - what a hostile local user tries on a posthorn spool.

usage: local_attack.py requests SPOOL
    For every socket in SPOOL/public: send a delete ALL, a hold ALL and a
    status request (datagrams: with and without a passed socket, and with
    a reply_to naming a file in public/; streams: as the first bytes).
    Prints one line per answer it got ("ANSWER sock request text").
  local_attack.py log SPOOL TEXT
    Send TEXT (Python escapes allowed) as a datagram to the log socket in
    private/ and in public/; prints "SENT path" or "REFUSED path errno".
  local_attack.py log-fd SPOOL TEXT UID
    As root: connect to private/postlog, then become UID and send TEXT
    through the connected socket (a datagram whose sender the kernel says
    is UID). Prints "SENT" or "REFUSED errno".
  local_attack.py flush SPOOL
    Send the flush triggers F, A and D to public/qmgr.
Exit status 0 unless the arguments are wrong.
"""
import errno
import os
import socket
import stat
import sys


def ns(b):
    return str(len(b)).encode() + b":" + b + b","


def attrs(**kw):
    return b"".join(ns(("%s=%s" % (k, v)).encode()) for k, v in kw.items()) + b"0:,"


def read_answer(sock):
    sock.settimeout(3)
    data = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except (socket.timeout, OSError):
        pass
    return data


def dgram_requests(path, name):
    reqs = [
        attrs(request="delete", queue_id="ALL", reply_to="public/x.%d" % os.getpid()),
        attrs(request="hold", queue_id="ALL", queues="deferred"),
        attrs(request="status", queue_id="ALL", reply_to="public/st.%d" % os.getpid(),
              format="text"),
    ]
    for req in reqs:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            s.sendto(req, path)                 # no reply socket
        except OSError as e:
            print("REFUSED %s %s" % (name, errno.errorcode.get(e.errno, e.errno)))
        s.close()
        a, b = socket.socketpair()
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            s.connect(path)
            socket.send_fds(s, [req], [b.fileno()])
            b.close()
            got = read_answer(a)
            print("ANSWER %s %s %r" % (name, req.split(b"=")[1].split(b",")[0].decode(), got))
        except OSError as e:
            print("REFUSED %s %s" % (name, errno.errorcode.get(e.errno, e.errno)))
        s.close()
        a.close()


def stream_requests(path, name):
    for req in (attrs(request="delete", queue_id="ALL"), attrs(request="hold", queue_id="ALL"),
                attrs(request="status", format="json")):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            s.sendall(req)
            got = read_answer(s)
            print("ANSWER %s stream %d bytes" % (name, len(got)))
        except OSError as e:
            print("REFUSED %s %s" % (name, errno.errorcode.get(e.errno, e.errno)))
        s.close()


def requests(spool):
    pub = os.path.join(spool, "public")
    for name in sorted(os.listdir(pub)):
        path = os.path.join(pub, name)
        mode = os.lstat(path).st_mode
        if not stat.S_ISSOCK(mode):
            continue
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            probe.connect(path)
            kind = "dgram"
        except OSError:
            kind = "stream"
        probe.close()
        if kind == "dgram":
            dgram_requests(path, name)
        else:
            stream_requests(path, name)


def log(spool, text):
    data = text.encode("latin-1").decode("unicode_escape").encode("latin-1")
    for sub in ("private", "public"):
        path = os.path.join(spool, sub, "postlog")
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            s.sendto(data, path)
            print("SENT " + path)
        except OSError as e:
            print("REFUSED %s %s" % (path, errno.errorcode.get(e.errno, e.errno)))
        s.close()


def log_fd(spool, text, uid):
    data = text.encode("latin-1").decode("unicode_escape").encode("latin-1")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.connect(os.path.join(spool, "private", "postlog"))
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    try:
        s.send(data)
        print("SENT")
    except OSError as e:
        print("REFUSED %s" % errno.errorcode.get(e.errno, e.errno))


def flush(spool):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    for t in (b"F", b"A", b"D", b"FADI"):
        s.sendto(t, os.path.join(spool, "public", "qmgr"))
    print("SENT")


def main(argv):
    if len(argv) >= 3 and argv[1] == "requests":
        requests(argv[2])
    elif len(argv) >= 4 and argv[1] == "log":
        log(argv[2], argv[3])
    elif len(argv) >= 5 and argv[1] == "log-fd":
        log_fd(argv[2], argv[3], int(argv[4]))
    elif len(argv) >= 3 and argv[1] == "flush":
        flush(argv[2])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
