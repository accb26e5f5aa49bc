#!/usr/bin/env bash
# Configure and start Debian's Postfix on loopback only, as hamburger.edu, for the tests:
#   Postfix on 127.0.0.1:10025 (STARTTLS with a self-signed certificate), smtp-sink on :10026.
# Nothing can leave the machine: every non-local transport is an error.
# Usage: scripts/postfix-loopback.sh start|stop   (root; Debian 12 packages postfix, swaks)
set -euo pipefail
PORT=${SMTP_TUTOR_POSTFIX_PORT:-10025}
SINK_PORT=${SMTP_TUTOR_SINK_PORT:-10026}

start() {
  command -v postfix >/dev/null || { echo "postfix is not installed (apt-get install postfix)" >&2; exit 1; }
  id alice >/dev/null 2>&1 || useradd --no-create-home --shell /usr/sbin/nologin alice
  id bob >/dev/null 2>&1 || useradd --no-create-home --shell /usr/sbin/nologin bob
  cert=/etc/postfix/smtp-tutor-test.pem key=/etc/postfix/smtp-tutor-test.key
  if [ ! -s "$cert" ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=hamburger.edu" \
      -keyout "$key" -out "$cert" >/dev/null 2>&1
    chmod 600 "$key"
  fi
  postconf -e \
    "myhostname = hamburger.edu" "mydomain = hamburger.edu" "myorigin = hamburger.edu" \
    "mydestination = hamburger.edu, localhost" "inet_interfaces = loopback-only" \
    "inet_protocols = all" "mynetworks = 127.0.0.0/8 [::1]/128" \
    "smtpd_relay_restrictions = reject_unauth_destination" \
    "smtpd_recipient_restrictions = reject_unauth_destination" \
    "default_transport = error:smtp-tutor test instance sends nothing" \
    "relay_transport = error:smtp-tutor test instance sends nothing" \
    "smtpd_tls_cert_file = $cert" "smtpd_tls_key_file = $key" \
    "smtpd_tls_security_level = may" "compatibility_level = 3.6" \
    "alias_maps = hash:/etc/aliases" "smtpd_banner = \$myhostname ESMTP Postfix (Debian/GNU)"
  grep -q '^sink:' /etc/aliases 2>/dev/null || echo 'sink: /dev/null' >> /etc/aliases
  newaliases
  # The listener moves off port 25 to $PORT.
  postconf -M# smtp/inet >/dev/null 2>&1 || true
  postconf -M "$PORT/inet=$PORT inet n - y - - smtpd"
  /usr/lib/postfix/configure-instance.sh - >/dev/null 2>&1 || true
  postfix check
  if postfix status >/dev/null 2>&1; then postfix reload >/dev/null 2>&1; else postfix start >/dev/null 2>&1; fi
  if ! pgrep -f "smtp-sink.*:$SINK_PORT" >/dev/null; then
    nohup smtp-sink -u nobody -h sink.hamburger.edu "127.0.0.1:$SINK_PORT" 1024 >/dev/null 2>&1 &
  fi
  for _ in $(seq 50); do
    if (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null; then echo "postfix on 127.0.0.1:$PORT, smtp-sink on 127.0.0.1:$SINK_PORT"; exit 0; fi
    sleep 0.2
  done
  echo "postfix did not start listening on $PORT" >&2; exit 1
}

stop() {
  postfix stop >/dev/null 2>&1 || true
  pkill -f "smtp-sink.*:$SINK_PORT" || true
}

case "${1:-start}" in start) start ;; stop) stop ;; *) echo "usage: $0 start|stop" >&2; exit 2 ;; esac
