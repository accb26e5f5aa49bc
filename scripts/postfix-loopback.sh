#!/usr/bin/env bash
# A private Postfix instance on loopback, as hamburger.edu, for the tests: its own
# configuration, queue, data and mail folders under DIR, started and stopped with
# `postfix -c DIR/etc`. Nothing of the machine's own Postfix (/etc/postfix, its queue,
# its service) is read for configuration or changed, and no system user is added:
# alice and bob are virtual mailboxes. smtp-sink runs beside it.
#   Postfix on 127.0.0.1:$PORT (STARTTLS, a self-signed certificate), smtp-sink on :$SINK_PORT.
# Nothing can leave the machine: every non-local transport is an error.
# Usage: scripts/postfix-loopback.sh start DIR | stop DIR   (root; Debian's postfix, swaks)
set -euo pipefail
PORT=${SMTP_TUTOR_POSTFIX_PORT:-10025}
SINK_PORT=${SMTP_TUTOR_SINK_PORT:-10026}

start() {
  local dir=$1
  command -v postfix >/dev/null || { echo "postfix is not installed (apt-get install postfix)" >&2; exit 1; }
  mkdir -p "$dir/etc" "$dir/spool" "$dir/data" "$dir/mail"
  dir=$(cd "$dir" && pwd)
  chown postfix "$dir/data"
  chown 65534:65534 "$dir/mail"
  # the package's list of its own files and map types, copied: the instance reads even
  # these from its own folder, never from /etc/postfix
  local meta
  for meta in postfix-files postfix-files.d dynamicmaps.cf dynamicmaps.cf.d; do
    [ -e "/etc/postfix/$meta" ] && [ ! -e "$dir/etc/$meta" ] && cp -r "/etc/postfix/$meta" "$dir/etc/"
  done
  local cert=$dir/etc/cert.pem key=$dir/etc/key.pem
  if [ ! -s "$cert" ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=hamburger.edu" \
      -keyout "$key" -out "$cert" >/dev/null 2>&1
    chmod 600 "$key"
  fi
  printf '%s\n' 'alice@hamburger.edu alice/' 'bob@hamburger.edu bob/' 'bob@localhost bob/' \
    'postmaster@hamburger.edu postmaster/' 'postmaster@localhost postmaster/' \
    > "$dir/etc/vmailbox"
  cat > "$dir/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $dir/spool
data_directory = $dir/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
shlib_directory = /usr/lib/postfix
meta_directory = $dir/etc
mail_owner = postfix
setgid_group = postdrop
myhostname = hamburger.edu
mydomain = hamburger.edu
myorigin = hamburger.edu
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = reject_unauth_destination
smtpd_recipient_restrictions = reject_unauth_destination
virtual_mailbox_domains = hamburger.edu, localhost
virtual_mailbox_base = $dir/mail
virtual_mailbox_maps = texthash:$dir/etc/vmailbox
virtual_uid_maps = static:65534
virtual_gid_maps = static:65534
alias_maps =
alias_database =
local_recipient_maps =
default_transport = error:smtp-tutor test instance sends nothing
relay_transport = error:smtp-tutor test instance sends nothing
smtpd_tls_cert_file = $cert
smtpd_tls_key_file = $key
smtpd_tls_security_level = may
smtpd_banner = \$myhostname ESMTP Postfix (Debian/GNU)
maillog_file_prefixes = $dir
maillog_file = $dir/postfix.log
EOF
  # Debian's master.cf, with no chroot (the private queue has no chroot tree), the
  # listener on 127.0.0.1:$PORT, and logging to a file of its own
  sed -e 's/^\(\S\+\s\+\S\+\s\+\S\+\s\+\S\+\s\+\)y\(\s\)/\1n\2/' \
      -e "s/^smtp      inet .*/127.0.0.1:$PORT inet n - n - - smtpd/" \
      -e 's/^#postlog/postlog/' \
      /usr/share/postfix/master.cf.dist > "$dir/etc/master.cf"
  grep -q '^postlog' "$dir/etc/master.cf" ||
    echo "postlog   unix-dgram n  -       n       -       1       postlogd" >> "$dir/etc/master.cf"
  postfix -c "$dir/etc" check
  postfix -c "$dir/etc" start >/dev/null 2>&1
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$SINK_PORT") 2>/dev/null; then
    setsid smtp-sink -u nobody -h sink.hamburger.edu "127.0.0.1:$SINK_PORT" 1024 \
      >/dev/null 2>&1 < /dev/null &
    echo $! > "$dir/smtp-sink.pid"
  fi
  for _ in $(seq 100); do
    # both listening: smtp-sink starts in the background and may be later than Postfix
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null &&
       (exec 3<>"/dev/tcp/127.0.0.1/$SINK_PORT") 2>/dev/null; then
      echo "postfix on 127.0.0.1:$PORT, smtp-sink on 127.0.0.1:$SINK_PORT ($dir)"; exit 0
    fi
    sleep 0.1
  done
  echo "postfix on $PORT or smtp-sink on $SINK_PORT did not start listening: see $dir/postfix.log" >&2; exit 1
}

stop() {
  local dir=$1
  [ -f "$dir/etc/main.cf" ] && postfix -c "$dir/etc" stop >/dev/null 2>&1 || true
  if [ -f "$dir/smtp-sink.pid" ]; then
    kill "$(cat "$dir/smtp-sink.pid")" 2>/dev/null || true
    rm -f "$dir/smtp-sink.pid"
  fi
}

case "${1:-}" in
  start) start "${2:?usage: $0 start DIR}" ;;
  stop) stop "${2:?usage: $0 stop DIR}" ;;
  *) echo "usage: $0 start DIR | stop DIR" >&2; exit 2 ;;
esac
