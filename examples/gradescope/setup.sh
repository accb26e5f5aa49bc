#!/usr/bin/env bash
# Gradescope autograder set-up (runs once, as root, when the autograder image is built).
# Zip this directory's files with your rubric.toml and a smtp-tutor wheel or sdist:
#   zip autograder.zip setup.sh run_autograder rubric.toml smtp_tutor-*.whl
# Gradescope unpacks the zip into /autograder/source.
set -euo pipefail
apt-get update -q
apt-get install -y -q python3 python3-venv
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install -q /autograder/source/smtp_tutor-*.whl
# the student's program runs as this user, not as root (the container is the sandbox)
id student >/dev/null 2>&1 || useradd --create-home --shell /usr/sbin/nologin student
# certificates of the practice server, made once here, readable by the student user
install -d -o student /home/student/.local/share/smtp-tutor
