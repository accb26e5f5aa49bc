"""The lab room: one practice server for a whole class, and the instructor's live board."""
