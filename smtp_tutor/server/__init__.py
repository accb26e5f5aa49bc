"""The practice server (hamburger.edu), built on aiosmtpd: the only place that imports it."""
