"""smtp-tutor: learn SMTP in the terminal."""

__version__ = "0.1.0"
