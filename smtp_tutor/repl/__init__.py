"""The interactive shell (prompt_toolkit): the Telnet replacement students type in."""
