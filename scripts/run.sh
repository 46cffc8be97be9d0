#!/bin/sh
# run.sh - `make run`: create ./run/instance on first use, then start it in
# the foreground with its log on the terminal. Ctrl-C stops it cleanly.
set -e
build=${1:-build}
inst=$(pwd)/run/instance
posthorn="$build/bin/posthorn"
if [ ! -f "$inst/main.cf" ]; then
    if [ "$(id -u)" = 0 ]; then
	"$posthorn" init "$inst"
    else
	# Without root, QMQP's port 628 is out of reach: use 6628 instead.
	"$posthorn" init "$inst" --qmqp 127.0.0.1:6628
    fi
fi
echo "posthorn: instance $inst -- try, in another terminal:"
# printf, not echo: dash's echo would turn the \n into line breaks.
printf '%s\n' "  printf 'Subject: test\\n\\nhello\\n' | $posthorn -c $inst send -f you@example.org someone@example.net"
echo "  $posthorn -c $inst queue"
exec "$posthorn" -c "$inst" start-fg
