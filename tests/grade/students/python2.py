# Written for Python 2.
print "connecting to the mail server"
