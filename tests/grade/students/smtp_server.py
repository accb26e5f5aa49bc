# A student's SMTP server (the "write a small SMTP server" assignment), standard
# library only: it listens on 127.0.0.1:$SMTP_PORT.
import asyncio
import os


async def session(reader, writer):
    def say(line):
        writer.write(line.encode() + b"\r\n")

    say("220 student.example ESMTP ready")
    helo = sender = False
    recipients = []
    while True:
        line = await reader.readline()
        if not line:
            break
        words = line.decode("utf-8", "replace").rstrip("\r\n").split(" ", 1)
        verb = words[0].upper()
        arg = words[1] if len(words) > 1 else ""
        if verb in ("HELO", "EHLO"):
            if not arg:
                say("501 Syntax: HELO hostname")
            elif verb == "EHLO":
                helo = True
                say("250-student.example")
                say("250 8BITMIME")
            else:
                helo = True
                say("250 student.example")
        elif verb == "MAIL":
            if not helo:
                say("503 Send HELO first")
            elif not arg.upper().startswith("FROM:"):
                say("501 Syntax: MAIL FROM:<address>")
            else:
                sender, recipients = True, []
                say("250 OK")
        elif verb == "RCPT":
            if not sender:
                say("503 Need MAIL first")
            elif not arg.upper().startswith("TO:"):
                say("501 Syntax: RCPT TO:<address>")
            else:
                recipients.append(arg)
                say("250 OK")
        elif verb == "DATA":
            if not recipients:
                say("503 Need RCPT first")
                continue
            say("354 End data with <CR><LF>.<CR><LF>")
            await writer.drain()
            while True:
                data = await reader.readuntil(b"\r\n")
                if data == b".\r\n":
                    break
            sender, recipients = False, []
            say("250 OK: queued")
        elif verb == "RSET":
            sender, recipients = False, []
            say("250 OK")
        elif verb == "NOOP":
            say("250 OK")
        elif verb == "QUIT":
            say("221 Bye")
            await writer.drain()
            break
        else:
            say("500 Command not recognized")
        await writer.drain()
    writer.close()


async def main():
    server = await asyncio.start_server(session, "127.0.0.1", int(os.environ["SMTP_PORT"]))
    async with server:
        await server.serve_forever()


asyncio.run(main())
