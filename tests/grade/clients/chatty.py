"""A correct client that prints megabytes on stdout and stderr on the way (and starts a
child that would outlive it)."""
import os
import runpy
import subprocess
import sys

subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
for _ in range(20000):
    print("debug " * 20)
    print("warning " * 20, file=sys.stderr)
runpy.run_path(os.path.join(os.path.dirname(__file__), "correct.py"), run_name="__main__")
