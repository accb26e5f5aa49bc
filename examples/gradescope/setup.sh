#!/usr/bin/env bash
# Gradescope autograder set-up: runs once, as root, when Gradescope builds the image.
#
# Make the zip from a clone of smtp-tutor (the package is not on PyPI: ship its wheel):
#   pip wheel --no-deps . -w examples/gradescope
#   cd examples/gradescope && zip autograder.zip setup.sh run_autograder smtp_tutor-*.whl
# (add your own rubric.toml to the zip to grade with it; without one, the shipped
# "handout" rubric grades the lab as the handout gives it).
# In Gradescope's autograder settings pick the Ubuntu 24.04 base image: smtp-tutor needs
# Python 3.11 or newer, and Ubuntu 22.04's python3 is 3.10.
set -euo pipefail
AUTOGRADER=${AUTOGRADER:-/autograder}  # a test builds this layout in a temporary folder
if [ "${SKIP_APT:-0}" != 1 ]; then
  apt-get update -q
  # bubblewrap gives the "full" sandbox where the image allows namespaces; util-linux
  # (setpriv, nsenter) the "uid" one where it does not
  apt-get install -y -q python3 python3-venv bubblewrap util-linux
fi
python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else
  "smtp-tutor needs Python 3.11 or newer; this image has " + sys.version.split()[0]
  + ": choose the Ubuntu 24.04 base image in the autograder settings")'
python3 -m venv "$AUTOGRADER/venv"
"$AUTOGRADER/venv/bin/pip" install -q "$AUTOGRADER"/source/smtp_tutor-*.whl
# Which sandbox this image gives the students' programs (full, uid or weak), and which
# limits hold: read it in the build log. run_autograder refuses anything below uid.
"$AUTOGRADER/venv/bin/smtp-tutor" grade isolation
