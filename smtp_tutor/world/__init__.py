"""The practice world: the whole journey of a message on one laptop.

Alice's user agent → crepes.fr (submission, a durable queue, an outbound SMTP client)
→ an MX lookup in a practice DNS → hamburger.edu (the practice server as MX) → Bob's
Maildir → POP3.  Small modules, one job each:

- ``zone``: the practice DNS zone, served by dnspython on loopback, and its resolver;
- ``queue``: crepes.fr's queue on disk, fsync'ed before the 250;
- ``retry``: the RFC 5321 §4.5.4.1 schedule, compressed;
- ``dsn``: the RFC 3464 bounce;
- ``handlers``: the submission server's and the MX's rules;
- ``relay``: the outbound SMTP client on the shared sans-I/O core;
- ``manager``: the queue manager (tries, retries, bounces, local delivery);
- ``events``: what the world publishes as it happens (records), for every watcher;
- ``view``: the world console, one watcher: it says each event, hop by hop;
- ``runner``: starting and stopping it all; ``main``: the commands.
"""
