"""``smtp-tutor grade``: the autograder for the SMTP socket-programming assignments.

One job per module: ``rubric`` (the TOML rubric), ``scenarios`` (a fresh practice
server per scenario, watched by a recorder), ``runner`` (the student's program, fenced
in), ``checks`` (what decides each check), ``client`` (a client program graded),
``conformance`` (a student's server graded), ``report`` and ``formats`` (the results
and their four shapes), ``batch`` (a whole class), ``main`` (the command line face).
"""
